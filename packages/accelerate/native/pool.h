// The addon's own thread pool: threads created once (setThreads), idle workers blocked on a condition
// variable after a very short spin, work handed out in chunks by one atomic counter (dynamic
// scheduling: a worker descheduled by a competing process holds at most the chunk it started, and the
// others take the rest). The caller runs chunks too. While split regions gain too little (a competing
// process), the pool runs regions inline for a back-off period, then tries splitting again. How work is cut into chunks is each kernel's choice
// and depends only on the shapes, never on the thread count, so results do not depend on it either.
#pragma once
#include <cstdint>

namespace vjepa {

// Sets the pool's size: `threads` threads in all, the caller included (at least 1; 1 = no workers).
// Returns the size now in use.
int setPoolThreads(int threads);
int poolThreads();

// The default size: the CPUs this process may run on (its affinity mask), capped at MAX_DEFAULT_THREADS.
constexpr int MAX_DEFAULT_THREADS = 8;
int defaultPoolThreads();

// Calls body(context, i) for every i in [0, count), each exactly once, spread over the pool's threads;
// returns when all have run. Inline on the calling thread, in order, when the pool has one thread,
// count ≤ 1, the caller is itself inside a parallel region (no nesting: a chunk's own GEMMs run on its
// thread), or another thread holds the pool.
using ChunkBody = void (*)(void* context, int64_t chunk);
void parallelChunks(int64_t count, ChunkBody body, void* context);

// How often the pool stopped splitting because splitting did not pay (a competing process), and how
// many regions it then ran inline. Both count from the start of the process.
uint64_t poolBackoffs();
uint64_t poolInlineRegions();

// True while the calling thread runs a chunk of a parallel region (there, kernels stay single-threaded).
bool inParallelRegion();

// Whether splitting is worth it right now: more than one thread and not already inside a region.
inline bool poolCanSplit() { return poolThreads() > 1 && !inParallelRegion(); }

// parallelChunks with a lambda.
template <class F>
void parallelFor(int64_t count, const F& f) {
  parallelChunks(count, [](void* context, int64_t i) { (*static_cast<const F*>(context))(i); }, const_cast<void*>(static_cast<const void*>(&f)));
}

// `total` items in chunks of at least `grain` items (a multiple of `align`), at most `maxChunks` chunks:
// chunk i covers [begin(i), end(i)). A function of the sizes only, never of the thread count.
struct Chunking {
  int64_t total, size, count;
  int64_t begin(int64_t i) const { return i * size; }
  int64_t end(int64_t i) const { return i * size + size < total ? i * size + size : total; }
};
constexpr int64_t MAX_CHUNKS = 64;
Chunking chunking(int64_t total, int64_t grain, int64_t align = 1, int64_t maxChunks = MAX_CHUNKS);

}  // namespace vjepa

// The thread pool of pool.h. One region at a time: its chunks are claimed through one 64-bit atomic
// holding the region's number (high half) and the next chunk (low half), so a worker that wakes late
// can never claim a chunk of a later region with an earlier region's body. The caller waits for the
// chunks that were claimed, not for the workers: a worker that never woke is not waited for.
#include "pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace vjepa {
namespace {

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls before blocking: ~a few microseconds, enough to catch the next kernel of a burst, short enough
// to give the core back at once to a competing process.
constexpr int SPIN = 2000;

thread_local bool inRegion = false;

class Pool {
 public:
  int size() const { return size_.load(std::memory_order_relaxed); }

  int resize(int threads) {
    std::lock_guard<std::mutex> region(regionMutex_);
    threads = std::max(1, threads);
    if (threads == size()) return threads;
    stopWorkers();
    size_.store(threads, std::memory_order_relaxed);
    for (int i = 1; i < threads; i++) workers_.emplace_back([this] { work(); });
    return threads;
  }

  void run(int64_t count, ChunkBody body, void* context) {
    if (count <= 0) return;
    std::unique_lock<std::mutex> region(regionMutex_, std::try_to_lock);
    if (count == 1 || size() == 1 || inRegion || !region.owns_lock()) {
      for (int64_t i = 0; i < count; i++) body(context, i);
      return;
    }
    uint64_t number;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      number = ++region_;
      body_ = body;
      context_ = context;
      count_ = count;
      done_.store(0, std::memory_order_relaxed);
      state_.store(number << 32, std::memory_order_release);
    }
    wake_.notify_all();
    inRegion = true;
    claim(number, count, body, context);
    inRegion = false;
    // Wait for the chunks the workers claimed: a short spin, then blocked until the last one finishes.
    for (int spin = 0; spin < SPIN && done_.load(std::memory_order_acquire) < count; spin++) relax();
    if (done_.load(std::memory_order_acquire) < count) {
      std::unique_lock<std::mutex> lock(mutex_);
      finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) >= count; });
    }
  }

 private:
  // Claims and runs chunks of region `number` until none is left, counting each in done_; the thread
  // that completes the last one wakes the caller.
  void claim(uint64_t number, int64_t count, ChunkBody body, void* context) {
    uint64_t state = state_.load(std::memory_order_acquire);
    for (;;) {
      if (state >> 32 != number || (int64_t)(state & 0xffffffffu) >= count) return;
      if (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) continue;
      body(context, (int64_t)(state & 0xffffffffu));
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == count) {
        { std::lock_guard<std::mutex> lock(mutex_); }
        finished_.notify_all();
      }
      state = state_.load(std::memory_order_acquire);
    }
  }

  void work() {
    inRegion = true;  // a worker's chunks never split further
    uint64_t seen = 0;
    for (;;) {
      for (int spin = 0; spin < SPIN && (state_.load(std::memory_order_acquire) >> 32) == seen && !stop_; spin++) relax();
      uint64_t number;
      ChunkBody body;
      void* context;
      int64_t count;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || region_ != seen; });
        if (stop_) return;
        number = seen = region_;
        body = body_;
        context = context_;
        count = count_;
      }
      claim(number, count, body, context);
    }
  }

  void stopWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
    stop_ = false;
  }

  std::mutex regionMutex_;  // one region at a time (another JS thread's call runs inline)
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  std::vector<std::thread> workers_;
  std::atomic<int> size_{1};
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> done_{0};
  uint64_t region_ = 0;
  ChunkBody body_ = nullptr;
  void* context_ = nullptr;
  int64_t count_ = 0;
  std::atomic<bool> stop_{false};
};

// Never destroyed: the workers end with the process, so no exit-time join can wait on anything.
Pool& pool() {
  static Pool* instance = new Pool();
  return *instance;
}

}  // namespace

int setPoolThreads(int threads) { return pool().resize(threads); }
int poolThreads() { return pool().size(); }
bool inParallelRegion() { return inRegion; }
void parallelChunks(int64_t count, ChunkBody body, void* context) { pool().run(count, body, context); }

int defaultPoolThreads() {
  int cpus = (int)std::thread::hardware_concurrency();
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = CPU_COUNT(&set);
#endif
  return std::max(1, std::min(cpus, MAX_DEFAULT_THREADS));
}

Chunking chunking(int64_t total, int64_t grain, int64_t align, int64_t maxChunks) {
  grain = std::max<int64_t>(1, grain);
  int64_t size = std::max(grain, (total + maxChunks - 1) / maxChunks);
  size = (size + align - 1) / align * align;
  return {total, size, total <= 0 ? 0 : (total + size - 1) / size};
}

}  // namespace vjepa

// The thread pool of pool.h. One region at a time: its chunks are claimed through one 64-bit atomic
// holding the region's number (high half) and the next chunk (low half), so a worker that wakes late
// can never claim a chunk of a later region with an earlier region's body. The caller waits for the
// chunks that were claimed, not for the workers: a worker that never woke is not waited for.
//
// Under a competing process the workers can cost more than they give: a worker descheduled in the
// middle of a chunk makes the caller wait a time slice, and one that wakes late leaves the region to the
// caller. So every split region is judged by what it gained, and while the gain stays poor the pool runs
// inline (as one thread would) for a back-off period, then tries again (see Adaptive below).
#include "pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
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

using Clock = std::chrono::steady_clock;
inline double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Whether splitting pays, judged on the regions run split. A region's gain is the time it would have taken
// on the caller alone (the caller's own share of the time, scaled by the chunks: count / caller's chunks)
// over the time it took. Undisturbed, two threads gain ~1.8; a stalled or late worker gives ~1 or less.
// The gains are averaged over the last ~WINDOW seconds of split regions; when the average falls below
// MIN_GAIN the pool runs inline for a back-off (doubling while the gain stays poor, up to MAX_BACKOFF),
// then splits again with the average reset; the back-off returns to its minimum only after GOOD_TIME
// seconds of split regions without one. Only the caller's thread touches this.
class Adaptive {
 public:
  static constexpr double WINDOW = 0.004, MIN_GAIN = 1.15, START_GAIN = 1.5;
  static constexpr double MIN_BACKOFF = 0.010, MAX_BACKOFF = 0.640, GOOD_TIME = 0.100;

  bool split(Clock::time_point now) {
    if (now < inlineUntil_) {
      inlineRegions_++;
      return false;
    }
    return true;
  }

  void record(double gain, double took, Clock::time_point now) {
    const double weight = took / (took + WINDOW);
    average_ += weight * (gain - average_);
    if (average_ >= MIN_GAIN) {
      goodTime_ += took;
      if (goodTime_ >= GOOD_TIME) backoff_ = MIN_BACKOFF;
      return;
    }
    goodTime_ = 0;
    inlineUntil_ = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(backoff_));
    backoff_ = std::min(MAX_BACKOFF, backoff_ * 2);
    average_ = START_GAIN;
    backoffs_++;
  }

  void reset() {
    average_ = START_GAIN;
    backoff_ = MIN_BACKOFF;
    goodTime_ = 0;
    inlineUntil_ = Clock::time_point();
  }

  uint64_t backoffs() const { return backoffs_; }
  uint64_t inlineRegions() const { return inlineRegions_; }

 private:
  double average_ = START_GAIN;
  double backoff_ = MIN_BACKOFF;
  double goodTime_ = 0;
  Clock::time_point inlineUntil_;
  uint64_t backoffs_ = 0, inlineRegions_ = 0;
};

class Pool {
 public:
  int size() const { return size_.load(std::memory_order_relaxed); }

  int resize(int threads) {
    std::lock_guard<std::mutex> region(regionMutex_);
    threads = std::max(1, threads);
    if (threads == size()) return threads;
    stopWorkers();
    // what was learned at a size holds when the pool comes back to it (1 thread judges nothing)
    if (threads > 1 && threads != judged_) adaptive_.reset();
    if (threads > 1) judged_ = threads;
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
    const Clock::time_point start = Clock::now();
    if (!adaptive_.split(start)) {
      runLazily(count, body, context, start);
      return;
    }
    const uint64_t number = publish(count, body, context, 0);
    inRegion = true;
    const int64_t own = claim(number, count, body, context);
    inRegion = false;
    const Clock::time_point ownDone = Clock::now();
    waitFor(count);
    const Clock::time_point end = Clock::now();
    const double took = seconds(start, end);
    if (own > 0 && took > 0) adaptive_.record(seconds(start, ownDone) * (double)count / (double)own / took, took, end);
    else if (took > 0) adaptive_.record(1.0, took, end);  // the workers ran every chunk: the caller was away, as if inline
  }

  uint64_t backoffs() {
    std::lock_guard<std::mutex> region(regionMutex_);
    return adaptive_.backoffs();
  }
  uint64_t inlineRegions() {
    std::lock_guard<std::mutex> region(regionMutex_);
    return adaptive_.inlineRegions();
  }

 private:
  // During a back-off: the caller runs the chunks in order, and only when the region proves long (LAZY
  // seconds and at least two chunks left, so a stalled worker costs little beside it) hands the rest to
  // the pool. Not judged: the back-off is about the short regions.
  static constexpr double LAZY = 0.002;
  void runLazily(int64_t count, ChunkBody body, void* context, Clock::time_point start) {
    int64_t i = 0;
    for (; i < count; i++) {
      if (count - i >= 2 && i > 0 && seconds(start, Clock::now()) >= LAZY) break;
      body(context, i);
    }
    if (i == count) return;
    const uint64_t number = publish(count, body, context, i);
    inRegion = true;
    claim(number, count, body, context);
    inRegion = false;
    waitFor(count);
  }

  // Opens region number ++region_ with chunks [first, count) and wakes the workers; returns its number.
  uint64_t publish(int64_t count, ChunkBody body, void* context, int64_t first) {
    uint64_t number;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      number = ++region_;
      body_ = body;
      context_ = context;
      count_ = count;
      done_.store(first, std::memory_order_relaxed);
      state_.store(number << 32 | (uint64_t)first, std::memory_order_release);
    }
    wake_.notify_all();
    return number;
  }

  // Waits until every chunk of the open region has run: a short spin, then blocked until the last one
  // finishes (the chunks the workers claimed; a worker that never woke is not waited for).
  void waitFor(int64_t count) {
    for (int spin = 0; spin < SPIN && done_.load(std::memory_order_acquire) < count; spin++) relax();
    if (done_.load(std::memory_order_acquire) < count) {
      std::unique_lock<std::mutex> lock(mutex_);
      finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) >= count; });
    }
  }

  // Claims and runs chunks of region `number` until none is left, counting each in done_; the thread
  // that completes the last one wakes the caller. Returns how many chunks this thread ran.
  int64_t claim(uint64_t number, int64_t count, ChunkBody body, void* context) {
    uint64_t state = state_.load(std::memory_order_acquire);
    for (int64_t ran = 0;;) {
      if (state >> 32 != number || (int64_t)(state & 0xffffffffu) >= count) return ran;
      if (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) continue;
      body(context, (int64_t)(state & 0xffffffffu));
      ran++;
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

  Adaptive adaptive_;       // guarded by regionMutex_
  int judged_ = 0;          // the pool size adaptive_ judged
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
uint64_t poolBackoffs() { return pool().backoffs(); }
uint64_t poolInlineRegions() { return pool().inlineRegions(); }
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

// A small fixed thread pool with fork-join helpers.
//
// parallel_for may be called from inside a task: the calling thread runs
// queued work while it waits, so nested use cannot deadlock. It asks only
// idle workers for help: a helper queued while every worker is busy would
// find the work done by the time it ran, and in a check over many packs
// (each pack's files a parallel_for inside the packs' one) such helpers
// piled up by the thousand, holding memory until the last pack.
//
//   ThreadPool pool(4);
//   parallel_for(pool, items.size(), [&](std::size_t i) { work(items[i]); });
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mplp {

class ThreadPool {
 public:
  explicit ThreadPool(unsigned threads);  // 0 or 1: everything runs on the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> task);
  // Runs one queued task on the calling thread; false when the queue is empty.
  bool run_one();
  unsigned size() const { return static_cast<unsigned>(workers_.size()); }
  // Workers neither running a task nor about to take a queued one.
  unsigned idle();
  // Tasks queued so far: tests count them.
  std::size_t submitted();

 private:
  void work();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> workers_;
  std::size_t busy_ = 0;  // workers running a task
  std::size_t submitted_ = 0;
  bool stop_ = false;
};

// Calls fn(i) for i in [0, n), spread over the pool; returns when all are done.
// Exceptions from fn are rethrown (the first one) after all calls finished.
void parallel_for(ThreadPool& pool, std::size_t n, const std::function<void(std::size_t)>& fn);

}  // namespace mplp

#include "core/thread_pool.h"

#include <atomic>
#include <exception>
#include <memory>

namespace mplp {

ThreadPool::ThreadPool(unsigned threads) {
  if (threads <= 1) return;
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::submit(std::function<void()> task) {
  if (workers_.empty()) {
    task();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
    ++submitted_;
  }
  cv_.notify_one();
}

bool ThreadPool::run_one() {
  std::function<void()> task;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) return false;
    task = std::move(queue_.front());
    queue_.pop_front();
  }
  task();
  return true;
}

void ThreadPool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    task();
    std::lock_guard<std::mutex> lock(mu_);
    --busy_;
  }
}

std::size_t ThreadPool::submitted() {
  std::lock_guard<std::mutex> lock(mu_);
  return submitted_;
}

unsigned ThreadPool::idle() {
  std::lock_guard<std::mutex> lock(mu_);
  const std::size_t taken = busy_ + queue_.size();
  return taken >= workers_.size() ? 0 : static_cast<unsigned>(workers_.size() - taken);
}

void parallel_for(ThreadPool& pool, std::size_t n, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  if (pool.size() == 0 || n == 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  struct State {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::mutex mu;
    std::condition_variable cv;
    std::exception_ptr error;
  };
  auto state = std::make_shared<State>();
  // Each runner claims indices until none are left; the caller is one runner.
  auto runner = [state, n, &fn] {
    for (;;) {
      std::size_t i = state->next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(state->mu);
        if (!state->error) state->error = std::current_exception();
      }
      if (state->done.fetch_add(1) + 1 == n) {
        std::lock_guard<std::mutex> lock(state->mu);
        state->cv.notify_all();
      }
    }
  };
  std::size_t helpers = std::min<std::size_t>(pool.idle(), n - 1);
  for (std::size_t h = 0; h < helpers; ++h) pool.submit(runner);
  runner();
  // Our indices are all claimed; help with other queued work until the
  // claimed ones finish, so nested parallel_for never starves.
  while (state->done.load() < n) {
    if (pool.run_one()) continue;
    std::unique_lock<std::mutex> lock(state->mu);
    state->cv.wait_for(lock, std::chrono::milliseconds(2), [&] { return state->done.load() >= n; });
  }
  if (state->error) std::rethrow_exception(state->error);
}

}  // namespace mplp

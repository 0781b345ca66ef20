// ThreadPool and parallel_for (core/thread_pool.h): every index runs once,
// nested loops finish, and a loop asks only idle workers for help, so that
// a check over many packs (each pack's files a loop inside the packs' loop)
// does not queue helpers that would wait, by the thousand, for workers busy
// with other packs.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/thread_pool.h"

namespace mplp {
namespace {

TEST(ThreadPool, EveryIndexRunsOnceInNestedLoops) {
  ThreadPool pool(2);
  constexpr std::size_t kOuter = 300, kInner = 7;
  std::vector<std::atomic<int>> ran(kOuter * kInner);
  parallel_for(pool, kOuter, [&](std::size_t i) {
    parallel_for(pool, kInner, [&](std::size_t j) { ran[i * kInner + j].fetch_add(1); });
  });
  for (std::size_t k = 0; k < ran.size(); ++k) ASSERT_EQ(ran[k].load(), 1) << k;
}

TEST(ThreadPool, ALoopInsideBusyWorkersQueuesNoHelpers) {
  ThreadPool pool(2);
  constexpr std::size_t kOuter = 400;
  std::atomic<std::size_t> sum{0};
  parallel_for(pool, kOuter, [&](std::size_t i) {
    parallel_for(pool, 3, [&](std::size_t j) { sum.fetch_add(i + j); });
  });
  EXPECT_EQ(sum.load(), 3 * (kOuter * (kOuter - 1) / 2) + kOuter * 3);
  // The outer loop asks both workers; an inner loop asks only a worker that
  // is idle, which happens only as the outer loop ends. Asking every time
  // queued two helpers per outer index.
  EXPECT_LT(pool.submitted(), 40u);
}

TEST(ThreadPool, IdleWorkersAreAskedForHelp) {
  ThreadPool pool(2);
  EXPECT_EQ(pool.idle(), 2u);
  std::atomic<int> ran{0};
  parallel_for(pool, 50, [&](std::size_t) { ran.fetch_add(1); });
  EXPECT_EQ(ran.load(), 50);
  EXPECT_GE(pool.submitted(), 1u);
}

TEST(ThreadPool, TheFirstExceptionIsRethrownAfterEveryIndexRan) {
  ThreadPool pool(2);
  std::atomic<int> ran{0};
  EXPECT_THROW(parallel_for(pool, 100,
                            [&](std::size_t i) {
                              ran.fetch_add(1);
                              if (i % 10 == 3) throw std::runtime_error("index " + std::to_string(i));
                            }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 100);
}

TEST(ThreadPool, WithoutWorkersTheCallerRunsEverything) {
  ThreadPool pool(1);
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(pool.idle(), 0u);
  std::vector<int> order;
  parallel_for(pool, 5, [&](std::size_t i) { order.push_back(static_cast<int>(i)); });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(pool.submitted(), 0u);
}

}  // namespace
}  // namespace mplp

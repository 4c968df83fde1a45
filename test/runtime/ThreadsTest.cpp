// Unit tests of edgert_parallel_for and the pthread pool of edgert_threads:
// every iteration runs exactly once, on disjoint ranges, for any count and
// worker count, job after job; a custom parallel_for is called as
// documented.
#include "edgert.h"
#include "edgert_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

struct Hits {
  std::vector<std::atomic<int>> counts;
  std::atomic<int> calls{0};
  explicit Hits(size_t n) : counts(n) {}
};

void countRange(void *context, int64_t begin, int64_t end) {
  auto *hits = static_cast<Hits *>(context);
  ++hits->calls;
  for (int64_t i = begin; i < end; ++i)
    ++hits->counts[size_t(i)];
}

void expectEachOnce(const Hits &hits) {
  for (size_t i = 0; i < hits.counts.size(); ++i)
    EXPECT_EQ(hits.counts[i].load(), 1) << "iteration " << i;
}

TEST(ParallelFor, SerialByDefault) {
  edgert_set_parallel_for(nullptr, nullptr);
  Hits hits(37);
  edgert_parallel_for(37, countRange, &hits);
  expectEachOnce(hits);
  EXPECT_EQ(hits.calls.load(), 1); // one range, [0, 37)
  Hits none(1);
  edgert_parallel_for(0, countRange, &none);
  edgert_parallel_for(-3, countRange, &none);
  EXPECT_EQ(none.calls.load(), 0);
}

struct Recorded {
  void *user = nullptr;
  int64_t count = 0;
  int calls = 0;
};

// A custom parallel_for: records its arguments and runs the task in two
// halves, in reverse order.
void halves(void *user, int64_t count, edgert_task_fn_t task, void *context) {
  auto *r = static_cast<Recorded *>(user);
  r->user = user;
  r->count = count;
  ++r->calls;
  task(context, count / 2, count);
  task(context, 0, count / 2);
}

TEST(ParallelFor, CallsTheInstalledFunction) {
  Recorded recorded;
  edgert_set_parallel_for(halves, &recorded);
  Hits hits(10);
  edgert_parallel_for(10, countRange, &hits);
  expectEachOnce(hits);
  EXPECT_EQ(recorded.calls, 1);
  EXPECT_EQ(recorded.count, 10);
  EXPECT_EQ(recorded.user, &recorded);
  // A single iteration is not worth a dispatch.
  Hits one(1);
  edgert_parallel_for(1, countRange, &one);
  expectEachOnce(one);
  EXPECT_EQ(recorded.calls, 1);
  edgert_set_parallel_for(nullptr, nullptr);
}

TEST(ThreadPool, RejectsBadArguments) {
  edgert_thread_pool_t pool;
  EXPECT_EQ(edgert_thread_pool_start(nullptr, 2), EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(edgert_thread_pool_start(&pool, 0), EDGERT_ERR_UNSUPPORTED);
  EXPECT_EQ(edgert_thread_pool_start(&pool, EDGERT_THREADS_MAX + 1),
            EDGERT_ERR_UNSUPPORTED);
  edgert_thread_pool_stop(nullptr); // no effect
}

// Many jobs of many sizes through pools of 1 to 5 workers: each iteration
// once per job, ranges disjoint, and the work really spread over threads.
TEST(ThreadPool, EveryIterationOnceJobAfterJob) {
  for (int32_t workers = 1; workers <= 5; ++workers) {
    edgert_thread_pool_t pool;
    ASSERT_EQ(edgert_thread_pool_start(&pool, workers), EDGERT_OK);
    edgert_set_parallel_for(edgert_thread_pool_parallel_for, &pool);
    for (int64_t count : {1, 2, 3, 4, 5, 7, 64, 113, 1000}) {
      for (int job = 0; job < 20; ++job) {
        Hits hits{static_cast<size_t>(count)};
        edgert_parallel_for(count, countRange, &hits);
        expectEachOnce(hits);
        // One range per worker that has iterations to run.
        EXPECT_EQ(hits.calls.load(),
                  count == 1 ? 1 : std::min<int64_t>(workers, count));
      }
    }
    edgert_set_parallel_for(nullptr, nullptr);
    edgert_thread_pool_stop(&pool);
  }
}

std::mutex idsMutex;
std::set<std::thread::id> ids;

void recordThread(void *, int64_t, int64_t) {
  std::lock_guard<std::mutex> lock(idsMutex);
  ids.insert(std::this_thread::get_id());
}

TEST(ThreadPool, RunsOnItsThreadsAndRestarts) {
  edgert_thread_pool_t pool;
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(edgert_thread_pool_start(&pool, 3), EDGERT_OK);
    ids.clear();
    edgert_thread_pool_parallel_for(&pool, 3, recordThread, nullptr);
    EXPECT_EQ(ids.size(), 3u); // the caller and two workers
    EXPECT_TRUE(ids.count(std::this_thread::get_id()));
    edgert_thread_pool_stop(&pool);
  }
}

// Workers that slept (after their spin) wake up for the next job.
TEST(ThreadPool, WakesSleepingWorkers) {
  edgert_thread_pool_t pool;
  ASSERT_EQ(edgert_thread_pool_start(&pool, 2), EDGERT_OK);
  for (int job = 0; job < 3; ++job) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Hits hits(100);
    edgert_thread_pool_parallel_for(&pool, 100, countRange, &hits);
    expectEachOnce(hits);
    EXPECT_EQ(hits.calls.load(), 2);
  }
  edgert_thread_pool_stop(&pool);
}

} // namespace

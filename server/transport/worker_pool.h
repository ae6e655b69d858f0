// WorkerPool: a fixed set of threads that run calls (parsing, the dispatcher, PostgreSQL,
// serialising), so the I/O thread never blocks. Idle connections and parked requests cost no
// worker: a job is queued only when a whole request has been read.
//
// Thread-safety: Post() from any thread; Stop() once, from the thread that owns the pool. Jobs
// must not throw (the transport wraps each one).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace omni {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool() { Stop(); }
  void Post(std::function<void()> job);
  // Runs the jobs already queued, then joins the threads.
  void Stop();

 private:
  void Loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace omni

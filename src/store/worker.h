// Runs queued jobs: handlers registered by kind, N threads claiming from the database.
//
//   store::Worker worker(db, {.worker_id = "web-1", .threads = 2});
//   worker.handle("mail.send", [&](const store::Job& job) -> Result<void> { ... });
//   worker.start();
//   ...
//   worker.stop();   // SIGTERM: stops claiming, waits for running handlers to finish
//
// Each thread claims a job, runs its handler and records complete/fail; when nothing is due
// it sleeps for poll_interval or until an in-process enqueue() commits (JobSignal). A job of a
// kind with no handler fails (and is retried: another process may have the handler).
// A handler that throws is treated as failed. Handlers should finish within the lease; a
// worker whose lease expired loses the job to another worker (its result is dropped).
// Several Worker objects, in one or many processes, may share a database: claims are atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "store/jobs.h"

namespace koban::store {

struct WorkerOptions {
  std::string worker_id{};  // unique per process, e.g. "host:pid"; generated when empty
  int threads = 2;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::seconds lease{300};
  const Clock* clock = nullptr;  // SystemClock when null
};

using JobHandler = std::function<Result<void>(const Job&)>;

class Worker {
 public:
  Worker(Database& db, WorkerOptions options);
  ~Worker();  // stops and joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Register before start().
  void handle(std::string kind, JobHandler handler);
  void start();
  // Stops claiming, lets running handlers finish, joins the threads. Idempotent.
  void stop();

  // Claims and runs at most one job on the calling thread; true if one ran. For tests and
  // `koban worker --once`.
  Result<bool> run_once();

  const std::string& worker_id() const { return options_.worker_id; }
  // The last error the polling loop met (database unavailable ...), for logs and /healthz.
  std::string last_loop_error() const;

 private:
  void loop();

  Database& db_;
  WorkerOptions options_;
  SystemClock system_clock_;
  std::map<std::string, JobHandler> handlers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex err_mu_;
  std::string last_error_;
};

}  // namespace koban::store

#include "store/worker.h"

#include <unistd.h>

#include <exception>

namespace koban::store {

Worker::Worker(Database& db, WorkerOptions options) : db_(db), options_(std::move(options)) {
  if (options_.worker_id.empty()) {
    static std::atomic<int> seq{0};
    options_.worker_id = local_host_name() + ":" + std::to_string(getpid()) + ":" +
                         std::to_string(++seq);
  }
  if (options_.threads < 1) options_.threads = 1;
  if (!options_.clock) options_.clock = &system_clock_;
}

Worker::~Worker() { stop(); }

void Worker::handle(std::string kind, JobHandler handler) {
  handlers_[std::move(kind)] = std::move(handler);
}

void Worker::start() {
  if (!threads_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { loop(); });
}

void Worker::stop() {
  stopping_ = true;
  JobSignal::instance().notify();  // wake sleeping threads so that they see stopping_
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

std::string Worker::last_loop_error() const {
  std::lock_guard lock(err_mu_);
  return last_error_;
}

Result<bool> Worker::run_once() {
  KOBAN_ASSIGN(auto job, claim(db_, options_.worker_id, options_.clock->now(), options_.lease));
  if (!job) return false;
  Result<void> r;
  auto it = handlers_.find(job->kind);
  if (it == handlers_.end()) {
    r = Error::internal("no handler for job kind " + job->kind);
  } else {
    try {
      r = it->second(*job);
    } catch (const std::exception& e) {
      r = Error::internal(std::string("handler threw: ") + e.what());
    } catch (...) {
      r = Error::internal("handler threw");
    }
  }
  const Instant now = options_.clock->now();
  if (r) {
    KOBAN_TRY(complete(db_, *job, now));
  } else {
    KOBAN_TRY(fail(db_, *job, std::string(to_string(r.error().code)) + ": " + r.error().message, now));
  }
  return true;
}

void Worker::loop() {
  auto& signal = JobSignal::instance();
  while (!stopping_) {
    const std::uint64_t seen = signal.generation();
    auto r = run_once();
    if (r && *r) continue;  // there may be more due: claim again at once
    if (!r) {
      std::lock_guard lock(err_mu_);
      last_error_ = r.error().message;
    }
    if (stopping_) break;
    signal.wait(seen, options_.poll_interval);
  }
}

}  // namespace koban::store

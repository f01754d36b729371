// Internal to the store backends: what SQLite and PostgreSQL sessions share — after-commit
// hooks, and nested write() on the same thread joining the outer transaction by a SAVEPOINT.
//
//   if (auto* outer = detail::active_write(this)) return detail::run_nested(*outer, fn);
//   TxSession s(...); detail::ActiveWriteScope scope(this, &s); ... commit ...; s.run_hooks();
#pragma once

#include <functional>
#include <vector>

#include "store/database.h"

namespace koban::store::detail {

class TxSession : public Session {
 public:
  void after_commit(std::function<void()> fn) override {
    if (in_write_) hooks_.push_back(std::move(fn));
    else fn();
  }
  // Called by the backend once COMMIT succeeded; hooks must not throw out of here.
  void run_hooks();
  void drop_hooks() { hooks_.clear(); }
  std::size_t hook_count() const { return hooks_.size(); }
  void truncate_hooks(std::size_t n) { hooks_.resize(n); }

 protected:
  bool in_write_ = false;
  std::vector<std::function<void()>> hooks_;
};

// The write session this thread has open on db, or nullptr.
TxSession* active_write(const void* db);

// Marks s as the thread's open write session on db for the scope's lifetime.
class ActiveWriteScope {
 public:
  ActiveWriteScope(const void* db, TxSession* s);
  ~ActiveWriteScope();
  ActiveWriteScope(const ActiveWriteScope&) = delete;
  ActiveWriteScope& operator=(const ActiveWriteScope&) = delete;

 private:
  const void* db_;
};

// Runs fn inside the outer transaction between SAVEPOINT and RELEASE; on failure rolls back
// to the savepoint (and forgets hooks fn registered) and returns fn's error.
Result<void> run_nested(TxSession& outer, const std::function<Result<void>(Session&)>& fn);

}  // namespace koban::store::detail

#include "store/transaction_session.h"

#include <exception>
#include <string>
#include <utility>

namespace koban::store::detail {
namespace {
struct Active {
  const void* db;
  TxSession* session;
  int depth;  // savepoint nesting, for unique savepoint names
};
thread_local std::vector<Active> t_active;
}  // namespace

void TxSession::run_hooks() {
  auto hooks = std::move(hooks_);
  hooks_.clear();
  for (auto& h : hooks) {
    try {
      h();
    } catch (...) {
      // A hook is a notification; its failure must not turn a committed write into an error.
    }
  }
}

TxSession* active_write(const void* db) {
  for (auto& a : t_active)
    if (a.db == db) return a.session;
  return nullptr;
}

ActiveWriteScope::ActiveWriteScope(const void* db, TxSession* s) : db_(db) {
  t_active.push_back({db, s, 0});
}

ActiveWriteScope::~ActiveWriteScope() {
  for (auto it = t_active.begin(); it != t_active.end(); ++it) {
    if (it->db == db_) {
      t_active.erase(it);
      break;
    }
  }
}

Result<void> run_nested(TxSession& outer, const std::function<Result<void>(Session&)>& fn) {
  int depth = 0;
  for (auto& a : t_active)
    if (a.session == &outer) depth = ++a.depth;
  struct Pop {
    TxSession* s;
    ~Pop() {
      for (auto& a : t_active)
        if (a.session == s) --a.depth;
    }
  } pop{&outer};
  const std::string name = "koban_sp" + std::to_string(depth);
  KOBAN_TRY(outer.exec_script("SAVEPOINT " + name));
  const std::size_t hooks_before = outer.hook_count();
  Result<void> r;
  try {
    r = fn(outer);
  } catch (const std::exception& e) {
    r = Error::internal(std::string("exception in nested write: ") + e.what());
  }
  if (r) {
    KOBAN_TRY(outer.exec_script("RELEASE SAVEPOINT " + name));
    return ok();
  }
  outer.truncate_hooks(hooks_before);
  auto rb = outer.exec_script("ROLLBACK TO SAVEPOINT " + name + "; RELEASE SAVEPOINT " + name);
  (void)rb;  // the outer transaction will surface any lasting failure on its own
  return r;
}

}  // namespace koban::store::detail

// Result<T>: a value or an Error. Used everywhere inside koban instead of exceptions;
// exceptions are caught only at the edges (HTTP handler boundary, CLI main).
//
//   Result<int> parse(std::string_view s);
//   auto r = parse("12");
//   if (!r) return r.error();          // propagate
//   int v = *r;
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace koban {

// What went wrong, in terms the caller can act on. The HTTP layer maps these to statuses.
enum class ErrorCode {
  invalid_argument,   // bad input from a person or a client: 400 / 422
  not_found,          // 404
  conflict,           // duplicate, stale version: 409
  permission_denied,  // 403
  unauthenticated,    // 401
  too_large,          // 413
  rate_limited,       // 429
  unavailable,        // database full or read-only, peer down: 503 (retry later)
  timeout,            // 504 / retry
  internal,           // a bug or an unexpected failure: 500
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // for people: Japanese when it is shown to users, English in logs is fine

  static Error invalid(std::string m) { return {ErrorCode::invalid_argument, std::move(m)}; }
  static Error not_found(std::string m) { return {ErrorCode::not_found, std::move(m)}; }
  static Error conflict(std::string m) { return {ErrorCode::conflict, std::move(m)}; }
  static Error denied(std::string m) { return {ErrorCode::permission_denied, std::move(m)}; }
  static Error unavailable(std::string m) { return {ErrorCode::unavailable, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::internal, std::move(m)}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}          // NOLINT
  template <class U>
    requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::decay_t<U>, Error>) &&
             (!std::is_same_v<std::decay_t<U>, Result>)
  Result(U&& value) : v_(T(std::forward<U>(value))) {}   // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  T value_or(T fallback) const { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace koban

// Propagates an error from an expression returning Result<...>.
#define KOBAN_TRY(expr)                          \
  do {                                           \
    auto&& koban_try_r_ = (expr);                \
    if (!koban_try_r_) return koban_try_r_.error(); \
  } while (0)

#define KOBAN_CONCAT_INNER_(a, b) a##b
#define KOBAN_CONCAT_(a, b) KOBAN_CONCAT_INNER_(a, b)
// KOBAN_ASSIGN(auto x, f()): declares x from a Result's value or returns its error.
#define KOBAN_ASSIGN(decl, expr) KOBAN_ASSIGN_IMPL_(KOBAN_CONCAT_(koban_r_, __LINE__), decl, expr)
#define KOBAN_ASSIGN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                        \
  if (!tmp) return tmp.error();             \
  decl = std::move(tmp).value()

// Row accessors, the URL-ish configuration parser and Database::open (backend choice).
#include "store/database.h"

#include <charconv>
#include <cmath>

#include "store/postgres_database.h"
#include "store/sqlite_database.h"

namespace koban::store {

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<Null>(values_.at(i));
}

std::int64_t Row::int64(std::size_t i) const {
  const Value& v = values_.at(i);
  if (auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (auto* d = std::get_if<double>(&v)) {
    // Out-of-range doubles would be undefined behaviour in a cast.
    if (!std::isfinite(*d) || *d >= 9.2e18 || *d <= -9.2e18) return 0;
    return static_cast<std::int64_t>(*d);
  }
  if (auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double Row::real(std::size_t i) const {
  const Value& v = values_.at(i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

std::string Row::text(std::size_t i) const {
  const Value& v = values_.at(i);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* b = std::get_if<Blob>(&v)) return b->bytes;
  if (auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, r.ptr);
  }
  return "";
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<std::int64_t> Row::opt_int64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return int64(i);
}

Result<DatabaseConfig> parse_database_url(std::string_view url) {
  DatabaseConfig c;
  auto starts = [&](std::string_view p) { return url.substr(0, p.size()) == p; };
  if (starts("sqlite:")) {
    std::string_view path = url.substr(7);
    if (path.substr(0, 2) == "//") path.remove_prefix(2);  // sqlite:///abs → /abs
    if (path.empty()) return Error::invalid("データベースの指定が不正です: sqlite のパスがありません");
    c.backend = Backend::sqlite;
    c.sqlite_path = std::string(path);
    return c;
  }
  if (starts("postgres://") || starts("postgresql://")) {
    c.backend = Backend::postgres;
    c.postgres_conninfo = std::string(url);  // libpq understands URIs itself
    return c;
  }
  if (starts("postgresql:") || starts("postgres:")) {
    c.backend = Backend::postgres;
    c.postgres_conninfo = std::string(url.substr(url.find(':') + 1));
    if (c.postgres_conninfo.empty())
      return Error::invalid("データベースの指定が不正です: PostgreSQL の接続情報がありません");
    return c;
  }
  return Error::invalid(
      "データベースの指定が不正です（sqlite:/path/koban.db または postgresql://... の形式）");
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseConfig& config) {
  switch (config.backend) {
    case Backend::sqlite: return open_sqlite(config);
    case Backend::postgres: return open_postgres(config);
  }
  return Error::invalid("unknown database backend");
}

}  // namespace koban::store

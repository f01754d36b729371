#include "audit/search.h"

#include <algorithm>

#include "audit/audit_log.h"

namespace koban::audit {
namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

// LIKE pattern matching s literally as a prefix ('!' is the escape character).
std::string like_prefix(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '!') out.push_back('!');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

Result<void> check_filter(const Filter& f) {
  for (const std::string* t : {&f.action_prefix, &f.object_type, &f.object_id, &f.text})
    if (t->size() > kMaxFilterTextBytes)
      return Error::invalid("検索条件が長すぎます（" + std::to_string(kMaxFilterTextBytes) +
                            " バイトまで）。");
  return ok();
}

// The WHERE clause for f (fixed SQL fragments only) and its parameters.
struct Where {
  std::string sql;
  std::vector<store::Value> params;
};

Where build_where(const Filter& f, store::Backend backend, std::optional<std::int64_t> before_seq) {
  Where w;
  auto add = [&](const char* clause) { w.sql += w.sql.empty() ? " WHERE " : " AND "; w.sql += clause; };
  if (before_seq) add("seq < ?"), w.params.push_back(*before_seq);
  if (f.from) add("at >= ?"), w.params.push_back(to_unix(*f.from));
  if (f.to) add("at < ?"), w.params.push_back(to_unix(*f.to));
  if (f.actor_id) add("actor_id = ?"), w.params.push_back(*f.actor_id);
  if (f.unit_id) add("unit_id = ?"), w.params.push_back(*f.unit_id);
  // Actions are lower-case ASCII; lowering the prefix makes SQLite's case-insensitive LIKE and
  // PostgreSQL's case-sensitive one agree.
  if (!f.action_prefix.empty())
    add("action LIKE ? ESCAPE '!'"), w.params.push_back(like_prefix(ascii_lower(f.action_prefix)));
  if (!f.object_type.empty()) add("object_type = ?"), w.params.push_back(f.object_type);
  if (!f.object_id.empty()) add("object_id = ?"), w.params.push_back(f.object_id);
  if (f.outcome) add("outcome = ?"), w.params.push_back(std::string(to_string(*f.outcome)));
  if (!f.text.empty()) {
    add(backend == store::Backend::postgres
            ? "(strpos(summary, ?) > 0 OR strpos(actor_name, ?) > 0 OR strpos(object_id, ?) > 0)"
            : "(instr(summary, ?) > 0 OR instr(actor_name, ?) > 0 OR instr(object_id, ?) > 0)");
    for (int i = 0; i < 3; ++i) w.params.push_back(f.text);
  }
  return w;
}

Result<SearchPage> search_in(store::Session& s, const Filter& f, std::optional<std::int64_t> before,
                             int limit) {
  Where w = build_where(f, s.backend(), before);
  const std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit_log" + w.sql +
                          " ORDER BY seq DESC LIMIT ?";
  w.params.push_back(std::int64_t{limit} + 1);  // one more tells whether an older page exists
  KOBAN_ASSIGN(auto rows, s.query_values(sql, w.params));
  SearchPage page;
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i)
    page.records.push_back(record_from_row(rows[i]));
  if (rows.size() > static_cast<std::size_t>(limit) && !page.records.empty())
    page.next_before_seq = page.records.back().seq;
  return page;
}

std::string opt_num(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; }

}  // namespace

Result<SearchPage> search(store::Database& db, const Filter& filter, const PageRequest& page) {
  KOBAN_TRY(check_filter(filter));
  const int limit = std::clamp(page.limit, 1, kMaxPageLimit);
  SearchPage result;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(result, search_in(s, filter, page.before_seq, limit));
    return ok();
  }));
  return result;
}

std::string csv_cell(std::string_view v) {
  std::string cell;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                     v[0] == '\r'))
    cell.push_back('\'');
  cell.append(v);
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

Result<std::int64_t> export_csv(store::Database& db, const Filter& filter, std::ostream& out,
                                std::int64_t max_rows) {
  KOBAN_TRY(check_filter(filter));
  std::int64_t written = 0;
  bool truncated = false;
  out << "\xEF\xBB\xBF"
         "seq,日時(JST),職員ID,職員名,所属ID,所属名,操作,対象種別,対象ID,概要,接続元,結果,ハッシュ\r\n";
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    std::optional<std::int64_t> before;
    for (;;) {
      KOBAN_ASSIGN(auto page, search_in(s, filter, before, kMaxPageLimit));
      for (const Record& r : page.records) {
        if (written >= max_rows) {
          truncated = true;
          return ok();
        }
        const Event& e = r.event;
        const std::string cells[] = {std::to_string(r.seq), to_jst(r.at).iso(), opt_num(e.actor_id),
                                     e.actor_name, opt_num(e.unit_id), e.unit_name, e.action,
                                     e.object_type, e.object_id, e.summary, e.address,
                                     to_string(e.outcome), r.hash};
        bool first = true;
        for (const auto& c : cells) {
          if (!first) out << ',';
          out << csv_cell(c);
          first = false;
        }
        out << "\r\n";
        ++written;
      }
      if (!out) return Error::unavailable("CSV の書き出しに失敗しました。");
      if (!page.next_before_seq) return ok();
      before = page.next_before_seq;
    }
  }));
  if (truncated)
    return Error{ErrorCode::too_large, "出力できる行数（" + std::to_string(max_rows) +
                                           " 行）を超えました。条件を絞ってください。"};
  return written;
}

}  // namespace koban::audit

#include "audit/audit_log.h"

#include "audit/chain_hash.h"

namespace koban::audit {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when it is invalid (overlong,
// surrogate, above U+10FFFF, truncated).
std::size_t utf8_len(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n;
  std::uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

// Valid UTF-8, no control characters (newline and tab kept when keep_lines), at most max bytes
// (cut at a character boundary, "…" appended when cut).
std::string clean_text(std::string_view in, std::size_t max, bool keep_lines) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  std::string out;
  out.reserve(std::min(in.size(), max));
  for (std::size_t i = 0; i < in.size();) {
    std::size_t n = utf8_len(in, i);
    std::string_view piece;
    char space = ' ';
    if (n == 0) {
      piece = kReplacement;
      n = 1;
    } else if (n == 1) {
      const unsigned char c = static_cast<unsigned char>(in[i]);
      const bool control = c < 0x20 || c == 0x7F;
      const bool kept = keep_lines && (c == '\n' || c == '\t');
      piece = control && !kept ? std::string_view(&space, 1) : in.substr(i, 1);
    } else {
      piece = in.substr(i, n);
    }
    if (out.size() + piece.size() > max) {
      // Make room for the ellipsis by dropping whole characters.
      while (!out.empty() && out.size() + kEllipsis.size() > max) {
        std::size_t k = out.size() - 1;
        while (k > 0 && (static_cast<unsigned char>(out[k]) & 0xC0) == 0x80) --k;
        out.resize(k);
      }
      if (out.size() + kEllipsis.size() <= max) out.append(kEllipsis);
      return out;
    }
    out.append(piece);
    i += n;
  }
  return out;
}

bool valid_action(std::string_view a) {
  if (a.empty() || a.size() > kMaxActionBytes) return false;
  for (char c : a)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace

std::vector<store::Migration> audit_migrations() {
  return {
      {1, "audit_log",
       "CREATE TABLE audit_log ("
       " seq {{BIGINT}} PRIMARY KEY,"  // SQLite: INTEGER PRIMARY KEY, the rowid itself
       " at {{BIGINT}} NOT NULL,"
       " actor_id {{BIGINT}},"
       " actor_name TEXT NOT NULL,"
       " unit_id {{BIGINT}},"
       " unit_name TEXT NOT NULL,"
       " action TEXT NOT NULL,"
       " object_type TEXT NOT NULL,"
       " object_id TEXT NOT NULL,"
       " summary TEXT NOT NULL,"
       " address TEXT NOT NULL,"
       " outcome TEXT NOT NULL,"
       " prev_hash TEXT NOT NULL,"
       " hash TEXT NOT NULL);"
       // The staff UI filters by time, person, unit and object, newest first.
       "CREATE INDEX audit_log_at ON audit_log (at);"
       "CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);"
       "CREATE INDEX audit_log_unit ON audit_log (unit_id, seq);"
       "CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq)"},
  };
}

Result<void> register_audit_migrations() {
  return store::register_migrations("audit", audit_migrations());
}

Result<Event> sanitize_event(const Event& e) {
  if (!valid_action(e.action))
    return Error::invalid("audit: action must be 1-100 characters of a-z 0-9 . _ - (got \"" +
                          clean_text(e.action, 100, false) + "\")");
  Event c;
  c.actor_id = e.actor_id;
  c.actor_name = clean_text(e.actor_name, kMaxNameBytes, false);
  c.unit_id = e.unit_id;
  c.unit_name = clean_text(e.unit_name, kMaxNameBytes, false);
  c.action = e.action;
  c.object_type = clean_text(e.object_type, kMaxObjectBytes, false);
  c.object_id = clean_text(e.object_id, kMaxObjectBytes, false);
  c.summary = clean_text(e.summary, kMaxSummaryBytes, true);
  c.address = clean_text(e.address, kMaxAddressBytes, false);
  c.outcome = e.outcome;
  return c;
}

Result<std::int64_t> append(store::Session& s, const Event& e, Instant now) {
  KOBAN_ASSIGN(Event clean, sanitize_event(e));
  if (s.backend() == store::Backend::postgres)
    KOBAN_TRY(s.query("SELECT pg_advisory_xact_lock(?)", kAuditLockKey));
  KOBAN_ASSIGN(auto last, s.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  Record r;
  r.seq = last.empty() ? 1 : last[0].int64(0) + 1;
  r.prev_hash = last.empty() ? std::string(kGenesisHash) : last[0].text(1);
  r.at = now;
  r.event = std::move(clean);
  r.hash = record_hash(r);
  const Event& v = r.event;
  KOBAN_TRY(s.exec("INSERT INTO audit_log (seq, at, actor_id, actor_name, unit_id, unit_name, action,"
                   " object_type, object_id, summary, address, outcome, prev_hash, hash)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   r.seq, to_unix(r.at), v.actor_id, v.actor_name, v.unit_id, v.unit_name, v.action,
                   v.object_type, v.object_id, v.summary, v.address, to_string(v.outcome),
                   r.prev_hash, r.hash));
  return r.seq;
}

Record record_from_row(const store::Row& row, std::string* outcome_text) {
  Record r;
  r.seq = row.int64(0);
  r.at = from_unix(row.int64(1));
  r.event.actor_id = row.opt_int64(2);
  r.event.actor_name = row.text(3);
  r.event.unit_id = row.opt_int64(4);
  r.event.unit_name = row.text(5);
  r.event.action = row.text(6);
  r.event.object_type = row.text(7);
  r.event.object_id = row.text(8);
  r.event.summary = row.text(9);
  r.event.address = row.text(10);
  std::string outcome = row.text(11);
  r.event.outcome = outcome == "refused" ? Outcome::refused : Outcome::ok;
  r.prev_hash = row.text(12);
  r.hash = row.text(13);
  if (outcome_text) *outcome_text = std::move(outcome);
  return r;
}

}  // namespace koban::audit

// What one audit record says: who (actor, acting for which unit), did what (action) to which
// object, with what outcome, from where and when. Every module builds an Event for each state
// change and appends it with audit::append (append.h) inside the same write transaction.
//
//   audit::Event e{.actor_id = person.id, .actor_name = person.name,
//                  .unit_id = unit.id, .unit_name = unit.name,
//                  .action = "site.article.approve", .object_type = "article",
//                  .object_id = std::to_string(article_id),
//                  .summary = "状態: 承認待ち → 承認済み", .address = request.peer_address()};
//
// A Record is an Event as stored: with its sequence number, time and chain hashes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"

namespace koban::audit {

enum class Outcome { ok, refused };
const char* to_string(Outcome o);  // "ok" | "refused"

struct Event {
  std::optional<std::int64_t> actor_id{};  // the person; nullopt for the system or anonymous
  std::string actor_name{};                // as it was at the time (names change, the log does not)
  std::optional<std::int64_t> unit_id{};   // the unit the actor was acting for
  std::string unit_name{};
  std::string action{};       // "<module>.<object>.<verb>": lower-case ASCII, digits, '.', '_', '-'
  std::string object_type{};  // "article", "person", ... (may be empty)
  std::string object_id{};    // text, so any kind of key fits (may be empty)
  std::string summary{};      // short before/after text, e.g. "役割: 職員 → 所属長"
  std::string address{};      // client IP address ("" for the system)
  Outcome outcome = Outcome::ok;  // refused: a denied attempt (wrong password, no permission)
};

struct Record {
  std::int64_t seq = 0;  // 1, 2, 3 ... without gaps
  Instant at{};
  Event event;
  std::string prev_hash;  // hex SHA-256 of the previous record (64 zeros for seq 1)
  std::string hash;       // hex SHA-256 over this record's canonical encoding (chain_hash.h)
};

// Limits on stored field sizes in bytes. Longer text is cut (at a UTF-8 boundary) and marked
// with "…" rather than refused: an over-long summary must not make the business change fail.
inline constexpr std::size_t kMaxNameBytes = 200;
inline constexpr std::size_t kMaxActionBytes = 100;
inline constexpr std::size_t kMaxObjectBytes = 200;
inline constexpr std::size_t kMaxSummaryBytes = 2000;
inline constexpr std::size_t kMaxAddressBytes = 64;

}  // namespace koban::audit

// Staff-side handling of subscribers (issue 4 item 10, "show it to staff"): the addresses that
// were suspended after repeated hard failures, listed newest first with keyset paging; an
// audited look at one address in clear; reinstating one (suspended → confirmed, failure count
// back to 0) or removing it for good. Permission checks are the caller's (the staff page asks
// org::can for Purpose::alerts); these functions only record who did what.
//
//   alerts::StaffWho who{.person = id, .name = "生活安全企画課長", .unit = u, .unit_name = "生活安全企画課",
//                        .address = req.remote_addr};
//   KOBAN_ASSIGN(auto page, alerts::list_suspended(s, keys, {.domain = "docomo.ne.jp", .limit = 50}));
//   for (auto& x : page.rows) ... x.masked_address ("t***@docomo.ne.jp"), x.last_error ...
//   if (page.next) ... list_suspended(s, keys, {.after = page.next})   // the next page
//   KOBAN_ASSIGN(std::string address, alerts::reveal_address(s, keys, who, id, now));  // audited
//   KOBAN_TRY(alerts::reinstate_subscriber(s, who, id, now));                         // audited
//   KOBAN_TRY(alerts::remove_subscriber(s, who, id, now));                            // audited
//
// Run reveal, reinstate and remove in a write session: the audit row goes in the same
// transaction as the change (or the reading), so there is never one without the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerts/subscriber_keys.h"
#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "store/database.h"

namespace koban::alerts {

// The staff member acting, for the audit trail.
struct StaffWho {
  org::PersonId person = 0;
  std::string name;
  org::UnitId unit = 0;
  std::string unit_name;
  std::string address;  // client IP
};

// Position in the list (suspended_at descending, then id descending).
struct SuspendedCursor {
  std::int64_t suspended_at = 0;  // unix seconds
  std::int64_t id = 0;
};
std::string to_string(const SuspendedCursor& c);                        // "1800000000.42"
std::optional<SuspendedCursor> parse_suspended_cursor(std::string_view text);

inline constexpr int kMaxSuspendedPage = 200;
inline constexpr std::size_t kMaxDomainFilter = 253;

struct SuspendedFilter {
  std::string domain{};                     // exact, case-insensitive; "" = every domain
  std::optional<SuspendedCursor> after{};  // rows after this position
  int limit = 50;                           // 1..kMaxSuspendedPage
};

struct SuspendedSubscriber {
  std::int64_t id = 0;
  std::string masked_address;  // "t***@docomo.ne.jp" (alerts::mask_address)
  std::string domain;
  std::optional<Instant> suspended_at;
  int hard_failures = 0;
  std::string last_error;  // what delivery reported when it suspended the address; "" if none
};

struct SuspendedPage {
  std::vector<SuspendedSubscriber> rows;
  std::optional<SuspendedCursor> next;  // set when more rows may follow
};

// An over-long domain filter or a bad limit: invalid_argument.
Result<SuspendedPage> list_suspended(store::Session& s, const SubscriberKeys& keys, const SuspendedFilter& f);

// The domains that have suspended addresses, with counts, most first (for the filter).
struct DomainCount {
  std::string domain;
  std::int64_t count = 0;
};
Result<std::vector<DomainCount>> suspended_domains(store::Session& s, std::size_t limit = 50);

// The address in clear (audited as alerts.subscriber.reveal; the summary names the domain
// only). Unknown id: not_found.
Result<std::string> reveal_address(store::Session& s, const SubscriberKeys& keys, const StaffWho& who,
                                   std::int64_t id, Instant now);
// suspended → confirmed with hard_failures 0 (audited). Not suspended: conflict, no change.
Result<void> reinstate_subscriber(store::Session& s, const StaffWho& who, std::int64_t id, Instant now);
// Deletes a suspended subscriber with their areas and tokens (audited). Not suspended:
// conflict (residents leave through their own link; staff remove only dead addresses).
Result<void> remove_subscriber(store::Session& s, const StaffWho& who, std::int64_t id, Instant now);

}  // namespace koban::alerts

// Residents who receive the safety-alert mail (issue 4 item 1): sign-up with double opt-in,
// changes and leaving through the personal link, hard-failure suspension, counts for charts.
// Every function runs inside the caller's store session (write for changes), so the caller
// decides the transaction; mails go to the durable outbox in that same transaction.
//
//   KOBAN_ASSIGN(auto keys, alerts::SubscriberKeys::from_secret(secret));
//   alerts::Subscribers subs(keys, {.base_url = "https://police.example.jp"});
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto r, subs.subscribe(s, {.address = "a..b@docomo.ne.jp", .categories = {1, 3},
//                                             .areas = {.units = {chuo}}, .client_ip = ip}, now));
//     return ok();   // r.outcome says which mail was queued; the page never tells the resident
//   });
//   subs.confirm(s, token_from_link, now);               // pending → confirmed (single use)
//   subs.find_by_personal_token(s, token);               // the manage page
//   subs.unsubscribe(s, token, now, ip);                 // also RFC 8058 one-click
//   subs.record_hard_failure(s, id, now, "550 ...");     // delivery: N in a row → suspended
//
// Addresses are sealed at rest (SubscriberKeys::box) and found through a blind index; errors
// for residents are Japanese and change nothing (the caller's transaction is rolled back).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/subscriber_keys.h"
#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "store/database.h"

namespace koban::alerts {

enum class SubscriberState { pending, confirmed, unsubscribed, suspended };
const char* to_string(SubscriberState s);
std::optional<SubscriberState> parse_subscriber_state(std::string_view s);
const char* label(SubscriberState s);  // 確認待ち, 登録済み, 配信停止, 一時停止（不達）

enum class MailEncoding { utf8, iso2022jp };
const char* to_string(MailEncoding e);  // "utf8" | "iso2022jp"
std::optional<MailEncoding> parse_mail_encoding(std::string_view s);

inline constexpr std::size_t kMaxAreasPerSubscriber = 200;

struct AreaChoice {
  bool whole_prefecture = false;
  std::vector<org::UnitId> units{};  // police stations (their jurisdictions); ignored when whole
};

struct SubscriberSettings {
  std::string base_url{};                       // public site, no trailing slash
  std::string from_address = "noreply@police.example.jp";
  std::string from_name = "サンプル県警察";
  std::string service_name = "安心メール";
  std::string mail_transport = "smtp";          // outbox transport for the confirmation mails
  std::chrono::seconds confirm_ttl{24 * 3600};  // confirmation links expire after this
  std::chrono::seconds resend_interval{600};    // at most one mail per address per interval
  int ip_limit_per_hour = 30;                   // sign-up attempts per client address; 0: none
  int hard_failure_limit = 3;                   // consecutive hard failures → suspended
};

struct SubscribeRequest {
  std::string address{};
  std::vector<int> categories{};  // 1..6
  AreaChoice areas{};
  MailEncoding encoding = MailEncoding::utf8;
  std::string client_ip{};        // for the per-address rate limit; "" for none (demo, bench)
};

enum class SubscribeOutcome {
  confirmation_sent,          // new (or returning after leaving): pending + confirmation mail
  confirmation_resent,        // still pending: choices replaced, a new link sent
  already_registered_notice,  // confirmed: a "you are registered, manage here" mail
  throttled,                  // a mail went to this address moments ago: nothing sent
};

struct SubscribeResult {
  SubscribeOutcome outcome = SubscribeOutcome::confirmation_sent;
  std::int64_t subscriber_id = 0;
  std::string confirm_token;  // the link's token when one was sent (tests, bench); never show it
};

struct Subscriber {
  std::int64_t id = 0;
  std::string address;  // opened from the sealed column
  std::string domain;
  SubscriberState state = SubscriberState::pending;
  MailEncoding encoding = MailEncoding::utf8;
  std::uint32_t categories = 0;  // bit n-1 for category n
  bool all_areas = false;
  std::vector<org::UnitId> areas;  // ascending
  int hard_failures = 0;
  std::string link_key;  // raw bytes, for personal links
  Instant created_at{};
  std::optional<Instant> confirmed_at;
};

struct Choices {
  std::vector<int> categories{};
  AreaChoice areas{};
  MailEncoding encoding = MailEncoding::utf8;
};

// The stations a resident can choose, in the force's order: id, station name, jurisdiction.
struct AreaOption {
  org::UnitId id = 0;
  std::string station;
  std::string jurisdiction;
};
Result<std::vector<AreaOption>> area_options(store::Session& s);

// Field checks, public so that a form can put each message next to its field.
// "メールアドレスを入力してください。" / parse_address's message.
Result<std::string> check_address(std::string_view address);
Result<std::uint32_t> check_categories(std::span<const int> numbers);
// Unknown, inactive or non-station units, or nothing chosen: invalid_argument.
Result<std::vector<org::UnitId>> check_areas(store::Session& s, const AreaChoice& areas);

class Subscribers {
 public:
  Subscribers(SubscriberKeys keys, SubscriberSettings settings);

  Result<SubscribeResult> subscribe(store::Session& s, const SubscribeRequest& r, Instant now);
  // The confirmation link: pending → confirmed. Unknown or forged → not_found, expired →
  // invalid_argument, used → conflict; each with a message for the resident. Returns the id.
  Result<std::int64_t> confirm(store::Session& s, std::string_view token, Instant now,
                               std::string_view client_ip = "");

  // Personal links (manage / unsubscribe). A token that does not verify → not_found.
  Result<Subscriber> find_by_personal_token(store::Session& s, std::string_view token);
  // Changes categories, areas and encoding of a confirmed subscriber (audited).
  Result<void> update_choices(store::Session& s, std::string_view token, const Choices& c, Instant now,
                              std::string_view client_ip = "");
  // Any state → unsubscribed (audited). Returns false when it already was (nothing changes).
  Result<bool> unsubscribe(store::Session& s, std::string_view token, Instant now, std::string_view client_ip = "");

  Result<Subscriber> get(store::Session& s, std::int64_t id);
  // Through the blind index; nullopt when the address is unknown (or invalid).
  Result<std::optional<Subscriber>> find_by_address(store::Session& s, std::string_view address);

  // Delivery outcomes. A hard failure (5xx) counts; after settings.hard_failure_limit in a row
  // a confirmed subscriber becomes suspended (audited) and true is returned. A success resets
  // the count (no write when it is already 0).
  Result<bool> record_hard_failure(store::Session& s, std::int64_t id, Instant now, std::string_view detail = "");
  Result<void> record_success(store::Session& s, std::int64_t id);

  std::string personal_token(std::int64_t id, std::string_view link_key) const {
    return alerts::personal_token(keys_, id, link_key);
  }
  const SubscriberKeys& keys() const { return keys_; }
  const SubscriberSettings& settings() const { return settings_; }

 private:
  Result<Subscriber> load(store::Session& s, const store::Row& row);
  Result<std::string> confirmation_mail(const std::string& address, MailEncoding enc, const std::string& url,
                                        Instant expires, Instant now) const;
  Result<std::string> registered_mail(const std::string& address, MailEncoding enc, const std::string& url,
                                      Instant now) const;
  Result<void> enqueue_mail(store::Session& s, const std::string& address, std::string raw, Instant now) const;
  Result<std::string> new_confirm_token(store::Session& s, std::int64_t id, Instant now) const;
  Result<void> check_ip_limit(store::Session& s, std::string_view ip, Instant now) const;

  SubscriberKeys keys_;
  SubscriberSettings settings_;
};

// Numbers for the staff charts: per state; per category and per area among confirmed ones.
struct SubscriberCounts {
  std::map<std::string, std::int64_t> by_state;  // "confirmed" → n (every state present)
  std::array<std::int64_t, 6> by_category{};     // confirmed, index n-1
  std::int64_t whole_prefecture = 0;             // confirmed with all areas
  std::map<org::UnitId, std::int64_t> by_area;   // confirmed, per chosen station
};
Result<SubscriberCounts> count_subscribers(store::Session& s);

// The daily job (JST): writes subscriber_counts for `day` (replacing that day's rows), deletes
// spent confirmation tokens, old rate-limit windows and sign-ups never confirmed within 7 days.
Result<void> daily_subscriber_maintenance(store::Session& s, Date day, Instant now);
struct DailyCount {
  Date day;
  std::string state;
  std::int64_t count = 0;
};
// The snapshot rows from `from` on, by day then state.
Result<std::vector<DailyCount>> subscriber_history(store::Session& s, Date from);

}  // namespace koban::alerts

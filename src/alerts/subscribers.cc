#include "alerts/subscribers.h"

#include <algorithm>

#include "store/rate_limit.h"
#include "alerts/categories.h"
#include "audit/audit_log.h"
#include "auth/random_bytes.h"
#include "mail/address.h"
#include "mail/mime.h"
#include "mail/outbox.h"

namespace koban::alerts {
namespace {

constexpr const char* kColumns =
    "id, address_box, domain, state, encoding, categories, all_areas, hard_failures, link_key, created_at, "
    "confirmed_at";
constexpr std::int64_t kPendingKeepSeconds = 7 * 24 * 3600;  // never confirmed: forgotten after a week
constexpr const char* kActorName = "住民（安心メール）";

const char* kBadLink = "このリンクは無効です。メールに記載されたリンクを、途中で切れないように開いてください。";

std::string jst_text(Instant t) {
  const JstDateTime j = to_jst(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d年%d月%d日 %d時%02d分", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

Result<void> audit_event(store::Session& s, std::string action, std::int64_t id, std::string summary,
                         std::string_view ip, Instant now) {
  audit::Event e{.actor_name = kActorName,
                 .action = std::move(action),
                 .object_type = "subscriber",
                 .object_id = std::to_string(id),
                 .summary = std::move(summary),
                 .address = std::string(ip)};
  KOBAN_TRY(audit::append(s, e, now));
  return ok();
}

std::string categories_text(std::uint32_t mask) {
  std::string out;
  for (int n : category_numbers(mask)) {
    if (!out.empty()) out += "、";
    out += find_category(n)->short_name;
  }
  return out;
}

Result<void> replace_areas(store::Session& s, std::int64_t id, const std::vector<org::UnitId>& units) {
  KOBAN_TRY(s.exec("DELETE FROM subscriber_areas WHERE subscriber_id = ?", id));
  for (auto u : units) KOBAN_TRY(s.exec("INSERT INTO subscriber_areas (subscriber_id, unit_id) VALUES (?, ?)", id, u));
  return ok();
}

mail::BuildOptions build_options(MailEncoding enc) {
  mail::BuildOptions o;
  o.charset = enc == MailEncoding::iso2022jp ? mail::Charset::iso2022jp : mail::Charset::utf8;
  return o;
}

}  // namespace

const char* to_string(SubscriberState s) {
  switch (s) {
    case SubscriberState::pending: return "pending";
    case SubscriberState::confirmed: return "confirmed";
    case SubscriberState::unsubscribed: return "unsubscribed";
    case SubscriberState::suspended: return "suspended";
  }
  return "pending";
}

std::optional<SubscriberState> parse_subscriber_state(std::string_view s) {
  for (auto v : {SubscriberState::pending, SubscriberState::confirmed, SubscriberState::unsubscribed,
                 SubscriberState::suspended})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

const char* label(SubscriberState s) {
  switch (s) {
    case SubscriberState::pending: return "確認待ち";
    case SubscriberState::confirmed: return "登録済み";
    case SubscriberState::unsubscribed: return "配信停止";
    case SubscriberState::suspended: return "一時停止（不達）";
  }
  return "";
}

const char* to_string(MailEncoding e) { return e == MailEncoding::iso2022jp ? "iso2022jp" : "utf8"; }

std::optional<MailEncoding> parse_mail_encoding(std::string_view s) {
  if (s == "utf8") return MailEncoding::utf8;
  if (s == "iso2022jp") return MailEncoding::iso2022jp;
  return std::nullopt;
}

Result<std::vector<AreaOption>> area_options(store::Session& s) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT id, name, jurisdiction FROM units WHERE kind = 'station' AND active = 1 "
                                  "ORDER BY sort_order, id"));
  std::vector<AreaOption> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r.int64(0), r.text(1), r.text(2)});
  return out;
}

Result<std::string> check_address(std::string_view address) {
  if (address.empty()) return Error::invalid("メールアドレスを入力してください。");
  if (address.size() > mail::kMaxAddressLength) return Error::invalid("メールアドレスが長すぎます。");
  KOBAN_ASSIGN(auto a, mail::parse_address(address));
  return a.str();
}

Result<std::uint32_t> check_categories(std::span<const int> numbers) {
  if (numbers.empty()) return Error::invalid("受け取る情報の種類を1つ以上選んでください。");
  if (numbers.size() > 64) return Error::invalid("情報の種類の指定が正しくありません。");
  return category_mask(numbers);
}

Result<std::vector<org::UnitId>> check_areas(store::Session& s, const AreaChoice& areas) {
  if (areas.whole_prefecture) return std::vector<org::UnitId>{};
  if (areas.units.empty()) return Error::invalid("受け取る地域（警察署の管内）を1つ以上選ぶか、「県内全域」を選んでください。");
  if (areas.units.size() > kMaxAreasPerSubscriber) return Error::invalid("選ばれた地域の数が多すぎます。");
  std::vector<org::UnitId> units = areas.units;
  std::sort(units.begin(), units.end());
  units.erase(std::unique(units.begin(), units.end()), units.end());
  for (auto u : units) {
    KOBAN_ASSIGN(auto rows, s.query("SELECT 1 FROM units WHERE id = ? AND kind = 'station' AND active = 1", u));
    if (rows.empty())
      return Error::invalid("選ばれた地域の中に、存在しない地域があります。一覧から選び直してください。");
  }
  return units;
}

Subscribers::Subscribers(SubscriberKeys keys, SubscriberSettings settings)
    : keys_(std::move(keys)), settings_(std::move(settings)) {}

Result<Subscriber> Subscribers::load(store::Session& s, const store::Row& r) {
  Subscriber out;
  out.id = r.int64(0);
  auto opened = keys_.box.open(r.text(1));
  if (!opened) return Error::internal("subscriber " + std::to_string(out.id) + ": address cannot be opened");
  out.address = std::move(*opened);
  out.domain = r.text(2);
  out.state = parse_subscriber_state(r.text(3)).value_or(SubscriberState::pending);
  out.encoding = parse_mail_encoding(r.text(4)).value_or(MailEncoding::utf8);
  out.categories = static_cast<std::uint32_t>(r.int64(5)) & kAllCategories;
  out.all_areas = r.int64(6) != 0;
  out.hard_failures = static_cast<int>(r.int64(7));
  out.link_key = r.text(8);
  out.created_at = from_unix(r.int64(9));
  if (auto c = r.opt_int64(10)) out.confirmed_at = from_unix(*c);
  KOBAN_ASSIGN(auto areas, s.query("SELECT unit_id FROM subscriber_areas WHERE subscriber_id = ? ORDER BY unit_id", out.id));
  for (const auto& a : areas) out.areas.push_back(a.int64(0));
  return out;
}

Result<Subscriber> Subscribers::get(store::Session& s, std::int64_t id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM subscribers WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("登録が見つかりません。");
  return load(s, rows[0]);
}

Result<std::optional<Subscriber>> Subscribers::find_by_address(store::Session& s, std::string_view address) {
  auto parsed = mail::parse_address(address);
  if (!parsed) return std::optional<Subscriber>{};
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM subscribers WHERE address_index = ?",
                                  keys_.blind_index(normalise_for_index(parsed->str()))));
  if (rows.empty()) return std::optional<Subscriber>{};
  KOBAN_ASSIGN(auto sub, load(s, rows[0]));
  return std::optional<Subscriber>(std::move(sub));
}

Result<void> Subscribers::check_ip_limit(store::Session& s, std::string_view ip, Instant now) const {
  if (ip.empty() || settings_.ip_limit_per_hour <= 0) return ok();
  // A fixed one-hour window per client (store/rate_limit.h).
  KOBAN_ASSIGN(auto hits, store::count_hit(s, "subscriber_rate_limits", keys_.keyed_hash("ip", ip), now, std::chrono::hours(1)));
  if (hits > settings_.ip_limit_per_hour)
    return Error{ErrorCode::rate_limited,
                 "短い時間に多くのお申し込みがありました。しばらくたってから、もう一度お試しください。"};
  return ok();
}

Result<std::string> Subscribers::new_confirm_token(store::Session& s, std::int64_t id, Instant now) const {
  // One live link per subscriber: an older unused one stops working when a new one is sent.
  KOBAN_TRY(s.exec("DELETE FROM subscriber_tokens WHERE subscriber_id = ? AND purpose = 'confirm' AND used_at IS NULL", id));
  std::string token = auth::base64url_encode(auth::random_bytes(32));
  KOBAN_TRY(s.exec("INSERT INTO subscriber_tokens (token_hash, subscriber_id, purpose, created_at, expires_at) "
                   "VALUES (?, ?, 'confirm', ?, ?)",
                   auth::sha256_hex(token), id, to_unix(now), to_unix(now + settings_.confirm_ttl)));
  return token;
}

Result<std::string> Subscribers::confirmation_mail(const std::string& address, MailEncoding enc,
                                                   const std::string& url, Instant expires, Instant now) const {
  mail::Message m;
  m.from = {settings_.from_name, settings_.from_address};
  m.to = {{"", address}};
  m.subject = "【" + settings_.service_name + "】登録の確認";
  m.date = now;
  m.text = settings_.service_name + "への登録のお申し込みを受け付けました。\n\n"
           "次のリンクを開き、「登録を完了する」ボタンを押すと登録が完了します。\n" +
           url + "\n\n"
           "このリンクの有効期限は " + jst_text(expires) + " です。\n"
           "期限が過ぎたときは、もう一度登録のページからお申し込みください。\n\n"
           "お申し込みに心当たりがないときは、このメールを破棄してください。登録は完了しません。\n\n" +
           settings_.from_name + "\n"
           "このメールは送信専用です。返信はできません。\n";
  return mail::build_message(m, build_options(enc));
}

Result<std::string> Subscribers::registered_mail(const std::string& address, MailEncoding enc, const std::string& url,
                                                 Instant now) const {
  mail::Message m;
  m.from = {settings_.from_name, settings_.from_address};
  m.to = {{"", address}};
  m.subject = "【" + settings_.service_name + "】登録済みのお知らせ";
  m.date = now;
  m.text = "このメールアドレスは、既に" + settings_.service_name + "に登録されています。\n\n"
           "受け取る情報の種類や地域の変更、配信の停止は、次のリンクから行えます。\n" +
           url + "\n\n"
           "お申し込みに心当たりがないときは、このメールを破棄してください。登録内容は変わりません。\n\n" +
           settings_.from_name + "\n"
           "このメールは送信専用です。返信はできません。\n";
  return mail::build_message(m, build_options(enc));
}

Result<void> Subscribers::enqueue_mail(store::Session& s, const std::string& address, std::string raw, Instant now) const {
  KOBAN_TRY(mail::enqueue(s, {.transport = settings_.mail_transport, .sender = settings_.from_address,
                              .recipient = address, .message = std::move(raw), .batch_key = "subscribers"},
                          now));
  return ok();
}

Result<SubscribeResult> Subscribers::subscribe(store::Session& s, const SubscribeRequest& r, Instant now) {
  KOBAN_ASSIGN(std::string address, check_address(r.address));
  KOBAN_ASSIGN(std::uint32_t mask, check_categories(r.categories));
  KOBAN_ASSIGN(auto units, check_areas(s, r.areas));
  KOBAN_TRY(check_ip_limit(s, r.client_ip, now));

  const std::string index = keys_.blind_index(normalise_for_index(address));
  const std::int64_t t = to_unix(now);
  const std::string domain = mail::domain_of(address);
  const std::string encoding = to_string(r.encoding);
  const bool whole = r.areas.whole_prefecture;
  SubscribeResult out;

  KOBAN_ASSIGN(auto rows, s.query("SELECT id, state, last_mail_at, link_key, address_box, encoding FROM subscribers "
                                  "WHERE address_index = ?",
                                  index));
  if (rows.empty()) {
    KOBAN_ASSIGN(auto ins, s.query("INSERT INTO subscribers (address_box, address_index, domain, state, encoding, "
                                   "categories, all_areas, link_key, hard_failures, created_at, updated_at, last_mail_at) "
                                   "VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, 0, ?, ?, ?) "
                                   "ON CONFLICT (address_index) DO NOTHING RETURNING id",
                                   store::Blob{keys_.box.seal(address)}, index, domain, encoding,
                                   static_cast<std::int64_t>(mask), whole,
                                   store::Blob{auth::random_bytes(kSubscriberLinkKeyBytes)}, t, t, t));
    // A concurrent sign-up of the same address won the insert: answer as for a duplicate.
    if (ins.empty()) return Error::conflict("ただいま同じメールアドレスのお申し込みを処理しています。しばらくたってからお試しください。");
    out.subscriber_id = ins[0].int64(0);
    KOBAN_TRY(replace_areas(s, out.subscriber_id, units));
    out.outcome = SubscribeOutcome::confirmation_sent;
  } else {
    const auto& row = rows[0];
    out.subscriber_id = row.int64(0);
    const auto state = parse_subscriber_state(row.text(1)).value_or(SubscriberState::pending);
    const auto last_mail = row.opt_int64(2);
    if (last_mail && t - *last_mail < settings_.resend_interval.count() && t >= *last_mail) {
      out.outcome = SubscribeOutcome::throttled;
      return out;
    }
    if (state == SubscriberState::confirmed) {
      // The page says the same as for a new address; only the mailbox owner learns more.
      KOBAN_ASSIGN(std::string stored, keys_.box.open(row.text(4)));
      const auto enc = parse_mail_encoding(row.text(5)).value_or(MailEncoding::utf8);
      KOBAN_ASSIGN(auto raw, registered_mail(stored, enc, manage_url(settings_.base_url,
                                                                     personal_token(out.subscriber_id, row.text(3))),
                                             now));
      KOBAN_TRY(s.exec("UPDATE subscribers SET last_mail_at = ? WHERE id = ?", t, out.subscriber_id));
      KOBAN_TRY(enqueue_mail(s, stored, std::move(raw), now));
      out.outcome = SubscribeOutcome::already_registered_notice;
      return out;
    }
    // Pending: the latest choices win. Unsubscribed or suspended: a fresh start that needs a
    // new confirmation, with a new link key so that links in old mails no longer work.
    const bool fresh = state != SubscriberState::pending;
    KOBAN_TRY(s.exec("UPDATE subscribers SET address_box = ?, domain = ?, state = 'pending', encoding = ?, "
                     "categories = ?, all_areas = ?, hard_failures = 0, updated_at = ?, last_mail_at = ?, "
                     "confirmed_at = NULL, unsubscribed_at = NULL, suspended_at = NULL WHERE id = ?",
                     store::Blob{keys_.box.seal(address)}, domain, encoding, static_cast<std::int64_t>(mask), whole, t, t,
                     out.subscriber_id));
    if (fresh)
      KOBAN_TRY(s.exec("UPDATE subscribers SET link_key = ? WHERE id = ?",
                       store::Blob{auth::random_bytes(kSubscriberLinkKeyBytes)}, out.subscriber_id));
    KOBAN_TRY(replace_areas(s, out.subscriber_id, units));
    out.outcome = fresh ? SubscribeOutcome::confirmation_sent : SubscribeOutcome::confirmation_resent;
  }
  KOBAN_ASSIGN(out.confirm_token, new_confirm_token(s, out.subscriber_id, now));
  KOBAN_ASSIGN(auto raw, confirmation_mail(address, r.encoding,
                                           settings_.base_url + "/alerts/confirm/" + out.confirm_token,
                                           now + settings_.confirm_ttl, now));
  KOBAN_TRY(enqueue_mail(s, address, std::move(raw), now));
  return out;
}

Result<std::int64_t> Subscribers::confirm(store::Session& s, std::string_view token, Instant now,
                                          std::string_view client_ip) {
  if (token.empty() || token.size() > 100 || !auth::base64url_decode(token)) return Error::not_found(kBadLink);
  KOBAN_ASSIGN(auto rows, s.query("SELECT t.subscriber_id, t.expires_at, t.used_at, s.state FROM subscriber_tokens t "
                                  "JOIN subscribers s ON s.id = t.subscriber_id "
                                  "WHERE t.token_hash = ? AND t.purpose = 'confirm'",
                                  auth::sha256_hex(token)));
  if (rows.empty()) return Error::not_found(kBadLink);
  const std::int64_t id = rows[0].int64(0);
  if (!rows[0].is_null(2))
    return Error::conflict("このリンクは既に使われています。登録は完了しています。登録内容の変更や配信の停止は、"
                           "届いたメールに記載されたリンクから行えます。");
  if (to_unix(now) >= rows[0].int64(1))
    return Error::invalid("このリンクは有効期限が切れています。お手数ですが、もう一度登録のページからお申し込みください。");
  if (rows[0].text(3) != "pending") return Error::not_found(kBadLink);
  // used_at IS NULL in the WHERE: of two simultaneous clicks only one marks the token.
  KOBAN_ASSIGN(auto used, s.exec("UPDATE subscriber_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
                                 to_unix(now), auth::sha256_hex(token)));
  if (used != 1) return Error::conflict("このリンクは既に使われています。");
  KOBAN_TRY(s.exec("UPDATE subscribers SET state = 'confirmed', confirmed_at = ?, updated_at = ?, hard_failures = 0 "
                   "WHERE id = ? AND state = 'pending'",
                   to_unix(now), to_unix(now), id));
  KOBAN_TRY(audit_event(s, "alerts.subscriber.confirm", id, "登録確認: 確認待ち → 登録済み", client_ip, now));
  return id;
}

Result<Subscriber> Subscribers::find_by_personal_token(store::Session& s, std::string_view token) {
  auto id = token_subscriber_id(token);
  if (!id) return Error::not_found(kBadLink);
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM subscribers WHERE id = ?", *id));
  if (rows.empty() || !verify_personal_token(keys_, token, *id, rows[0].text(8))) return Error::not_found(kBadLink);
  return load(s, rows[0]);
}

Result<void> Subscribers::update_choices(store::Session& s, std::string_view token, const Choices& c, Instant now,
                                         std::string_view client_ip) {
  KOBAN_ASSIGN(auto sub, find_by_personal_token(s, token));
  if (sub.state != SubscriberState::confirmed)
    return Error::conflict("このメールアドレスは現在配信を停止しています。もう一度受け取るには、登録のページからお申し込みください。");
  KOBAN_ASSIGN(std::uint32_t mask, check_categories(c.categories));
  KOBAN_ASSIGN(auto units, check_areas(s, c.areas));
  KOBAN_TRY(s.exec("UPDATE subscribers SET categories = ?, all_areas = ?, encoding = ?, updated_at = ? WHERE id = ?",
                   static_cast<std::int64_t>(mask), c.areas.whole_prefecture, to_string(c.encoding), to_unix(now), sub.id));
  KOBAN_TRY(replace_areas(s, sub.id, units));
  KOBAN_TRY(audit_event(s, "alerts.subscriber.change", sub.id,
                        "種類: " + categories_text(sub.categories) + " → " + categories_text(mask) + "／地域: " +
                            (c.areas.whole_prefecture ? std::string("県内全域") : std::to_string(units.size()) + "署") +
                            "／文字コード: " + to_string(c.encoding),
                        client_ip, now));
  return ok();
}

Result<bool> Subscribers::unsubscribe(store::Session& s, std::string_view token, Instant now, std::string_view client_ip) {
  KOBAN_ASSIGN(auto sub, find_by_personal_token(s, token));
  if (sub.state == SubscriberState::unsubscribed) return false;
  KOBAN_TRY(s.exec("UPDATE subscribers SET state = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ?",
                   to_unix(now), to_unix(now), sub.id));
  KOBAN_TRY(audit_event(s, "alerts.subscriber.unsubscribe", sub.id,
                        std::string("配信停止: ") + label(sub.state) + " → " + label(SubscriberState::unsubscribed),
                        client_ip, now));
  return true;
}

Result<bool> Subscribers::record_hard_failure(store::Session& s, std::int64_t id, Instant now, std::string_view detail) {
  KOBAN_ASSIGN(auto rows, s.query("UPDATE subscribers SET hard_failures = hard_failures + 1 WHERE id = ? "
                                  "RETURNING hard_failures, state",
                                  id));
  if (rows.empty()) return Error::not_found("subscriber " + std::to_string(id));
  const int failures = static_cast<int>(rows[0].int64(0));
  if (rows[0].text(1) != "confirmed" || failures < std::max(1, settings_.hard_failure_limit)) return false;
  KOBAN_TRY(s.exec("UPDATE subscribers SET state = 'suspended', suspended_at = ?, updated_at = ? WHERE id = ?",
                   to_unix(now), to_unix(now), id));
  std::string summary = "不達が" + std::to_string(failures) + "回続いたため配信を一時停止";
  if (!detail.empty()) summary += ": " + std::string(detail.substr(0, 300));
  KOBAN_TRY(audit_event(s, "alerts.subscriber.suspend", id, std::move(summary), "", now));
  return true;
}

Result<void> Subscribers::record_success(store::Session& s, std::int64_t id) {
  KOBAN_TRY(s.exec("UPDATE subscribers SET hard_failures = 0 WHERE id = ? AND hard_failures > 0", id));
  return ok();
}

Result<SubscriberCounts> count_subscribers(store::Session& s) {
  SubscriberCounts out;
  for (auto st : {SubscriberState::pending, SubscriberState::confirmed, SubscriberState::unsubscribed,
                  SubscriberState::suspended})
    out.by_state[to_string(st)] = 0;
  KOBAN_ASSIGN(auto states, s.query("SELECT state, COUNT(*) FROM subscribers GROUP BY state"));
  for (const auto& r : states) out.by_state[r.text(0)] = r.int64(1);
  for (int n = 1; n <= kCategoryCount; ++n) {
    const auto bit = static_cast<std::int64_t>(category_bit(n));
    KOBAN_ASSIGN(auto c, s.query("SELECT COUNT(*) FROM subscribers WHERE state = 'confirmed' AND (categories & ?) <> 0", bit));
    out.by_category[static_cast<std::size_t>(n - 1)] = c[0].int64(0);
  }
  KOBAN_ASSIGN(auto whole, s.query("SELECT COUNT(*) FROM subscribers WHERE state = 'confirmed' AND all_areas = 1"));
  out.whole_prefecture = whole[0].int64(0);
  KOBAN_ASSIGN(auto areas, s.query("SELECT a.unit_id, COUNT(*) FROM subscriber_areas a JOIN subscribers s "
                                   "ON s.id = a.subscriber_id WHERE s.state = 'confirmed' AND s.all_areas = 0 "
                                   "GROUP BY a.unit_id"));
  for (const auto& r : areas) out.by_area[r.int64(0)] = r.int64(1);
  return out;
}

Result<void> daily_subscriber_maintenance(store::Session& s, Date day, Instant now) {
  const std::int64_t t = to_unix(now);
  KOBAN_TRY(s.exec("DELETE FROM subscriber_counts WHERE day = ?", day.iso()));
  KOBAN_ASSIGN(auto states, s.query("SELECT state, COUNT(*) FROM subscribers GROUP BY state"));
  std::map<std::string, std::int64_t> counts = {{"pending", 0}, {"confirmed", 0}, {"unsubscribed", 0}, {"suspended", 0}};
  for (const auto& r : states) counts[r.text(0)] = r.int64(1);
  for (const auto& [state, n] : counts)
    KOBAN_TRY(s.exec("INSERT INTO subscriber_counts (day, state, count) VALUES (?, ?, ?)", day.iso(), state, n));
  KOBAN_TRY(s.exec("DELETE FROM subscriber_tokens WHERE expires_at < ?", t - 24 * 3600));
  KOBAN_TRY(s.exec("DELETE FROM subscriber_rate_limits WHERE window_start < ?", t - 2 * 3600));
  // Sign-ups never confirmed: the address was perhaps typed by someone else; do not keep it.
  KOBAN_TRY(s.exec("DELETE FROM subscriber_areas WHERE subscriber_id IN "
                   "(SELECT id FROM subscribers WHERE state = 'pending' AND created_at < ? AND updated_at < ?)",
                   t - kPendingKeepSeconds, t - kPendingKeepSeconds));
  KOBAN_TRY(s.exec("DELETE FROM subscriber_tokens WHERE subscriber_id IN "
                   "(SELECT id FROM subscribers WHERE state = 'pending' AND created_at < ? AND updated_at < ?)",
                   t - kPendingKeepSeconds, t - kPendingKeepSeconds));
  KOBAN_TRY(s.exec("DELETE FROM subscribers WHERE state = 'pending' AND created_at < ? AND updated_at < ?",
                   t - kPendingKeepSeconds, t - kPendingKeepSeconds));
  return ok();
}

Result<std::vector<DailyCount>> subscriber_history(store::Session& s, Date from) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT day, state, count FROM subscriber_counts WHERE day >= ? ORDER BY day, state",
                                  from.iso()));
  std::vector<DailyCount> out;
  for (const auto& r : rows)
    if (auto d = Date::parse(r.text(0))) out.push_back({*d, r.text(1), r.int64(2)});
  return out;
}

}  // namespace koban::alerts

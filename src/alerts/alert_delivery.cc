#include "alerts/alert_delivery.h"

#include <algorithm>
#include <map>

#include "alerts/alert_preview.h"
#include "alerts/alerts.h"
#include "alerts/categories.h"
#include "mail/outbox.h"
#include "org/units.h"

namespace koban::alerts {
namespace {

// Slots of a message template, in the order they are looked for.
enum Slot { kTo = 0, kMessageId = 1, kUnsubscribe = 2, kLink = 3 };
constexpr const char* kSlotAddress = "koban.rcpt.slot@slot.invalid";
constexpr const char* kSlotMessageId = "<koban.msgid.slot@slot.invalid>";
constexpr const char* kSlotUnsubscribe = "<koban-unsubscribe-slot>";
constexpr const char* kSlotLink = "KOBANPERSONALLINKSLOT";

// The subscribers an alert goes to: confirmed, the category chosen, and the whole prefecture,
// all areas or an area in common. A constant; the three `?` are bound by ensure_alert_run.
constexpr const char* kRecipientsSelect =
    "SELECT s.id FROM subscribers s WHERE s.state = 'confirmed' AND (s.categories & ?) <> 0"
    " AND (? = 1 OR s.all_areas = 1 OR EXISTS (SELECT 1 FROM subscriber_areas sa"
    " JOIN alert_areas aa ON aa.unit_id = sa.unit_id WHERE sa.subscriber_id = s.id AND aa.alert_id = ?))";

// One line of quoted-printable text (RFC 2045 6.7): '=' and anything outside printable ASCII
// escaped, soft line breaks keep every line within 76 characters.
std::string qp_line(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t col = 0;
  for (unsigned char c : in) {
    std::string piece;
    if (c == '=' || c < 33 || c > 126) {
      piece = {'=', kHex[c >> 4], kHex[c & 15]};
    } else {
      piece = std::string(1, static_cast<char>(c));
    }
    if (col + piece.size() > 75) {
      out += "=\r\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  }
  return out;
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 32 && c < 127; });
}

std::string areas_text(store::Session& s, const Alert& a) {
  if (a.whole_prefecture) return "県下全域";
  std::string out;
  for (auto id : a.areas) {
    auto u = org::get_unit(s, id);
    if (!u) continue;
    out += (out.empty() ? "" : "、") + u->name + (u->jurisdiction.empty() ? "" : "（" + u->jurisdiction + "）");
  }
  return out;
}

}  // namespace

// ---- runs -------------------------------------------------------------------------------

Result<std::optional<std::int64_t>> find_alert_run(store::Session& s, std::int64_t alert_id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT id FROM mail_bulk_runs WHERE kind = ? AND ref = ? ORDER BY id LIMIT 1",
                                  kRunKind, std::to_string(alert_id)));
  if (rows.empty()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{rows[0].int64(0)};
}

Result<std::int64_t> ensure_alert_run(store::Session& s, std::int64_t alert_id, Instant now) {
  // A write to the alert's row takes its row lock (PostgreSQL; SQLite has one writer anyway),
  // so two jobs for one alert serialise here and the second one sees the first one's run.
  KOBAN_ASSIGN(auto locked, s.exec("UPDATE alerts SET updated_at = updated_at WHERE id = ?", alert_id));
  if (locked == 0) return Error::not_found("指定された配信文は見つかりません。");
  KOBAN_ASSIGN(auto existing, find_alert_run(s, alert_id));
  if (existing) return *existing;
  KOBAN_ASSIGN(auto a, get_alert(s, alert_id));
  return mail::bulk::create_run(s, kRunKind, std::to_string(alert_id), now, kRecipientsSelect,
                                static_cast<std::int64_t>(category_bit(a.category)), a.whole_prefecture ? 1 : 0,
                                alert_id);
}

// ---- messages -----------------------------------------------------------------------------

Result<AlertMessages::Template> AlertMessages::make_template(const mail::Message& m, mail::Charset cs) {
  KOBAN_ASSIGN(std::string raw, mail::build_message(m, {.charset = cs, .text_encoding = mail::TextEncoding::quoted_printable, .boundary = ""}));
  const std::string markers[] = {std::string("To: ") + kSlotAddress + "\r\n",
                                 std::string("Message-ID: ") + kSlotMessageId + "\r\n",
                                 std::string("List-Unsubscribe: ") + kSlotUnsubscribe + "\r\n", kSlotLink};
  std::vector<std::pair<std::size_t, int>> found;
  for (int i = 0; i < 4; ++i) {
    const auto at = raw.find(markers[i]);
    if (at == std::string::npos || raw.find(markers[i], at + 1) != std::string::npos)
      return Error::internal("alert mail template: slot " + std::to_string(i) + " not found exactly once");
    found.emplace_back(at, i);
  }
  std::sort(found.begin(), found.end());
  Template t;
  t.charset = cs;
  const auto body = raw.find("\r\n\r\n");
  t.quoted_printable = raw.substr(0, body).find("Content-Transfer-Encoding: quoted-printable") != std::string::npos;
  std::size_t pos = 0;
  for (const auto& [at, slot] : found) {
    t.pieces.push_back(raw.substr(pos, at - pos));
    t.slots.push_back(slot);
    pos = at + markers[slot].size();
  }
  t.pieces.push_back(raw.substr(pos));
  return t;
}

Result<AlertMessages> AlertMessages::build(store::Session& s, const SubscriberKeys& keys, std::int64_t alert_id,
                                           const DeliverySettings& settings, Instant date) {
  if (!printable_ascii(settings.base_url) || settings.base_url.size() > 200)
    return Error::invalid("server.base_url must be printable ASCII within 200 characters");
  KOBAN_ASSIGN(auto a, get_alert(s, alert_id));
  KOBAN_ASSIGN(auto unit, org::get_unit(s, a.unit_id));
  MailTextInput in{.category = a.category, .title = a.title, .body = a.body, .unit_name = unit.name,
                   .areas_text = areas_text(s, a), .personal_link = kSlotLink};
  if (a.follow_kind) in.follow_label = label(*a.follow_kind);
  const MailText text = alert_mail_text(in);

  AlertMessages out;
  out.subject_ = text.subject;
  out.base_url_ = settings.base_url;
  out.keys_ = keys;
  out.alert_id_ = alert_id;
  const auto at = settings.from.address.rfind('@');
  out.id_domain_ = at == std::string::npos ? "localhost" : settings.from.address.substr(at + 1);

  mail::Message m;
  m.from = settings.from;
  m.to = {{"", kSlotAddress}};
  m.subject = text.subject;
  m.date = date;
  m.message_id = kSlotMessageId;
  m.headers = {{"List-Unsubscribe", kSlotUnsubscribe}, {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  // The force signs below the personal link (the footer of every alert mail).
  m.text = text.text + settings.force_name + "\n";
  KOBAN_ASSIGN(out.utf8_, make_template(m, mail::Charset::utf8));
  KOBAN_ASSIGN(out.iso_, make_template(m, mail::Charset::iso2022jp));
  return out;
}

Result<std::string> AlertMessages::render_with(const Template& t, std::int64_t subscriber_id,
                                               std::string_view address, std::string_view token) const {
  KOBAN_ASSIGN(auto to, mail::address_header("To", {{"", std::string(address)}}, t.charset));
  const std::string unsubscribe = unsubscribe_url(base_url_, token);
  const std::string link = manage_url(base_url_, token);
  const std::string id = "<" + keys_->keyed_hash("message-id", std::to_string(alert_id_) + ":" +
                                                               std::to_string(subscriber_id)).substr(0, 32) +
                         "." + std::to_string(alert_id_) + "@" + id_domain_ + ">";
  std::string out;
  out.reserve(t.pieces.front().size() + t.pieces.back().size() + 1024 + 2 * link.size());
  for (std::size_t i = 0; i < t.slots.size(); ++i) {
    out += t.pieces[i];
    switch (t.slots[i]) {
      case kTo: out += to; break;
      case kMessageId: out += "Message-ID: " + id + "\r\n"; break;
      // One unfolded line: a URL has no place to fold, and 998 bytes is the hard limit.
      case kUnsubscribe: out += "List-Unsubscribe: <" + unsubscribe + ">\r\n"; break;
      case kLink: out += t.quoted_printable ? qp_line(link) : link; break;
    }
  }
  out += t.pieces.back();
  return out;
}

Result<std::string> AlertMessages::render(std::int64_t subscriber_id, std::string_view address,
                                          std::string_view token, MailEncoding encoding) const {
  return render_with(encoding == MailEncoding::iso2022jp ? iso_ : utf8_, subscriber_id, address, token);
}

// ---- delivery -----------------------------------------------------------------------------

namespace {

// Renders the chunk's subscribers that are still confirmed; the others are left out (skipped).
Result<void> render_chunk(store::Database& db, const SubscriberKeys& keys, const AlertMessages& messages,
                          std::span<const std::int64_t> ids, std::vector<mail::bulk::RenderedItem>& out) {
  if (ids.empty()) return ok();
  std::string sql = "SELECT id, address_box, encoding, link_key FROM subscribers WHERE state = 'confirmed' AND id IN (";
  std::vector<store::Value> params;
  params.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ",?" : "?";
    params.emplace_back(ids[i]);
  }
  sql += ") ORDER BY id";
  store::Rows rows;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(rows, s.query_values(sql, params));
    return ok();
  }));
  for (const auto& r : rows) {
    const std::int64_t id = r.int64(0);
    auto address = keys.box.open(r.text(1));
    if (!address) return Error::internal("subscriber " + std::to_string(id) + ": address cannot be opened");
    const auto enc = parse_mail_encoding(r.text(2)).value_or(MailEncoding::utf8);
    KOBAN_ASSIGN(auto data, messages.render(id, *address, personal_token(keys, id, r.text(3)), enc));
    out.push_back({id, std::move(*address), std::move(data)});
  }
  return ok();
}

// No SMTP (mail.transport = catcher): every message is rendered, the first `keep` go to the
// catcher, the run's items are recorded as sent (or skipped) without leaving the machine.
Result<bool> demo_send(store::Database& db, const SubscriberKeys& keys, const AlertMessages& messages,
                       const DeliverySettings& settings, std::int64_t alert_id, std::int64_t run_id,
                       const Clock& clock) {
  std::size_t kept = 0;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*) FROM mail_outbox WHERE batch_key = ?",
                                    "alert:" + std::to_string(alert_id)));
    kept = static_cast<std::size_t>(rows.at(0).int64(0));
    return ok();
  }));
  const std::int64_t chunk = static_cast<std::int64_t>(std::clamp<std::size_t>(settings.bulk.chunk_size, 1, 5000));
  std::int64_t after = 0;
  for (;;) {
    std::vector<std::int64_t> ids;
    KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT item_id FROM mail_bulk_items WHERE run_id = ? AND state = 'pending'"
                                      " AND item_id > ? ORDER BY item_id LIMIT ?",
                                      run_id, after, chunk));
      for (const auto& r : rows) ids.push_back(r.int64(0));
      return ok();
    }));
    if (ids.empty()) break;
    after = ids.back();
    std::vector<mail::bulk::RenderedItem> out;
    KOBAN_TRY(render_chunk(db, keys, messages, ids, out));
    const Instant now = clock.now();
    KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
      std::size_t k = 0;
      for (auto id : ids) {
        const bool rendered = k < out.size() && out[k].item_id == id;
        if (rendered && kept < settings.catcher_keep) {
          KOBAN_TRY(mail::enqueue(s, {.transport = "catcher", .sender = settings.from.address,
                                      .recipient = out[k].recipient, .message = out[k].data,
                                      .batch_key = "alert:" + std::to_string(alert_id)},
                                  now));
          ++kept;
        }
        KOBAN_TRY(s.exec("UPDATE mail_bulk_items SET state = ?, attempts = attempts + ? WHERE run_id = ? AND item_id = ?",
                         rendered ? "sent" : "skipped", rendered ? 1 : 0, run_id, id));
        if (rendered) ++k;
      }
      return ok();
    }));
  }
  const Instant now = clock.now();
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT state, COUNT(*) FROM mail_bulk_items WHERE run_id = ? GROUP BY state", run_id));
    std::map<std::string, std::int64_t> n;
    for (const auto& r : rows) n[r.text(0)] = r.int64(1);
    KOBAN_TRY(s.exec("UPDATE mail_bulk_runs SET state = 'done', sent = ?, skipped = ?, deferred = 0, bounced = 0,"
                     " failed = 0, started_at = COALESCE(started_at, ?), finished_at = ?, updated_at = ? WHERE id = ?",
                     n["sent"], n["skipped"], to_unix(now), to_unix(now), to_unix(now), run_id));
    return ok();
  }));
  return true;
}

}  // namespace

Result<DeliveryOutcome> deliver_alert(store::Database& db, mail::SmtpDelivery* smtp, const SubscriberKeys& keys,
                                      const DeliverySettings& settings, std::int64_t alert_id, const Clock& clock) {
  DeliveryOutcome outcome;
  std::int64_t run_id = 0;
  bool deliverable = true;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, get_alert(s, alert_id));
    if (a.state != "approved" && a.state != "sending" && a.state != "sent") {
      deliverable = false;  // withdrawn or never approved: a stale job, nothing to send
      return ok();
    }
    KOBAN_ASSIGN(run_id, ensure_alert_run(s, alert_id, clock.now()));
    // Staff pages and the register show 配信中 from the first message to the last.
    if (a.state == "approved")
      KOBAN_TRY(s.exec("UPDATE alerts SET state = 'sending', updated_at = ? WHERE id = ? AND state = 'approved'",
                       to_unix(clock.now()), alert_id));
    return ok();
  }));
  if (!deliverable) {
    outcome.done = true;
    outcome.skipped_alert = true;
    return outcome;
  }
  std::optional<AlertMessages> messages;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto m, AlertMessages::build(s, keys, alert_id, settings, clock.now()));
    messages.emplace(std::move(m));
    return ok();
  }));
  KOBAN_ASSIGN(auto before, mail::bulk::run_progress(db, run_id));
  if (before.state == "done") {
    outcome.done = true;
  } else if (!smtp) {
    outcome.demo = true;
    KOBAN_ASSIGN(outcome.done, demo_send(db, keys, *messages, settings, alert_id, run_id, clock));
  } else {
    Subscribers subs(keys, {.base_url = settings.base_url, .hard_failure_limit = settings.hard_failure_limit});
    mail::bulk::BulkOptions options = settings.bulk;
    options.sender = settings.from.address;
    mail::bulk::BulkSender sender(db, *smtp, options);
    mail::bulk::Hooks hooks{
        .on_success = [&subs](store::Session& s, std::int64_t id) { return subs.record_success(s, id); },
        .on_hard_failure = [&subs, &clock](store::Session& s, std::int64_t id) -> Result<void> {
          KOBAN_TRY(subs.record_hard_failure(s, id, clock.now(), "alert delivery: permanent failure"));
          return ok();
        }};
    const AlertMessages& msgs = *messages;
    KOBAN_ASSIGN(auto report, sender.send(run_id, [&](std::span<const std::int64_t> ids,
                                                       std::vector<mail::bulk::RenderedItem>& out) {
      return render_chunk(db, keys, msgs, ids, out);
    }, hooks));
    outcome.done = report.done;
    outcome.resume_at = report.resume_at;
  }
  if (outcome.done) {
    KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> { return mark_sent(s, alert_id, clock.now()); }));
  }
  KOBAN_ASSIGN(outcome.progress, mail::bulk::run_progress(db, run_id));
  return outcome;
}

// ---- pages --------------------------------------------------------------------------------

std::string mask_address(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return "***";
  std::string first(1, address[0]);
  if (first[0] == '"') first = "\"";
  if (static_cast<unsigned char>(first[0]) >= 0x80) first = "*";
  return first + "***" + std::string(address.substr(at));
}

Result<std::vector<BouncedAddress>> bounced_addresses(store::Database& db, const SubscriberKeys& keys,
                                                      std::int64_t run_id, std::size_t limit) {
  std::vector<BouncedAddress> out;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT i.item_id, i.state, i.last_code, i.last_error, s.address_box"
                                    " FROM mail_bulk_items i JOIN subscribers s ON s.id = i.item_id"
                                    " WHERE i.run_id = ? AND i.state IN ('bounced', 'failed') ORDER BY i.item_id LIMIT ?",
                                    run_id, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000))));
    for (const auto& r : rows) {
      auto address = keys.box.open(r.text(4));
      out.push_back({r.int64(0), address ? *address : std::string("（復号できません）"), r.text(1),
                     static_cast<int>(r.int64(2)), r.text(3)});
    }
    return ok();
  }));
  return out;
}

Result<std::vector<DailyDeliveries>> deliveries_per_day(store::Session& s, Date from, Date to) {
  std::vector<DailyDeliveries> out;
  if (to < from || to.days() - from.days() > 400) return Error::invalid("期間は400日以内で指定してください。");
  for (Date d = from; d <= to; d = d.plus_days(1)) out.push_back({.day = d});
  const Instant start = from_jst({from, 0, 0, 0});
  const Instant end = from_jst({to.plus_days(1), 0, 0, 0});
  KOBAN_ASSIGN(auto rows, s.query("SELECT finished_at, sent, bounced, failed FROM mail_bulk_runs"
                                  " WHERE kind = ? AND state = 'done' AND finished_at >= ? AND finished_at < ?",
                                  kRunKind, to_unix(start), to_unix(end)));
  for (const auto& r : rows) {
    const Date d = to_jst(from_unix(r.int64(0))).date;
    const auto i = d.days() - from.days();
    if (i < 0 || i >= static_cast<std::int64_t>(out.size())) continue;
    auto& e = out[static_cast<std::size_t>(i)];
    ++e.alerts;
    e.sent += r.int64(1);
    e.bounced += r.int64(2);
    e.failed += r.int64(3);
  }
  return out;
}

Result<int> fill_demo_alert_runs(store::Session& s, Instant now) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT id, sent_at FROM alerts WHERE state = 'sent' AND sent_at IS NOT NULL ORDER BY id"));
  int made = 0;
  for (const auto& r : rows) {
    const std::int64_t alert_id = r.int64(0);
    const Instant sent_at = from_unix(r.int64(1));
    KOBAN_ASSIGN(auto existing, find_alert_run(s, alert_id));
    if (existing) continue;
    KOBAN_ASSIGN(auto run_id, ensure_alert_run(s, alert_id, std::min(sent_at, now)));
    // Plausible figures: about 1 in 40 bounced (old carrier addresses), 1 in 60 skipped (left
    // between approval and sending), the rest sent.
    KOBAN_TRY(s.exec("UPDATE mail_bulk_items SET state = 'sent', attempts = 1 WHERE run_id = ?", run_id));
    KOBAN_TRY(s.exec("UPDATE mail_bulk_items SET state = 'bounced', last_code = 550,"
                     " last_error = '5.1.1 <recipient>: user unknown' WHERE run_id = ? AND (item_id * 7 + ?) % 40 = 0",
                     run_id, alert_id));
    KOBAN_TRY(s.exec("UPDATE mail_bulk_items SET state = 'skipped', attempts = 0 WHERE run_id = ?"
                     " AND state = 'sent' AND (item_id * 11 + ?) % 60 = 0",
                     run_id, alert_id));
    KOBAN_ASSIGN(auto counts, s.query("SELECT state, COUNT(*) FROM mail_bulk_items WHERE run_id = ? GROUP BY state", run_id));
    std::map<std::string, std::int64_t> n;
    for (const auto& c : counts) n[c.text(0)] = c.int64(1);
    const std::int64_t started = to_unix(sent_at);
    const std::int64_t finished = started + 60 + (n["sent"] / 50);  // a minute plus 50 per second
    KOBAN_TRY(s.exec("UPDATE mail_bulk_runs SET state = 'done', sent = ?, bounced = ?, skipped = ?, started_at = ?,"
                     " finished_at = ?, updated_at = ? WHERE id = ?",
                     n["sent"], n["bounced"], n["skipped"], started, finished, finished, run_id));
    ++made;
  }
  return made;
}

}  // namespace koban::alerts

#include "mailbox/mailbox.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "http/forms/utf8.h"
#include "mail/address.h"
#include "mail/mime.h"
#include "mail/outbox.h"
#include "mailbox/reply_templates.h"
#include "mailbox/urgent_notice.h"
#include "mailbox/urgent_words.h"
#include "org/people.h"
#include "org/units.h"
#include "store/rate_limit.h"
#include "store/jobs.h"

namespace koban::mailbox {
namespace {

constexpr const char* kResidentName = "けんけいメールボックス（投稿者）";
constexpr const char* kSystemName = "システム";
constexpr const char* kColumns =
    "id, receipt, kind, queue, state, urgent, received_at, assignee_name, urgent_terms, contact_kind, sealed, "
    "office_hours, assignee_id, closed_at";

std::string jst_text(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

// Blanks at both ends, including line breaks and U+3000 (people paste text with them).
std::string trim_all(std::string_view s) {
  auto blank_front = [&] {
    if (s.empty()) return std::size_t{0};
    if (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n') return std::size_t{1};
    return s.starts_with("\xE3\x80\x80") ? std::size_t{3} : std::size_t{0};
  };
  auto blank_back = [&] {
    if (s.empty()) return std::size_t{0};
    if (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n') return std::size_t{1};
    return s.ends_with("\xE3\x80\x80") ? std::size_t{3} : std::size_t{0};
  };
  for (std::size_t n; (n = blank_front()) > 0;) s.remove_prefix(n);
  for (std::size_t n; (n = blank_back()) > 0;) s.remove_suffix(n);
  return std::string(s);
}

bool has_control(std::string_view s, bool allow_breaks) {
  for (unsigned char c : s) {
    if (allow_breaks && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string with_commas(std::size_t n) {
  std::string d = std::to_string(n), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(d[i]);
  }
  return out;
}

// A checked text of a staff form (note, reply).
Result<std::string> staff_text(std::string_view in, const char* what, std::size_t max_chars) {
  if (!http::forms::is_valid_utf8(in) || has_control(in, true))
    return Error::invalid(std::string(what) + "に使えない文字が含まれています。");
  std::string t = trim_all(in);
  if (t.empty()) return Error::invalid(std::string(what) + "を入力してください。");
  if (http::forms::utf8_length(t) > max_chars)
    return Error::invalid(std::string(what) + "は" + with_commas(max_chars) + "文字以内で入力してください。");
  return t;
}

bool role_may_handle(org::Role r) { return org::role_allows(r, org::Action::write); }

}  // namespace

struct Mailbox::Row {
  MessageSummary summary;
  std::vector<std::string> urgent_terms;
  ContactKind contact_kind = ContactKind::none;
  std::string sealed;
  bool office_hours = false;
  std::optional<std::int64_t> assignee_id;
  std::optional<Instant> closed_at;
};

namespace {

const char* to_string(ContactKind k) {
  return k == ContactKind::email ? "email" : k == ContactKind::phone ? "phone" : "none";
}

ContactKind parse_contact_kind(std::string_view s) {
  return s == "email" ? ContactKind::email : s == "phone" ? ContactKind::phone : ContactKind::none;
}

MessageSummary summary_of(const store::Row& r) {
  MessageSummary m;
  m.id = r.int64(0);
  m.receipt = r.text(1);
  m.kind = parse_kind(r.text(2)).value_or(Kind::opinion);
  m.queue = parse_queue(r.text(3)).value_or(Queue::pr);
  m.state = parse_state(r.text(4)).value_or(State::fresh);
  m.urgent = r.int64(5) != 0;
  m.received_at = from_unix(r.int64(6));
  m.assignee_name = r.opt_text(7);
  return m;
}

std::vector<std::string> split_terms(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

ContactKind contact_kind(std::string_view contact) {
  if (contact.empty()) return ContactKind::none;
  return contact.find('@') != std::string_view::npos ? ContactKind::email : ContactKind::phone;
}

std::vector<FieldError> check_submission(const Submission& s, std::size_t max_text_chars) {
  std::vector<FieldError> errors;
  if (!s.kind) errors.push_back({"kind", "種別（意見・要望・苦情・情報提供）を選んでください。"});
  if (!http::forms::is_valid_utf8(s.text) || has_control(s.text, true)) {
    errors.push_back({"text", "本文に使えない文字が含まれています。"});
  } else if (trim_all(s.text).empty()) {
    errors.push_back({"text", "本文を入力してください。"});
  } else if (const auto n = http::forms::utf8_length(s.text); n > max_text_chars) {
    errors.push_back({"text", "本文は" + with_commas(max_text_chars) + "文字以内で入力してください（現在 " +
                                  with_commas(n) + " 文字）。"});
  }
  if (!http::forms::is_valid_utf8(s.name) || has_control(s.name, false))
    errors.push_back({"name", "お名前に使えない文字が含まれています。"});
  else if (http::forms::utf8_length(s.name) > kMaxNameChars)
    errors.push_back({"name", "お名前は" + std::to_string(kMaxNameChars) + "文字以内で入力してください。"});
  const std::string contact = trim_all(s.contact);
  if (!contact.empty()) {
    if (!http::forms::is_valid_utf8(contact) || contact.size() > kMaxContactChars) {
      errors.push_back({"contact", "連絡先は、メールアドレスか電話番号で入力してください。"});
    } else if (contact_kind(contact) == ContactKind::email) {
      if (auto a = mail::parse_address(contact); !a)
        errors.push_back({"contact", "メールアドレスの形が正しくありません。例: taro@example.jp"});
    } else {
      // A phone number, loosely: digits (half or full width), hyphens, brackets, +, blanks.
      int digits = 0;
      bool bad = false;
      for (std::size_t i = 0; i < contact.size();) {
        const auto c = http::forms::decode_utf8(contact, i);
        const char32_t cp = c.code_point;
        if (cp >= U'0' && cp <= U'9') ++digits;
        else if (cp >= U'０' && cp <= U'９') ++digits;
        else if (!(cp == U'-' || cp == U'－' || cp == U'ー' || cp == U'‐' || cp == U'(' || cp == U')' ||
                   cp == U'（' || cp == U'）' || cp == U'+' || cp == U' ' || cp == U'　'))
          bad = true;
        i += c.len > 0 ? c.len : 1;
      }
      if (bad || digits < 10 || digits > 15)
        errors.push_back({"contact", "連絡先は、メールアドレスか電話番号（例: 090-1234-5678）で入力してください。"});
    }
  }
  if (!s.consent) errors.push_back({"consent", "個人情報の取扱いに同意していただく必要があります。"});
  return errors;
}

Result<Mailbox> Mailbox::create(std::string_view secret, MailboxSettings settings, calendar::BusinessCalendar calendar) {
  KOBAN_ASSIGN(auto keys, MailboxKeys::from_secret(secret));
  if (settings.retention_days < 1) return Error::invalid("mailbox.retention_days must be at least 1");
  if (settings.max_text_chars < 100) return Error::invalid("mailbox.max_text_chars must be at least 100");
  std::vector<std::string> words = settings.urgent_words;
  if (words.empty()) {
    KOBAN_ASSIGN(words, parse_urgent_words(kDefaultUrgentWords));
  }
  while (!settings.base_url.empty() && settings.base_url.back() == '/') settings.base_url.pop_back();
  return Mailbox(std::move(keys), std::move(settings), std::move(calendar), std::move(words));
}

Result<void> Mailbox::check_ip_limit(store::Session& s, std::string_view ip, Instant now) const {
  if (ip.empty() || settings_.ip_limit_per_hour <= 0) return ok();
  // A fixed one-hour window per client (store/rate_limit.h).
  KOBAN_ASSIGN(auto hits, store::count_hit(s, "mailbox_rate_limits", keys_.keyed_hash("ip", ip), now, std::chrono::hours(1)));
  if (hits > settings_.ip_limit_per_hour)
    return Error{ErrorCode::rate_limited,
                 "短い時間に多くの投稿がありました。しばらく（1時間ほど）たってから、もう一度お試しください。"
                 "お急ぎの場合や緊急の場合は、電話または110番でご連絡ください。"};
  return ok();
}

Result<Receipt> Mailbox::submit(store::Session& s, const Submission& in, Instant now) const {
  const auto errors = check_submission(in, settings_.max_text_chars);
  if (!errors.empty()) return Error::invalid(errors.front().message);
  KOBAN_TRY(check_ip_limit(s, in.client_ip, now));

  Receipt r;
  r.queue = route(now);
  const std::string text = trim_all(in.text), name = trim_all(in.name), contact = trim_all(in.contact);
  const auto terms = urgent_terms(text, words_);
  r.urgent = !terms.empty();
  std::string joined;
  for (const auto& t : terms) joined += (joined.empty() ? "" : ",") + t;
  const ContactKind ck = contact_kind(contact);
  const std::string sealed = keys_.box.seal(nlohmann::json{{"n", name}, {"c", contact}, {"t", text}}.dump());
  const std::int64_t t = to_unix(now);
  // 30 random bits per day: a collision is rare, and then another number is drawn.
  for (int attempt = 0; attempt < 8 && r.id == 0; ++attempt) {
    r.receipt = new_receipt_number(now);
    KOBAN_ASSIGN(auto rows,
                 s.query("INSERT INTO mailbox_messages (receipt, kind, queue, state, urgent, urgent_terms, contact_kind,"
                         " sealed, received_at, office_hours, updated_at) VALUES (?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?)"
                         " ON CONFLICT (receipt) DO NOTHING RETURNING id",
                         r.receipt, to_string(*in.kind), to_string(r.queue), r.urgent, joined, to_string(ck),
                         store::Blob{sealed}, t, r.queue == Queue::pr, t));
    if (!rows.empty()) r.id = rows[0].int64(0);
  }
  if (r.id == 0) return Error::internal("mailbox: no free receipt number");

  if (ck == ContactKind::email) {
    mail::Message m;
    m.from = {settings_.from_name, settings_.from_address};
    m.to = {{"", contact}};
    m.subject = std::string("【") + settings_.from_name + "】" + kServiceName + " 受付のお知らせ（受付番号 " + r.receipt + "）";
    m.date = now;
    // Only what we chose to say: no name and no text of the message, so that the form cannot
    // be used to send someone else a text of the sender's choosing.
    m.text = std::string(kServiceName) + "へのご投稿を受け付けました。\n\n" + "受付番号: " + r.receipt + "\n" +
             "種別: " + label(*in.kind) + "\n" + "受付日時: " + jst_text(now) + "\n\n" +
             "お問い合わせの際は、受付番号をお知らせください。\n"
             "ご投稿の内容は、このメールには記載していません。\n"
             "お心当たりのない場合は、このメールを破棄してください。\n"
             "このメールには返信できません。緊急の場合は110番に通報してください。\n\n" +
             settings_.from_name + "\n";
    KOBAN_ASSIGN(auto raw, mail::build_message(m));
    KOBAN_TRY(mail::enqueue(s, {.transport = settings_.mail_transport, .sender = settings_.from_address,
                                .recipient = contact, .message = raw, .batch_key = "mailbox:" + std::to_string(r.id)},
                            now));
    r.receipt_mail = true;
  }
  if (r.urgent) {
    KOBAN_TRY(store::enqueue(s, {.kind = kUrgentNoticeJob,
                                 .payload = nlohmann::json{{"message_id", r.id}, {"receipt", r.receipt},
                                                           {"queue", to_string(r.queue)}}.dump(),
                                 .run_at = now,
                                 .dedupe_key = std::string(kUrgentNoticeJob) + ":" + std::to_string(r.id)},
                             now));
  }
  std::string summary = std::string("受付: ") + label(*in.kind) + "、" + label(r.queue) + "へ" +
                        (r.queue == Queue::pr ? "（執務時間内）" : "（執務時間外）");
  if (r.urgent) summary += "、緊急（" + joined + "）";
  KOBAN_TRY(audit::append(s,
                          {.actor_name = kResidentName, .action = "mailbox.message.receive",
                           .object_type = "mailbox_message", .object_id = std::to_string(r.id),
                           .summary = summary, .address = in.client_ip},
                          now));
  return r;
}

Result<std::int64_t> Mailbox::queue_unit(store::Session& s, Queue q) const {
  const std::string& code = q == Queue::pr ? settings_.pr_unit_code : settings_.duty_unit_code;
  KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, code));
  if (!unit) return Error::internal("mailbox: no unit with code " + code);
  return unit->id;
}

Result<bool> Mailbox::is_member(store::Session& s, const org::Actor& actor, Queue q, bool to_act) const {
  if (actor.status == org::PersonStatus::retired || actor.status == org::PersonStatus::suspended) return false;
  if (to_act && actor.status != org::PersonStatus::active) return false;
  KOBAN_ASSIGN(auto unit, queue_unit(s, q));
  for (const auto& g : actor.grants)
    if (g.purpose == org::Purpose::mailbox && role_may_handle(g.role) && (!g.unit || *g.unit == unit)) return true;
  return false;
}

Result<std::vector<Queue>> Mailbox::visible_queues(store::Session& s, const org::Actor& actor) const {
  std::vector<Queue> out;
  for (auto q : kAllQueues) {
    KOBAN_ASSIGN(bool member, is_member(s, actor, q, false));
    if (member) out.push_back(q);
  }
  return out;
}

Result<bool> Mailbox::may_act(store::Session& s, const org::Actor& actor, Queue q) const {
  return is_member(s, actor, q, true);
}

Result<MessagePage> Mailbox::list(store::Session& s, const org::Actor& actor, const ListFilter& f) const {
  MessagePage page;
  KOBAN_ASSIGN(page.queues, visible_queues(s, actor));
  if (page.queues.empty())
    return Error::denied("メールボックスを見る権限がありません（広報課・本部総合当直のメールボックス担当者だけが見られます）。");
  if (f.queue && std::find(page.queues.begin(), page.queues.end(), *f.queue) == page.queues.end())
    return Error::denied(std::string(label(*f.queue)) + "のメールボックスを見る権限がありません。");
  const int limit = std::clamp(f.limit, 1, 200);
  const Queue q1 = f.queue ? *f.queue : page.queues.front();
  const Queue q2 = f.queue ? *f.queue : page.queues.back();
  KOBAN_ASSIGN(auto rows,
               s.query(std::string("SELECT ") + kColumns +
                           " FROM mailbox_messages WHERE (queue = ? OR queue = ?) AND (? = '' OR state = ?)"
                           " AND (? = '' OR kind = ?) AND (? = 0 OR urgent = 1) AND id < ? ORDER BY id DESC LIMIT ?",
                       to_string(q1), to_string(q2), f.state ? to_string(*f.state) : "",
                       f.state ? to_string(*f.state) : "", f.kind ? to_string(*f.kind) : "",
                       f.kind ? to_string(*f.kind) : "", f.urgent_only, f.before.value_or(INT64_MAX), limit + 1));
  for (const auto& r : rows) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_before = page.items.back().id;
      break;
    }
    page.items.push_back(summary_of(r));
  }
  return page;
}

Result<Mailbox::Row> Mailbox::load_for(store::Session& s, const Who& who, std::int64_t id, bool to_act,
                                       const char* action) const {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns + " FROM mailbox_messages WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("指定された投稿は見つかりません。");
  Row row;
  row.summary = summary_of(rows[0]);
  KOBAN_ASSIGN(bool member, is_member(s, who.actor, row.summary.queue, to_act));
  if (!member)
    return Error::denied(std::string("この投稿を") + action + "権限がありません（" + label(row.summary.queue) +
                         "のメールボックス担当者だけが扱えます）。");
  row.urgent_terms = split_terms(rows[0].text(8));
  row.contact_kind = parse_contact_kind(rows[0].text(9));
  row.sealed = rows[0].text(10);
  row.office_hours = rows[0].int64(11) != 0;
  row.assignee_id = rows[0].opt_int64(12);
  if (auto c = rows[0].opt_int64(13)) row.closed_at = from_unix(*c);
  return row;
}

Result<void> Mailbox::audit(store::Session& s, const Who& who, const std::string& action, std::int64_t id,
                            const std::string& summary, Instant now) const {
  KOBAN_TRY(audit::append(s,
                          {.actor_id = who.actor.person, .actor_name = who.actor.display_name,
                           .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                           .object_type = "mailbox_message", .object_id = std::to_string(id),
                           .summary = summary, .address = who.address},
                          now));
  return ok();
}

Result<void> Mailbox::add_event(store::Session& s, const Who& who, std::int64_t id, std::string_view kind,
                                std::string_view detail, std::optional<std::string_view> sealed_text,
                                Instant now) const {
  store::Value sealed = store::Null{};
  if (sealed_text) sealed = store::Blob{keys_.box.seal(*sealed_text)};
  KOBAN_TRY(s.exec("INSERT INTO mailbox_events (message_id, kind, actor_id, actor_name, at, detail, sealed)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   id, kind, who.actor.person, who.actor.display_name, to_unix(now), detail, sealed));
  KOBAN_TRY(s.exec("UPDATE mailbox_messages SET updated_at = ? WHERE id = ?", to_unix(now), id));
  return ok();
}

Result<Message> Mailbox::open(store::Session& s, const Who& who, std::int64_t id, Instant now) const {
  KOBAN_ASSIGN(auto row, load_for(s, who, id, false, "見る"));
  Message m;
  m.summary = row.summary;
  m.urgent_terms = row.urgent_terms;
  m.contact_kind = row.contact_kind;
  m.office_hours = row.office_hours;
  m.assignee_id = row.assignee_id;
  m.closed_at = row.closed_at;
  KOBAN_ASSIGN(auto plain, keys_.box.open(row.sealed));
  const auto j = nlohmann::json::parse(plain, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::internal("mailbox: sealed message is not JSON");
  m.name = j.value("n", "");
  m.contact = j.value("c", "");
  m.text = j.value("t", "");
  KOBAN_ASSIGN(auto events, s.query("SELECT kind, actor_name, at, detail, sealed FROM mailbox_events"
                                    " WHERE message_id = ? ORDER BY id",
                                    id));
  for (const auto& e : events) {
    Event ev{.kind = e.text(0), .actor_name = e.text(1), .at = from_unix(e.int64(2)), .detail = e.text(3), .text = ""};
    if (!e.is_null(4)) {
      KOBAN_ASSIGN(ev.text, keys_.box.open(e.text(4)));
    }
    m.events.push_back(std::move(ev));
  }
  KOBAN_TRY(audit(s, who, "mailbox.message.view", id, "閲覧（受付番号 " + row.summary.receipt + "）", now));
  return m;
}

Result<std::vector<Member>> Mailbox::members(store::Session& s, Queue q) const {
  KOBAN_ASSIGN(auto unit, queue_unit(s, q));
  std::vector<std::int64_t> ids;
  for (auto role : org::kAllRoles) {
    if (!role_may_handle(role)) continue;
    for (std::optional<org::UnitId> scope : {std::optional<org::UnitId>(unit), std::optional<org::UnitId>()}) {
      KOBAN_ASSIGN(auto h, org::holders(s, role, org::Purpose::mailbox, scope));
      ids.insert(ids.end(), h.begin(), h.end());
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Member> out;
  for (auto id : ids) {
    KOBAN_ASSIGN(auto p, org::get_person(s, id));
    if (p.status == org::PersonStatus::active) out.push_back({p.id, p.display_name});
  }
  return out;
}

Result<void> Mailbox::assign(store::Session& s, const Who& who, std::int64_t id, std::int64_t person, Instant now) const {
  KOBAN_ASSIGN(auto row, load_for(s, who, id, true, "扱う"));
  if (row.summary.state == State::closed) return Error::conflict("完了した投稿の担当は変えられません。");
  KOBAN_ASSIGN(auto members_now, members(s, row.summary.queue));
  auto it = std::find_if(members_now.begin(), members_now.end(), [&](const Member& m) { return m.person == person; });
  if (it == members_now.end())
    return Error::invalid(std::string("担当者は、") + label(row.summary.queue) + "のメールボックス担当者から選んでください。");
  KOBAN_TRY(s.exec("UPDATE mailbox_messages SET assignee_id = ?, assignee_name = ?,"
                   " state = CASE WHEN state = 'new' THEN 'assigned' ELSE state END WHERE id = ?",
                   person, it->name, id));
  KOBAN_TRY(add_event(s, who, id, "assign", "担当: " + it->name, std::nullopt, now));
  return audit(s, who, "mailbox.message.assign", id, "担当: " + row.summary.assignee_name.value_or("なし") + " → " + it->name, now);
}

Result<void> Mailbox::add_note(store::Session& s, const Who& who, std::int64_t id, std::string_view note, Instant now) const {
  KOBAN_ASSIGN(auto row, load_for(s, who, id, true, "扱う"));
  KOBAN_ASSIGN(auto text, staff_text(note, "メモ", kMaxNoteChars));
  KOBAN_TRY(add_event(s, who, id, "note", "内部メモ", std::string_view(text), now));
  return audit(s, who, "mailbox.message.note", id, "内部メモを追加", now);
}

Result<void> Mailbox::reply(store::Session& s, const Who& who, std::int64_t id, std::string_view template_key,
                            std::string_view body, Instant now) const {
  KOBAN_ASSIGN(auto row, load_for(s, who, id, true, "扱う"));
  if (row.summary.state == State::closed) return Error::conflict("完了した投稿には返信できません。");
  if (row.contact_kind != ContactKind::email)
    return Error::invalid("この投稿にはメールアドレスがないため、メールで返信できません。");
  const ReplyTemplate* tpl = find_reply_template(template_key);
  if (!tpl) return Error::invalid("返信のひな形を選んでください。");
  KOBAN_ASSIGN(auto text, staff_text(body, "返信の本文", kMaxReplyChars));
  KOBAN_ASSIGN(auto plain, keys_.box.open(row.sealed));
  const auto j = nlohmann::json::parse(plain, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::internal("mailbox: sealed message is not JSON");
  const std::string name = j.value("n", ""), contact = j.value("c", "");
  const std::string filled = fill_placeholders(text, name, row.summary.receipt);
  mail::Message m;
  m.from = {settings_.from_name, settings_.from_address};
  m.to = {{"", contact}};
  m.subject = std::string("【") + settings_.from_name + "】" + std::string(tpl->subject) + "（受付番号 " +
              row.summary.receipt + "）";
  m.date = now;
  m.text = filled + "\n" + "――\n" + settings_.from_name + " " + kServiceName + "\nこのメールには返信できません。\n";
  KOBAN_ASSIGN(auto raw, mail::build_message(m));
  KOBAN_TRY(mail::enqueue(s, {.transport = settings_.mail_transport, .sender = settings_.from_address,
                              .recipient = contact, .message = raw, .batch_key = "mailbox:" + std::to_string(id)},
                          now));
  KOBAN_TRY(s.exec("UPDATE mailbox_messages SET state = 'answered' WHERE id = ?", id));
  KOBAN_TRY(add_event(s, who, id, "reply", "メールで返信（" + std::string(tpl->title) + "）", std::string_view(filled), now));
  return audit(s, who, "mailbox.message.reply", id,
               std::string("メールで返信（") + std::string(tpl->title) + "）: " + label(row.summary.state) + " → 回答済み", now);
}

Result<void> Mailbox::hand_over(store::Session& s, const Who& who, std::int64_t id, std::string_view note,
                                Instant now) const {
  KOBAN_ASSIGN(auto row, load_for(s, who, id, true, "扱う"));
  if (row.summary.state == State::closed) return Error::conflict("完了した投稿は引き継げません。");
  std::optional<std::string> text;
  if (!trim_all(note).empty()) {
    KOBAN_ASSIGN(text, staff_text(note, "引継ぎのメモ", kMaxNoteChars));
  }
  const Queue to = other(row.summary.queue);
  // The new queue decides who handles it: the assignee of the old queue is cleared.
  KOBAN_TRY(s.exec("UPDATE mailbox_messages SET queue = ?, assignee_id = NULL, assignee_name = NULL,"
                   " state = CASE WHEN state = 'assigned' THEN 'new' ELSE state END WHERE id = ?",
                   to_string(to), id));
  const std::string detail = std::string("引継ぎ: ") + label(row.summary.queue) + " → " + label(to);
  KOBAN_TRY(add_event(s, who, id, "handover", detail,
                      text ? std::optional<std::string_view>(*text) : std::nullopt, now));
  return audit(s, who, "mailbox.message.handover", id, detail, now);
}

Result<void> Mailbox::close(store::Session& s, const Who& who, std::int64_t id, Instant now) const {
  KOBAN_ASSIGN(auto row, load_for(s, who, id, true, "扱う"));
  if (row.summary.state == State::closed) return Error::conflict("この投稿は既に完了しています。");
  KOBAN_TRY(s.exec("UPDATE mailbox_messages SET state = 'closed', closed_at = ? WHERE id = ?", to_unix(now), id));
  KOBAN_TRY(add_event(s, who, id, "close", "完了", std::nullopt, now));
  return audit(s, who, "mailbox.message.close", id, std::string("状態: ") + label(row.summary.state) + " → 完了", now);
}

Result<PurgeReport> Mailbox::purge(store::Session& s, Instant now) const {
  const std::int64_t cutoff = to_unix(now) - std::int64_t{settings_.retention_days} * 86400;
  PurgeReport r;
  KOBAN_ASSIGN(r.events, s.exec("DELETE FROM mailbox_events WHERE message_id IN (SELECT id FROM mailbox_messages"
                                " WHERE closed_at IS NOT NULL AND closed_at < ?)",
                                cutoff));
  KOBAN_ASSIGN(r.messages, s.exec("DELETE FROM mailbox_messages WHERE closed_at IS NOT NULL AND closed_at < ?", cutoff));
  KOBAN_TRY(s.exec("DELETE FROM mailbox_rate_limits WHERE window_start < ?", to_unix(now) - 2 * 3600));
  if (r.messages > 0) {
    KOBAN_TRY(audit::append(s,
                            {.actor_name = kSystemName, .action = "mailbox.message.purge",
                             .object_type = "mailbox_message",
                             .summary = "保存期間（" + std::to_string(settings_.retention_days) +
                                        "日）を過ぎた完了済みの投稿 " + std::to_string(r.messages) + " 件（履歴 " +
                                        std::to_string(r.events) + " 件）を削除"},
                            now));
  }
  return r;
}

}  // namespace koban::mailbox

// The public mailbox けんけいメールボックス (SITE-10, seed 000 第8): receipt of residents'
// messages, routing by the office calendar, the urgent flag, handling by the queues' members
// and the retention purge. Every function runs in the caller's store session; those that
// change something audit it in the same transaction.
//
//   KOBAN_ASSIGN(auto box, mailbox::Mailbox::create(secret, settings, calendar));
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto r, box.submit(s, {.kind = Kind::opinion, .text = t, .consent = true,
//                                         .client_ip = ip}, now));
//     show(r.receipt);                      // "MB-20261124-7K3QX9"
//     return ok();
//   });
//   KOBAN_ASSIGN(auto page, box.list(s, actor, {.queue = Queue::pr, .limit = 50}));   // members only
//   KOBAN_ASSIGN(auto m, box.open(s, who, id, now));   // decrypted; the reading is audited (write)
//   KOBAN_TRY(box.reply(s, who, id, "answer", text, now));   // through the outbox, kept sealed
//
// Routing: at the moment of receipt, office hours of the business calendar → Queue::pr (the
// PR division, unit code settings.pr_unit_code), otherwise → Queue::duty (the HQ duty desk,
// settings.duty_unit_code). A message whose text contains an urgent word is flagged and a
// "mailbox.urgent" job is queued at once; deliver_urgent_notice() (urgent_notice.h) turns it
// into mail to the HQ duty desk and the cyber-crime division (settings.urgent_notify_unit_codes).
//
// Who may see a queue (its members): active people holding a mailbox-purpose grant whose role
// may write (not the system administrator, who keeps the system but has no say over content)
// on the queue's unit, or over the whole force. Restricted people may read but not act.
// Others get permission_denied, and learn nothing about the message.
//
// Personal data (name, contact, text, notes, replies) is sealed with SecretBox("mailbox");
// the database holds kind, queue, state, urgent flag, times and assignee in clear.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar/business_calendar.h"
#include "core/result.h"
#include "core/time.h"
#include "mailbox/mailbox_keys.h"
#include "mailbox/message_types.h"
#include "org/permissions.h"
#include "store/database.h"

namespace koban::mailbox {

inline constexpr const char* kServiceName = "けんけいメールボックス";
inline constexpr std::size_t kMaxNameChars = 50;
inline constexpr std::size_t kMaxContactChars = 254;
inline constexpr std::size_t kMaxNoteChars = 2000;
inline constexpr std::size_t kMaxReplyChars = 8000;

struct MailboxSettings {
  std::string pr_unit_code = "koho";
  std::string duty_unit_code = "honbu-toku";
  std::vector<std::string> urgent_notify_unit_codes{"honbu-toku", "cyber"};
  std::vector<std::string> urgent_words{};  // empty: kDefaultUrgentWords
  int retention_days = 365;               // closed messages are purged after this many days
  std::size_t max_text_chars = 4000;
  int ip_limit_per_hour = 5;              // messages per client address and hour (0: no limit)
  // For the receipt mail and replies.
  std::string base_url{};                 // no trailing slash
  std::string from_address = "noreply@police.example.jp";
  std::string from_name = "サンプル県警察";
  std::string mail_transport = "catcher";
};

struct Submission {
  std::optional<Kind> kind{};  // nullopt: none chosen (a field error)
  std::string text{};
  std::string name{};     // optional
  std::string contact{};  // optional: an e-mail address or a phone number
  bool consent = false;   // to the privacy notice
  std::string client_ip{};
};

enum class ContactKind { none, email, phone };

struct FieldError {
  std::string field;    // "kind", "text", "name", "contact", "consent"
  std::string message;  // Japanese, for the form
};

struct Receipt {
  std::int64_t id = 0;
  std::string receipt;
  Queue queue = Queue::pr;
  bool urgent = false;
  bool receipt_mail = false;  // a receipt mail was queued
};

// Checks a submission without the database: every problem, in the order of the form.
std::vector<FieldError> check_submission(const Submission& s, std::size_t max_text_chars);
ContactKind contact_kind(std::string_view contact);

struct Who {
  org::Actor actor;
  std::string unit_name;
  std::string address;  // client IP for the audit trail
};

struct ListFilter {
  std::optional<Queue> queue{};
  std::optional<State> state{};
  std::optional<Kind> kind{};
  bool urgent_only = false;
  std::optional<std::int64_t> before{};  // keyset paging: ids below this
  int limit = 50;                      // 1..200
};

struct MessageSummary {
  std::int64_t id = 0;
  std::string receipt;
  Kind kind = Kind::opinion;
  Queue queue = Queue::pr;
  State state = State::fresh;
  bool urgent = false;
  Instant received_at{};
  std::optional<std::string> assignee_name;
};

struct MessagePage {
  std::vector<MessageSummary> items;
  std::optional<std::int64_t> next_before;
  std::vector<Queue> queues;  // the queues the viewer may see
};

struct Event {
  std::string kind;  // "assign", "note", "reply", "handover", "close"
  std::string actor_name;
  Instant at{};
  std::string detail;  // clear text: "担当: 鈴木 花子", "広報課 → 本部総合当直"
  std::string text;    // notes and replies, opened
};

struct Message {
  MessageSummary summary;
  std::string text, name, contact;
  ContactKind contact_kind = ContactKind::none;
  std::vector<std::string> urgent_terms;
  bool office_hours = false;
  std::optional<std::int64_t> assignee_id;
  std::optional<Instant> closed_at;
  std::vector<Event> events;  // oldest first
};

struct Member {
  std::int64_t person = 0;
  std::string name;
};

struct PurgeReport {
  std::int64_t messages = 0;
  std::int64_t events = 0;
};

class Mailbox {
 public:
  // secret: the app's secret key. Refuses bad settings (retention below 1, no urgent word).
  static Result<Mailbox> create(std::string_view secret, MailboxSettings settings,
                                calendar::BusinessCalendar calendar);

  const MailboxSettings& settings() const { return settings_; }
  const MailboxKeys& keys() const { return keys_; }
  const calendar::BusinessCalendar& calendar() const { return calendar_; }
  const std::vector<std::string>& urgent_words() const { return words_; }

  // Which queue a message received at `t` goes to.
  Queue route(Instant t) const { return calendar_.is_office_hours(t) ? Queue::pr : Queue::duty; }

  // Stores the message (sealed), queues the receipt mail when the contact is an e-mail
  // address and the urgent notice job when flagged, and audits the receipt. invalid_argument
  // (the first field error's message) for a bad submission; rate_limited past the per-address
  // limit (then nothing is stored).
  Result<Receipt> submit(store::Session& s, const Submission& in, Instant now) const;

  // The queues the actor may see (members), and may act in.
  Result<std::vector<Queue>> visible_queues(store::Session& s, const org::Actor& actor) const;
  Result<bool> may_act(store::Session& s, const org::Actor& actor, Queue q) const;

  Result<MessagePage> list(store::Session& s, const org::Actor& actor, const ListFilter& f) const;
  // The whole message, opened; the reading is audited (call inside a write).
  Result<Message> open(store::Session& s, const Who& who, std::int64_t id, Instant now) const;
  // Members of a queue who may act (for the assignment list), by name.
  Result<std::vector<Member>> members(store::Session& s, Queue q) const;

  Result<void> assign(store::Session& s, const Who& who, std::int64_t id, std::int64_t person, Instant now) const;
  Result<void> add_note(store::Session& s, const Who& who, std::int64_t id, std::string_view note, Instant now) const;
  // Mails the reply (placeholders filled) to the resident's address through the outbox.
  Result<void> reply(store::Session& s, const Who& who, std::int64_t id, std::string_view template_key,
                     std::string_view body, Instant now) const;
  Result<void> hand_over(store::Session& s, const Who& who, std::int64_t id, std::string_view note, Instant now) const;
  Result<void> close(store::Session& s, const Who& who, std::int64_t id, Instant now) const;

  // For a nightly job: deletes messages closed more than retention_days ago, with their
  // history, and old rate-limit windows; audited with counts only.
  Result<PurgeReport> purge(store::Session& s, Instant now) const;

 private:
  Mailbox(MailboxKeys keys, MailboxSettings settings, calendar::BusinessCalendar calendar, std::vector<std::string> words)
      : keys_(std::move(keys)), settings_(std::move(settings)), calendar_(std::move(calendar)), words_(std::move(words)) {}

  struct Row;
  Result<std::int64_t> queue_unit(store::Session& s, Queue q) const;
  Result<bool> is_member(store::Session& s, const org::Actor& actor, Queue q, bool to_act) const;
  Result<Row> load_for(store::Session& s, const Who& who, std::int64_t id, bool to_act, const char* action) const;
  Result<void> check_ip_limit(store::Session& s, std::string_view ip, Instant now) const;
  Result<void> add_event(store::Session& s, const Who& who, std::int64_t id, std::string_view kind,
                         std::string_view detail, std::optional<std::string_view> sealed_text, Instant now) const;
  Result<void> audit(store::Session& s, const Who& who, const std::string& action, std::int64_t id,
                     const std::string& summary, Instant now) const;

  MailboxKeys keys_;
  MailboxSettings settings_;
  calendar::BusinessCalendar calendar_;
  std::vector<std::string> words_;
};

}  // namespace koban::mailbox

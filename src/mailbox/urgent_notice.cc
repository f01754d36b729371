#include "mailbox/urgent_notice.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "mail/mime.h"
#include "mail/outbox.h"
#include "mailbox/mailbox.h"
#include "org/people.h"
#include "org/units.h"

namespace koban::mailbox {

Result<std::vector<std::int64_t>> urgent_recipients(store::Session& s, const Mailbox& box) {
  std::vector<std::int64_t> ids;
  for (const auto& code : box.settings().urgent_notify_unit_codes) {
    KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, code));
    if (!unit) continue;  // a unit the configuration names but the force does not have
    if (unit->head) ids.push_back(*unit->head);
    for (auto role : org::kAllRoles) {
      KOBAN_ASSIGN(auto h, org::holders(s, role, std::nullopt, unit->id));
      ids.insert(ids.end(), h.begin(), h.end());
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::int64_t> out;
  for (auto id : ids) {
    KOBAN_ASSIGN(auto p, org::get_person(s, id));
    if (p.status == org::PersonStatus::active && !p.email.empty()) out.push_back(id);
  }
  return out;
}

Result<int> deliver_urgent_notice(store::Database& db, const Mailbox& box, const store::Job& job, Instant now) {
  const auto j = nlohmann::json::parse(job.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("message_id") || !j["message_id"].is_number_integer())
    return Error::invalid("mailbox.urgent: bad payload");
  const std::int64_t id = j["message_id"].get<std::int64_t>();
  const auto& st = box.settings();
  int queued = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    queued = 0;
    KOBAN_ASSIGN(auto rows, s.query("SELECT receipt, kind, queue, received_at, urgent_terms FROM mailbox_messages WHERE id = ?", id));
    if (rows.empty()) return ok();  // purged meanwhile: nothing to say
    const std::string receipt = rows[0].text(0);
    const auto kind = parse_kind(rows[0].text(1)).value_or(Kind::opinion);
    const auto queue = parse_queue(rows[0].text(2)).value_or(Queue::duty);
    const auto at = to_jst(from_unix(rows[0].int64(3)));
    char when[32];
    std::snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d", at.date.year, at.date.month, at.date.day, at.hour,
                  at.minute);
    KOBAN_ASSIGN(auto people, urgent_recipients(s, box));
    const std::string base = st.base_url;
    for (auto pid : people) {
      KOBAN_ASSIGN(auto p, org::get_person(s, pid));
      mail::Message m;
      m.from = {st.from_name, st.from_address};
      m.to = {{p.display_name, p.email}};
      m.subject = std::string("【至急】") + kServiceName + "に緊急の可能性がある投稿（受付番号 " + receipt + "）";
      m.date = now;
      m.headers = {{"Importance", "high"}, {"X-Priority", "1"}};
      m.text = p.display_name + " さん\n\n" + kServiceName +
               "に、自殺や犯罪を予告する内容の可能性がある投稿が届きました。直ちに内容を確認してください。\n\n" +
               "受付番号: " + receipt + "\n" + "受付日時: " + when + "\n" + "種別: " + label(kind) + "\n" +
               "受付窓口: " + label(queue) + "\n" + "該当した語: " + rows[0].text(4) + "\n\n" +
               "投稿の内容はこのメールには書きません。業務システムで確認してください。\n" + base + "/admin/mailbox/" +
               std::to_string(id) + "\n";
      KOBAN_ASSIGN(auto raw, mail::build_message(m));
      KOBAN_TRY(mail::enqueue(s, {.transport = st.mail_transport, .sender = st.from_address, .recipient = p.email,
                                  .message = raw, .batch_key = std::string(kUrgentNoticeJob) + ":" + std::to_string(id)},
                              now));
      ++queued;
    }
    return ok();
  }));
  return queued;
}

}  // namespace koban::mailbox

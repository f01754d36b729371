#include "app/notifications.h"

#include <nlohmann/json.hpp>

#include "mail/mime.h"
#include "mail/outbox.h"
#include "org/people.h"
#include "workflow/engine.h"

namespace koban::app {
namespace {

struct Text {
  std::string subject, body;
};

std::string event_label(std::string_view event) {
  if (event == "submitted") return "承認の依頼が届きました";
  if (event == "approved") return "承認されました";
  if (event == "remanded") return "差し戻されました";
  if (event == "withdrawn") return "取り下げられました";
  if (event == "carried_out") return "実施されました";
  if (event == "post_hoc_report") return "不在中・時間外に代わりの人が承認しました（事後報告の確認をお願いします）";
  if (event == "syndication") return "Yahoo!防災速報への提供対象として承認されました";
  if (event == "reported") return "新しい報告が届きました";
  if (event == "acknowledged") return "受け付けられました";
  if (event == "in_progress") return "対応中になりました";
  if (event == "resolved") return "解決しました";
  if (event == "closed") return "完了しました";
  return std::string(event);
}

std::vector<std::int64_t> recipients_of(const nlohmann::json& j) {
  std::vector<std::int64_t> out;
  if (j.contains("recipients") && j["recipients"].is_array())
    for (const auto& r : j["recipients"])
      if (r.is_number_integer()) out.push_back(r.get<std::int64_t>());
  if (j.contains("person_id") && j["person_id"].is_number_integer()) out.push_back(j["person_id"].get<std::int64_t>());
  return out;
}

Result<Text> compose(store::Session& s, const NotificationSettings& st, const std::string& kind, const nlohmann::json& j) {
  const std::string event = j.value("event", "");
  if (kind == "workflow.notify") {
    const auto id = j.value("request_id", std::int64_t{0});
    KOBAN_ASSIGN(auto req, workflow::get_request(s, id));
    return Text{"【業務システム】" + req.title + "：" + event_label(event),
                "依頼「" + req.title + "」（番号 " + std::to_string(id) + "）は、" + event_label(event) + "。\n\n" +
                    "内容の確認と操作は業務システムで行ってください。\n" + st.base_url + "/admin/requests/" +
                    std::to_string(id) + "\n"};
  }
  if (kind == "incidents.notify") {
    const auto id = j.value("incident_id", std::int64_t{0});
    const std::string title = j.value("title", "");
    return Text{"【障害・事案】" + title + "：" + event_label(event),
                "障害・事案の報告「" + title + "」（番号 " + std::to_string(id) + "）は、" + event_label(event) +
                    "。\n\n" + st.base_url + "/admin/incidents/" + std::to_string(id) + "\n"};
  }
  if (kind == "ledger.notify") {
    const auto id = j.value("entry_id", std::int64_t{0});
    const std::string service = j.value("service_name", "");
    return Text{"【パスワード等管理簿】" + service + " の登録内容が変わりました",
                "パスワード等管理簿の「" + service + "」で変更がありました（" + event + "）。\n"
                "新しい内容は業務システムの管理簿で確認してください。このメールにパスワードは書きません。\n\n" +
                    st.base_url + "/admin/ledger/" + std::to_string(id) + "\n"};
  }
  return Error::invalid("unknown notification kind " + kind);
}

}  // namespace

NotificationSettings notification_settings(const Config& config) {
  NotificationSettings s;
  s.base_url = config.text("server.base_url");
  if (s.base_url.empty()) s.base_url = "http://" + config.text("server.listen");
  while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  s.transport = config.text("mail.transport");
  s.from = config.text("mail.from");
  s.from_name = config.text("mail.from_name");
  return s;
}

Result<int> deliver_notification(store::Database& db, const NotificationSettings& settings, const store::Job& job,
                                 Instant now) {
  const auto j = nlohmann::json::parse(job.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::invalid("notification payload is not a JSON object");
  int queued = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto text, compose(s, settings, job.kind, j));
    for (auto person_id : recipients_of(j)) {
      auto person = org::get_person(s, person_id);
      if (!person || person->email.empty() || person->status == org::PersonStatus::retired) continue;
      mail::Message m;
      m.from = {settings.from_name, settings.from};
      m.to = {{person->display_name, person->email}};
      m.subject = text.subject;
      m.date = now;
      m.text = person->display_name + " さん\n\n" + text.body;
      KOBAN_ASSIGN(auto raw, mail::build_message(m));
      KOBAN_TRY(mail::enqueue(s, {.transport = settings.transport, .sender = settings.from,
                                  .recipient = person->email, .message = raw,
                                  .batch_key = job.kind + ":" + std::to_string(job.id)},
                              now));
      ++queued;
    }
    return ok();
  }));
  return queued;
}

void register_notification_handlers(store::Worker& worker, store::Database& db, NotificationSettings settings,
                                    const Clock& clock) {
  for (const char* kind : {"workflow.notify", "incidents.notify", "ledger.notify"}) {
    worker.handle(kind, [&db, settings, &clock](const store::Job& job) -> Result<void> {
      KOBAN_TRY(deliver_notification(db, settings, job, clock.now()));
      return ok();
    });
  }
}

}  // namespace koban::app

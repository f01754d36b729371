#include "app/admin_mail_routes.h"

#include "http/forms/urlencoded.h"
#include "mail/message_view.h"
#include "mail/outbox.h"
#include "web/site_context.h"

namespace koban::app {
namespace {

const char* state_label(mail::OutboxState s) {
  switch (s) {
    case mail::OutboxState::queued: return "送信待ち";
    case mail::OutboxState::sending: return "送信中";
    case mail::OutboxState::sent: return "送信済み";
    case mail::OutboxState::failed: return "失敗（再送打ち切り）";
    case mail::OutboxState::bounced: return "不達（宛先拒否）";
  }
  return "";
}

std::string jst_text(Instant t) {
  const auto j = to_jst(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", j.date.year, j.date.month, j.date.day,
                j.hour, j.minute, j.second);
  return buf;
}


}  // namespace


void add_admin_mail_routes(http::Router& router, store::Database& db, StaffAuth& staff) {
  const Permission admins{org::Purpose::administration, org::Action::view};
  router.get("/admin/mail", staff.guard([&db, &staff](http::Request& req, StaffContext& who) {
    auto query = http::forms::parse_urlencoded(req.query, {});
    if (!query) return http::Response::html(400, "");
    mail::MailListQuery q;
    q.limit = 50;
    const auto state = query->get("state").value_or("");
    if (!state.empty()) {
      q.state = mail::parse_outbox_state(state);
      if (!q.state) return http::Response::html(400, "");
    }
    // A batch ("demo", "alert:12"): short printable ASCII, as the senders write it.
    if (auto batch = query->get("batch"); batch && !batch->empty()) {
      if (batch->size() > 64) return http::Response::html(400, "");
      for (char c : *batch)
        if (c < '!' || c > '~') return http::Response::html(400, "");
      q.batch_key = *batch;
    }
    if (auto before = query->get("before"); before && !before->empty()) {
      std::int64_t v = 0;
      for (char c : *before) {
        if (c < '0' || c > '9' || v > (1LL << 50)) return http::Response::html(400, "");
        v = v * 10 + (c - '0');
      }
      q.before_id = v;
    }
    auto list = mail::list_mail(db, q);
    if (!list) return http::response_for(list.error());
    nlohmann::json mails = nlohmann::json::array();
    for (const auto& m : *list) {
      mails.push_back({{"id", m.id}, {"created", jst_text(m.created_at)}, {"recipient", m.recipient},
                       {"transport", m.transport}, {"state_label", state_label(m.state)},
                       {"attempts", m.attempts}, {"last_error", m.last_error ? nlohmann::json(*m.last_error) : nlohmann::json()}});
    }
    nlohmann::json states = nlohmann::json::array();
    for (auto s : {mail::OutboxState::queued, mail::OutboxState::sending, mail::OutboxState::sent,
                   mail::OutboxState::failed, mail::OutboxState::bounced}) {
      states.push_back({{"value", mail::to_string(s)}, {"label", state_label(s)}, {"selected", state == mail::to_string(s)}});
    }
    nlohmann::json data = {{"title", "送信メール"}, {"has_mails", !mails.empty()}, {"mails", mails}, {"states", states}, {"limit", q.limit}};
    if (auto counts = mail::Outbox(db, SystemClock{}).counts()) {
      data["counts"] = {{"queued", counts->queued}, {"sending", counts->sending}, {"sent", counts->sent},
                        {"failed", counts->failed}, {"bounced", counts->bounced}};
    }
    // The filters travel with the paging links.
    std::string filters = state.empty() ? "" : "state=" + http::percent_encode(state) + "&";
    if (q.batch_key) filters += "batch=" + http::percent_encode(*q.batch_key) + "&";
    if (static_cast<int>(list->size()) == q.limit)
      data["next_url"] = "/admin/mail?" + filters + "before=" + std::to_string(list->back().id);
    if (q.before_id)
      data["first_url"] = "/admin/mail" + (filters.empty() ? "" : "?" + filters.substr(0, filters.size() - 1));
    return staff.page(who, "admin/mail_list", std::move(data));
  }, admins));

  router.get("/admin/mail/:id", staff.guard([&db, &staff](http::Request& req, StaffContext& who) {
    std::int64_t id = 0;
    for (char c : req.param("id")) {
      if (c < '0' || c > '9' || id > (1LL << 50)) return http::Response::html(404, "");
      id = id * 10 + (c - '0');
    }
    auto m = mail::get_mail(db, id);
    if (!m) return http::response_for(m.error());
    const auto v = mail::view_message(m->message);
    nlohmann::json attachments = v.attachments;
    nlohmann::json data = {
        {"title", "メール " + std::to_string(id)},
        {"id", id},
        {"created", jst_text(m->created_at)},
        {"state_label", state_label(m->state)},
        {"transport", m->transport},
        {"attempts", m->attempts},
        {"sent", m->sent_at ? nlohmann::json(jst_text(*m->sent_at)) : nlohmann::json()},
        {"last_error", m->last_error ? nlohmann::json(*m->last_error) : nlohmann::json()},
        {"batch_key", m->batch_key ? nlohmann::json(*m->batch_key) : nlohmann::json()},
        {"has_attachments", !v.attachments.empty()},
        {"size", m->message.size()},
        {"raw", m->message.substr(0, 256 * 1024)},
        {"view", {{"subject", v.subject}, {"from", v.from}, {"to", v.to}, {"text", v.text}, {"attachments", attachments}}},
    };
    return staff.page(who, "admin/mail_show", std::move(data));
  }, admins));
}

}  // namespace koban::app

#include "app/admin_mailbox_routes.h"

#include <map>

#include "app/page_helpers.h"
#include "audit/audit_log.h"
#include "http/forms/urlencoded.h"
#include "mailbox/reply_templates.h"

namespace koban::app {
namespace {

using nlohmann::json;
namespace mb = mailbox;
using pages::jst_text;
using pages::parse_id;

const http::forms::FormLimits kFormLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 64 * 1024,
                                          .max_total_bytes = 96 * 1024};
const http::forms::FormLimits kQueryLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 32,
                                           .max_total_bytes = 512};
constexpr int kPageSize = 50;

json null_if_empty(const std::string& s) { return s.empty() ? json() : json(s); }

class MailboxPages {
 public:
  MailboxPages(store::Database& db, StaffAuth& staff, std::shared_ptr<const mb::Mailbox> box, const Clock& clock)
      : db_(db), staff_(staff), box_(std::move(box)), clock_(clock) {}

  http::Response list(http::Request& req, StaffContext& who);
  http::Response show(http::Request& req, StaffContext& who);
  http::Response assign(http::Request& req, StaffContext& who);
  http::Response note(http::Request& req, StaffContext& who);
  http::Response reply(http::Request& req, StaffContext& who);
  http::Response handover(http::Request& req, StaffContext& who);
  http::Response close(http::Request& req, StaffContext& who);

 private:
  mb::Who who_of(const StaffContext& c, const http::Request& req) const {
    return {.actor = c.actor, .unit_name = c.unit_name, .address = req.remote_addr};
  }
  // A refusal: audited in its own transaction (the refused one wrote nothing), then the page.
  http::Response refuse(const StaffContext& who, const http::Request& req, const std::string& action,
                        const std::string& object_id, const Error& e, const std::string& back) {
    const int status = http::status_for(e);
    if (status >= 500) return http::response_for(e);
    (void)db_.write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(audit::append(s,
                              {.actor_id = who.actor.person, .actor_name = who.actor.display_name,
                               .unit_id = who.actor.unit, .unit_name = who.unit_name, .action = action,
                               .object_type = "mailbox_message", .object_id = object_id,
                               .summary = e.message.substr(0, audit::kMaxSummaryBytes / 2),
                               .address = req.remote_addr, .outcome = audit::Outcome::refused},
                              clock_.now()));
      return ok();
    });
    auto res = staff_.page(who, "admin/mailbox_error",
                           {{"title", "操作できません"}, {"message", e.message}, {"back", null_if_empty(back)}});
    if (res.status == 200) res.status = status;
    return res;
  }
  // The common shape of the POST actions: id, form, the service call, back to the message.
  template <class F>
  http::Response act(http::Request& req, StaffContext& who, const char* action, const char* done, F&& fn) {
    const auto id = parse_id(req.param("id"));
    if (!id) return refuse(who, req, action, "", Error::not_found("指定された投稿は見つかりません。"), "/admin/mailbox");
    const std::string back = "/admin/mailbox/" + std::to_string(*id);
    auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
    if (!form) return refuse(who, req, action, std::to_string(*id), Error::invalid("送信内容を読み取れませんでした。"), back);
    const mb::Who w = who_of(who, req);
    auto r = db_.write([&](store::Session& s) -> Result<void> { return fn(s, w, *id, *form); });
    if (!r) return refuse(who, req, action, std::to_string(*id), r.error(), back);
    return http::Response::redirect(back + "?done=" + done, 303);
  }

  store::Database& db_;
  StaffAuth& staff_;
  std::shared_ptr<const mb::Mailbox> box_;
  const Clock& clock_;
};

http::Response MailboxPages::list(http::Request& req, StaffContext& who) {
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  mb::ListFilter f{.limit = kPageSize};
  std::string filters;  // kept across pages
  auto add_filter = [&](const char* name, const std::string& v) { filters += (filters.empty() ? "" : "&") + (name + ("=" + v)); };
  if (auto v = query->get("queue"); v && !v->empty()) {
    if (!(f.queue = mb::parse_queue(*v))) return http::Response::html(400, "");
    add_filter("queue", *v);
  }
  if (auto v = query->get("state"); v && !v->empty()) {
    if (!(f.state = mb::parse_state(*v))) return http::Response::html(400, "");
    add_filter("state", *v);
  }
  if (auto v = query->get("kind"); v && !v->empty()) {
    if (!(f.kind = mb::parse_kind(*v))) return http::Response::html(400, "");
    add_filter("kind", *v);
  }
  if (query->get("urgent").value_or("") == "1") {
    f.urgent_only = true;
    add_filter("urgent", "1");
  }
  if (auto v = query->get("before"); v && !v->empty()) {
    if (!(f.before = parse_id(*v))) return http::Response::html(400, "");
  }
  mb::MessagePage page;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(page, box_->list(s, who.actor, f));
    return ok();
  });
  if (!r) return refuse(who, req, "mailbox.queue.view", "", r.error(), "/admin/");
  json rows = json::array();
  for (const auto& m : page.items)
    rows.push_back({{"id", m.id}, {"receipt", m.receipt}, {"kind", mb::label(m.kind)}, {"queue", mb::label(m.queue)},
                    {"state", mb::label(m.state)}, {"urgent", m.urgent}, {"received", jst_text(m.received_at)},
                    {"assignee", m.assignee_name ? json(*m.assignee_name) : json()}});
  json queues = json::array();
  for (auto q : page.queues)
    queues.push_back({{"value", mb::to_string(q)}, {"label", mb::label(q)}, {"selected", f.queue == q}});
  json states = json::array();
  for (auto st : mb::kAllStates)
    states.push_back({{"value", mb::to_string(st)}, {"label", mb::label(st)}, {"selected", f.state == st}});
  json kinds = json::array();
  for (auto k : mb::kAllKinds)
    kinds.push_back({{"value", mb::to_string(k)}, {"label", mb::label(k)}, {"selected", f.kind == k}});
  json data = {{"title", std::string(mb::kServiceName)}, {"has_messages", !rows.empty()}, {"messages", rows},
               {"queues", queues}, {"states", states}, {"kinds", kinds}, {"urgent_only", f.urgent_only},
               {"limit", kPageSize}, {"next_url", json()}, {"first_url", json()}};
  if (page.next_before)
    data["next_url"] = "/admin/mailbox?" + filters + (filters.empty() ? "" : "&") + "before=" + std::to_string(*page.next_before);
  if (f.before) data["first_url"] = "/admin/mailbox" + (filters.empty() ? "" : "?" + filters);
  return staff_.page(who, "admin/mailbox_list", std::move(data));
}

http::Response MailboxPages::show(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "mailbox.message.view", "", Error::not_found("指定された投稿は見つかりません。"), "/admin/mailbox");
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"assign", "担当者を決めました。"}, {"note", "メモを追加しました。"}, {"reply", "返信をメールで送りました。"},
      {"handover", "もう一方の窓口へ引き継ぎました。"}, {"close", "完了にしました。"}};
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  const std::string tpl_key = query->get("template").value_or("");
  const mb::ReplyTemplate* tpl = tpl_key.empty() ? nullptr : mb::find_reply_template(tpl_key);
  if (!tpl_key.empty() && !tpl) return http::Response::html(400, "");

  mb::Message m;
  std::vector<mb::Member> members;
  bool may_act = false;
  const mb::Who w = who_of(who, req);
  // Opening audits the reading, so it is a write.
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(m, box_->open(s, w, *id, clock_.now()));
    KOBAN_ASSIGN(may_act, box_->may_act(s, who.actor, m.summary.queue));
    KOBAN_ASSIGN(members, box_->members(s, m.summary.queue));
    return ok();
  });
  if (!r) return refuse(who, req, "mailbox.message.view", std::to_string(*id), r.error(), "/admin/mailbox");

  json history = json::array();
  for (const auto& e : m.events)
    history.push_back({{"detail", e.detail}, {"actor", e.actor_name}, {"at", jst_text(e.at)}, {"text", null_if_empty(e.text)}});
  json people = json::array();
  for (const auto& p : members)
    people.push_back({{"id", p.person}, {"name", p.name}, {"selected", m.assignee_id == p.person}});
  json templates = json::array();
  for (const auto& t : mb::reply_templates())
    templates.push_back({{"key", t.key}, {"title", t.title}, {"selected", tpl == &t}});
  const bool open = m.summary.state != mb::State::closed;
  const bool can_reply = open && may_act && m.contact_kind == mb::ContactKind::email;
  json data = {
      {"title", "投稿 " + m.summary.receipt},
      {"message",
       {{"id", m.summary.id}, {"receipt", m.summary.receipt}, {"kind", mb::label(m.summary.kind)},
        {"queue", mb::label(m.summary.queue)}, {"other_queue", mb::label(mb::other(m.summary.queue))},
        {"state", mb::label(m.summary.state)}, {"urgent", m.summary.urgent},
        {"urgent_terms", null_if_empty([&] {
           std::string t;
           for (const auto& x : m.urgent_terms) t += (t.empty() ? "" : "、") + x;
           return t;
         }())},
        {"received", jst_text(m.summary.received_at)}, {"office_hours", m.office_hours},
        {"assignee", m.summary.assignee_name ? json(*m.summary.assignee_name) : json()},
        {"text", m.text}, {"name", null_if_empty(m.name)}, {"contact", null_if_empty(m.contact)},
        {"closed", m.closed_at ? json(jst_text(*m.closed_at)) : json()}}},
      {"has_history", !history.empty()}, {"history", history},
      {"may_act", may_act && open}, {"may_note", may_act}, {"members", people}, {"templates", templates},
      {"can_reply", can_reply}, {"no_mail", open && may_act && m.contact_kind != mb::ContactKind::email},
      {"reply_template", tpl ? json(std::string(tpl->key)) : json(std::string(mb::reply_templates().front().key))},
      {"reply_body", tpl ? json(mb::fill_placeholders(tpl->body, m.name, m.summary.receipt)) : json("")},
      {"max_note", mb::kMaxNoteChars}, {"max_reply", mb::kMaxReplyChars},
      {"flash", done.empty() ? json() : json(kDone.at(done))}};
  return staff_.page(who, "admin/mailbox_show", std::move(data));
}

http::Response MailboxPages::assign(http::Request& req, StaffContext& who) {
  return act(req, who, "mailbox.message.assign", "assign",
             [&](store::Session& s, const mb::Who& w, std::int64_t id, const http::forms::FormFields& f) -> Result<void> {
               const auto person = parse_id(f.get("person").value_or(""));
               if (!person) return Error::invalid("担当者を選んでください。");
               return box_->assign(s, w, id, *person, clock_.now());
             });
}

http::Response MailboxPages::note(http::Request& req, StaffContext& who) {
  return act(req, who, "mailbox.message.note", "note",
             [&](store::Session& s, const mb::Who& w, std::int64_t id, const http::forms::FormFields& f) {
               return box_->add_note(s, w, id, f.get("note").value_or(""), clock_.now());
             });
}

http::Response MailboxPages::reply(http::Request& req, StaffContext& who) {
  return act(req, who, "mailbox.message.reply", "reply",
             [&](store::Session& s, const mb::Who& w, std::int64_t id, const http::forms::FormFields& f) {
               return box_->reply(s, w, id, f.get("template").value_or(""), f.get("body").value_or(""), clock_.now());
             });
}

http::Response MailboxPages::handover(http::Request& req, StaffContext& who) {
  return act(req, who, "mailbox.message.handover", "handover",
             [&](store::Session& s, const mb::Who& w, std::int64_t id, const http::forms::FormFields& f) {
               return box_->hand_over(s, w, id, f.get("note").value_or(""), clock_.now());
             });
}

http::Response MailboxPages::close(http::Request& req, StaffContext& who) {
  return act(req, who, "mailbox.message.close", "close",
             [&](store::Session& s, const mb::Who& w, std::int64_t id, const http::forms::FormFields&) {
               return box_->close(s, w, id, clock_.now());
             });
}

}  // namespace

void add_admin_mailbox_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                              std::shared_ptr<const mailbox::Mailbox> box, const Clock& clock) {
  auto pages = std::make_shared<MailboxPages>(db, staff, std::move(box), clock);
  const http::RouteOptions small{.max_body = 128 * 1024};
  // Any logged-in person reaches the handlers; the service refuses whoever is no member.
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  router.get("/admin/mailbox", on(&MailboxPages::list));
  router.get("/admin/mailbox/:id", on(&MailboxPages::show));
  router.post("/admin/mailbox/:id/assign", on(&MailboxPages::assign), small);
  router.post("/admin/mailbox/:id/note", on(&MailboxPages::note), small);
  router.post("/admin/mailbox/:id/reply", on(&MailboxPages::reply), small);
  router.post("/admin/mailbox/:id/handover", on(&MailboxPages::handover), small);
  router.post("/admin/mailbox/:id/close", on(&MailboxPages::close), small);
}

}  // namespace koban::app

#include "app/admin_site_emergency_routes.h"

#include <map>
#include <memory>

#include "app/page_helpers.h"
#include "app/staff_refusal.h"
#include "http/forms/urlencoded.h"

namespace koban::app {
namespace {

using nlohmann::json;
namespace em = site::emergency;

// A 500-character message and ten links fit easily (Japanese: 3 bytes a character).
const http::forms::FormLimits kFormLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 16 * 1024,
                                          .max_total_bytes = 64 * 1024};
const http::forms::FormLimits kQueryLimits{.max_fields = 2, .max_name_bytes = 8, .max_value_bytes = 8,
                                           .max_total_bytes = 64};
constexpr int kHistoryRows = 50;
constexpr const char* kBack = "/admin/site/emergency";

workflow::By by_of(const StaffContext& who, const http::Request& req) {
  return {.person = who.actor.person, .address = req.remote_addr};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

json links_json(const std::vector<em::Link>& links) {
  json a = json::array();
  for (const auto& l : links) a.push_back({{"label", l.label}, {"url", l.url}});
  return a;
}

class EmergencyPages {
 public:
  EmergencyPages(store::Database& db, StaffAuth& staff, const Clock& clock, em::Options options)
      : db_(db), staff_(staff), clock_(clock), options_(std::move(options)) {}

  http::Response show(http::Request& req, StaffContext& who);
  http::Response on(http::Request& req, StaffContext& who);
  http::Response off(http::Request& req, StaffContext& who);

 private:
  // The page with the form filled with what was typed and the errors (if any).
  http::Response render(const StaffContext& who, int status, const std::string& flash, const std::string& message,
                        const std::string& links, const std::vector<std::string>& errors);

  store::Database& db_;
  StaffAuth& staff_;
  const Clock& clock_;
  em::Options options_;
};

http::Response EmergencyPages::render(const StaffContext& who, int status, const std::string& flash,
                                      const std::string& message, const std::string& links,
                                      const std::vector<std::string>& errors) {
  std::optional<em::Notice> now;
  std::vector<em::HistoryEntry> past;
  bool may = false;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(now, em::current(s));
    KOBAN_ASSIGN(past, em::history(s, kHistoryRows));
    KOBAN_ASSIGN(may, em::may_switch(s, options_, who.actor.person));
    return ok();
  });
  if (!r) return http::response_for(r.error());
  json history = json::array();
  for (const auto& h : past)
    history.push_back({{"at", pages::jst_text(h.at)},
                       {"action", h.action == "activate" ? "開始・変更" : "終了"},
                       {"message", h.message},
                       {"links", links_json(h.links)},
                       {"has_links", !h.links.empty()},
                       {"person", h.person_name}});
  json errs = json::array();
  for (const auto& e : errors) errs.push_back(e);
  // The form starts from the current notice, so changing it means editing, not retyping.
  const bool typed = !message.empty() || !links.empty() || !errors.empty();
  json data = {{"title", "緊急災害モード"},
               {"active", now.has_value()},
               {"notice_message", now ? json(now->message) : json()},
               {"notice_links", now ? links_json(now->links) : json::array()},
               {"notice_has_links", now && !now->links.empty()},
               {"since", now ? json(pages::jst_text(now->since)) : json()},
               {"may_switch", may},
               {"form_message", typed ? message : (now ? now->message : "")},
               {"form_links", typed ? links : (now ? em::format_links(now->links) : "")},
               {"has_errors", !errors.empty()},
               {"errors", errs},
               {"flash", flash.empty() ? json() : json(flash)},
               {"max_message", em::kMaxMessageChars},
               {"max_links", em::kMaxLinks},
               {"has_history", !history.empty()},
               {"history", history}};
  auto res = staff_.page(who, "admin/site_emergency", std::move(data));
  res.status = status;
  return res;
}

http::Response EmergencyPages::show(http::Request& req, StaffContext& who) {
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"on", "緊急災害モードにしました。ホームページは緊急時の表示に切り替わります。"},
      {"off", "緊急災害モードを終了しました。ホームページは通常の表示に戻ります。"}};
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  return render(who, 200, done.empty() ? "" : kDone.at(done), "", "", {});
}

http::Response EmergencyPages::on(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form)
    return refuse(db_, staff_, clock_, who, req, Error::invalid("送信内容を読み取れませんでした。"),
                  {.action = "site.emergency.activate", .object_type = "site", .object_id = "emergency", .back = kBack});
  const std::string message = form->get("message").value_or("");
  const std::string links_text = form->get("links").value_or("");
  auto links = em::parse_links(links_text);
  if (!links) {
    audit_refusal(db_, clock_, who, req, links.error(),
                  {.action = "site.emergency.activate", .object_type = "site", .object_id = "emergency", .back = kBack});
    return render(who, 422, "", message, links_text, lines_of(links.error().message));
  }
  // switch_on audits a refusal itself.
  auto r = em::switch_on(db_, options_, {.message = message, .links = *links}, by_of(who, req), clock_.now());
  if (!r) {
    if (r.error().code == ErrorCode::invalid_argument)
      return render(who, 422, "", message, links_text, lines_of(r.error().message));
    const int status = http::status_for(r.error());
    if (status >= 500) return http::response_for(r.error());
    return staff_error_page(staff_, who, status, r.error().message, kBack);
  }
  return http::Response::redirect(std::string(kBack) + "?done=on", 303);
}

http::Response EmergencyPages::off(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form)
    return refuse(db_, staff_, clock_, who, req, Error::invalid("送信内容を読み取れませんでした。"),
                  {.action = "site.emergency.deactivate", .object_type = "site", .object_id = "emergency",
                   .back = kBack});
  if (form->get("confirm").value_or("") != "yes") {
    std::optional<em::Notice> now;
    bool may = false;
    auto r = db_.read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(now, em::current(s));
      KOBAN_ASSIGN(may, em::may_switch(s, options_, who.actor.person));
      return ok();
    });
    if (!r) return http::response_for(r.error());
    // Someone who may not, or nothing to switch off: the service refuses (and audits) it.
    if (may && now)
      return staff_.page(who, "admin/site_emergency",
                         {{"title", "緊急災害モードの終了の確認"}, {"confirm_off", true},
                          {"notice_message", now->message}, {"since", pages::jst_text(now->since)}});
  }
  auto r = em::switch_off(db_, options_, by_of(who, req), clock_.now());
  if (!r) {
    const int status = http::status_for(r.error());
    if (status >= 500) return http::response_for(r.error());
    return staff_error_page(staff_, who, status, r.error().message, kBack);
  }
  return http::Response::redirect(std::string(kBack) + "?done=off", 303);
}

}  // namespace

void add_site_emergency_routes(http::Router& router, store::Database& db, StaffAuth& staff, const Clock& clock,
                               em::Options options) {
  auto pages = std::make_shared<EmergencyPages>(db, staff, clock, std::move(options));
  const http::RouteOptions small{.max_body = 64 * 1024};
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  router.get("/admin/site/emergency", on(&EmergencyPages::show));
  router.post("/admin/site/emergency/on", on(&EmergencyPages::on), small);
  router.post("/admin/site/emergency/off", on(&EmergencyPages::off), small);
}

}  // namespace koban::app

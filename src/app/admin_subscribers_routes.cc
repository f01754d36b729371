#include "app/admin_subscribers_routes.h"

#include <map>

#include "alerts/categories.h"
#include "alerts/subscriber_admin.h"
#include "app/page_helpers.h"
#include "audit/audit_log.h"
#include "http/forms/urlencoded.h"
#include "org/permissions.h"

namespace koban::app {
namespace {

using nlohmann::json;
using pages::jst_text;
using pages::parse_id;

const http::forms::FormLimits kQueryLimits{.max_fields = 4, .max_name_bytes = 16, .max_value_bytes = 260,
                                           .max_total_bytes = 1024};
const http::forms::FormLimits kFormLimits{.max_fields = 4, .max_name_bytes = 16, .max_value_bytes = 128,
                                          .max_total_bytes = 1024};
constexpr int kPageSize = 50;
const char* kBack = "/admin/alerts/subscribers";

class SubscriberPages {
 public:
  SubscriberPages(store::Database& db, StaffAuth& staff, std::shared_ptr<const alerts::Subscribers> subs,
                  const Clock& clock)
      : db_(db), staff_(staff), subs_(std::move(subs)), clock_(clock) {}

  http::Response list(http::Request& req, StaffContext& who);
  http::Response reveal(http::Request& req, StaffContext& who);
  http::Response reinstate(http::Request& req, StaffContext& who) { return change(req, who, "reinstate"); }
  http::Response remove(http::Request& req, StaffContext& who) { return change(req, who, "remove"); }

 private:
  // Subscribers are residents of the whole prefecture: only force-wide alerts permissions count.
  static bool may_view(const StaffContext& who) {
    return org::can(who.actor, org::Purpose::alerts, org::Action::view, std::nullopt);
  }
  static bool may_administer(const StaffContext& who) {
    return org::can(who.actor, org::Purpose::alerts, org::Action::administer, std::nullopt);
  }
  alerts::StaffWho staff_who(const StaffContext& who, const http::Request& req) const {
    return {.person = who.actor.person, .name = who.actor.display_name, .unit = who.actor.unit,
            .unit_name = who.unit_name, .address = req.remote_addr};
  }
  // A refusal: audited in its own transaction (the refused one wrote nothing), then the page.
  http::Response refuse(const StaffContext& who, const http::Request& req, const std::string& verb, std::int64_t id,
                        const Error& e) {
    // A form that cannot be acted on (the confirmation box left empty) is 422, as on other staff pages.
    const int status = e.code == ErrorCode::invalid_argument ? 422 : http::status_for(e);
    if (status >= 500) return http::response_for(e);
    (void)db_.write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(audit::append(s,
                              {.actor_id = who.actor.person, .actor_name = who.actor.display_name,
                               .unit_id = who.actor.unit, .unit_name = who.unit_name,
                               .action = "alerts.subscriber." + verb, .object_type = "subscriber",
                               .object_id = id ? std::to_string(id) : "", .summary = e.message,
                               .address = req.remote_addr, .outcome = audit::Outcome::refused},
                              clock_.now()));
      return ok();
    });
    auto res = staff_.page(who, "admin/people_error",
                           {{"title", "操作できません"}, {"message", e.message}, {"back", kBack}});
    if (res.status == 200) res.status = status;
    return res;
  }
  http::Response change(http::Request& req, StaffContext& who, const std::string& verb);

  store::Database& db_;
  StaffAuth& staff_;
  std::shared_ptr<const alerts::Subscribers> subs_;
  const Clock& clock_;
};

http::Response SubscriberPages::list(http::Request& req, StaffContext& who) {
  if (!may_view(who))
    return refuse(who, req, "view", 0, Error::denied("登録者の状況を見る権限がありません（安全安心メールの県全体の閲覧権限が必要です）。"));
  auto q = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!q) return http::Response::html(400, "");
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"reinstate", "配信を再開しました。"}, {"remove", "登録を削除しました。"}};
  const std::string done = q->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  alerts::SuspendedFilter f{.domain = q->get("domain").value_or(""), .limit = kPageSize};
  if (f.domain.size() > alerts::kMaxDomainFilter) return http::Response::html(400, "");
  if (auto a = q->get("after"); a && !a->empty()) {
    f.after = alerts::parse_suspended_cursor(*a);
    if (!f.after) return http::Response::html(400, "");
  }

  alerts::SubscriberCounts counts;
  alerts::SuspendedPage page;
  std::vector<alerts::DomainCount> domains;
  std::vector<alerts::AreaOption> areas;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(counts, alerts::count_subscribers(s));
    KOBAN_ASSIGN(page, alerts::list_suspended(s, subs_->keys(), f));
    KOBAN_ASSIGN(domains, alerts::suspended_domains(s));
    KOBAN_ASSIGN(areas, alerts::area_options(s));
    return ok();
  });
  if (!r) return http::response_for(r.error());

  const bool admin = may_administer(who);
  json states = json::array(), categories = json::array(), by_area = json::array(), rows = json::array();
  json domain_options = json::array();
  std::int64_t total = 0;
  for (auto st : {alerts::SubscriberState::confirmed, alerts::SubscriberState::pending,
                  alerts::SubscriberState::suspended, alerts::SubscriberState::unsubscribed}) {
    const auto n = counts.by_state[alerts::to_string(st)];
    total += n;
    states.push_back({{"label", alerts::label(st)}, {"count", n}});
  }
  for (const auto& c : alerts::categories())
    categories.push_back({{"label", std::string(c.name)},
                          {"count", counts.by_category[static_cast<std::size_t>(c.number - 1)]}});
  for (const auto& a : areas) {
    auto it = counts.by_area.find(a.id);
    by_area.push_back({{"station", a.station}, {"jurisdiction", a.jurisdiction},
                       {"count", it == counts.by_area.end() ? 0 : it->second}});
  }
  const std::string filter = f.domain;
  bool filter_listed = filter.empty();
  for (const auto& d : domains) {
    const bool selected = d.domain == filter;
    filter_listed = filter_listed || selected;
    domain_options.push_back({{"value", d.domain}, {"count", d.count}, {"selected", selected}});
  }
  // A filter typed into the address bar for a domain with nobody suspended still shows as chosen.
  if (!filter_listed) domain_options.push_back({{"value", filter}, {"count", 0}, {"selected", true}});
  for (const auto& x : page.rows)
    rows.push_back({{"id", x.id}, {"address", x.masked_address}, {"domain", x.domain},
                    {"suspended", x.suspended_at ? json(jst_text(*x.suspended_at)) : json("—")},
                    {"failures", x.hard_failures},
                    {"last_error", x.last_error.empty() ? json() : json(x.last_error)}});
  std::string next;
  if (page.next) {
    next = std::string(kBack) + "?after=" + alerts::to_string(*page.next);
    if (!filter.empty()) next += "&domain=" + http::forms::form_urlencode(filter);
  }
  return staff_.page(who, "admin/alerts_subscribers",
                     {{"title", "安全安心メールの登録者"}, {"total", total}, {"states", states},
                      {"categories", categories}, {"whole_prefecture", counts.whole_prefecture},
                      {"areas", by_area}, {"has_areas", !by_area.empty()}, {"domains", domain_options},
                      {"rows", rows}, {"has_rows", !rows.empty()}, {"filtered", !filter.empty()},
                      {"paged", f.after.has_value()}, {"next", next.empty() ? json() : json(next)},
                      {"may_administer", admin}, {"flash", done.empty() ? json() : json(kDone.at(done))}});
}

http::Response SubscriberPages::reveal(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!may_administer(who))
    return refuse(who, req, "reveal", id.value_or(0),
                  Error::denied("登録者のメールアドレスを表示する権限がありません（安全安心メールの管理権限が必要です）。"));
  if (!id) return refuse(who, req, "reveal", 0, Error::not_found("指定された登録者は見つかりません。"));
  std::string address;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(address, alerts::reveal_address(s, subs_->keys(), staff_who(who, req), *id, clock_.now()));
    return ok();
  });
  if (!r) return refuse(who, req, "reveal", *id, r.error());
  auto res = staff_.page(who, "admin/alerts_subscribers_reveal",
                         {{"title", "登録者のメールアドレス"}, {"id", *id}, {"address", address}, {"back", kBack}});
  // Personal data: no cache, no history copy, no referrer carrying anything away.
  res.set("cache-control", "no-store");
  res.set("pragma", "no-cache");
  res.set("referrer-policy", "no-referrer");
  return res;
}

http::Response SubscriberPages::change(http::Request& req, StaffContext& who, const std::string& verb) {
  const auto id = parse_id(req.param("id"));
  if (!may_administer(who))
    return refuse(who, req, verb, id.value_or(0),
                  Error::denied(verb == "remove" ? "登録を削除する権限がありません（安全安心メールの管理権限が必要です）。"
                                                 : "配信を再開する権限がありません（安全安心メールの管理権限が必要です）。"));
  if (!id) return refuse(who, req, verb, 0, Error::not_found("指定された登録者は見つかりません。"));
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, verb, *id, Error::invalid("送信内容を読み取れませんでした。"));
  if (verb == "remove" && form->get("confirm").value_or("") != "1")
    return refuse(who, req, verb, *id,
                  Error::invalid("削除するときは「削除してよいことを確認しました」にチェックを入れてください。"));
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    if (verb == "remove") return alerts::remove_subscriber(s, staff_who(who, req), *id, clock_.now());
    return alerts::reinstate_subscriber(s, staff_who(who, req), *id, clock_.now());
  });
  if (!r) return refuse(who, req, verb, *id, r.error());
  return http::Response::redirect(std::string(kBack) + "?done=" + verb, 303);
}

}  // namespace

void add_subscribers_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                            std::shared_ptr<const alerts::Subscribers> subscribers, const Clock& clock) {
  auto pages = std::make_shared<SubscriberPages>(db, staff, std::move(subscribers), clock);
  const http::RouteOptions small{.max_body = 4 * 1024};
  // The pages check the force-wide alerts permissions themselves (and audit refusals).
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  router.get("/admin/alerts/subscribers", on(&SubscriberPages::list));
  router.post("/admin/alerts/subscribers/:id/reveal", on(&SubscriberPages::reveal), small);
  router.post("/admin/alerts/subscribers/:id/reinstate", on(&SubscriberPages::reinstate), small);
  router.post("/admin/alerts/subscribers/:id/remove", on(&SubscriberPages::remove), small);
}

}  // namespace koban::app

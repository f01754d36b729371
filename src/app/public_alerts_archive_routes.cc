#include "app/public_alerts_archive_routes.h"

#include <cstdio>

#include "alerts/alert_archive.h"
#include "alerts/categories.h"
#include "app/page_helpers.h"
#include "app/subsystem_gate.h"
#include "http/forms/urlencoded.h"
#include "mail/address.h"
#include "web/site_context.h"

namespace koban::app {
namespace {

using nlohmann::json;

// category (1 digit), area (a unit code), before (an id): anything longer is not ours.
const http::forms::FormLimits kQueryLimits{.max_fields = 8, .max_name_bytes = 16, .max_value_bytes = 64,
                                           .max_total_bytes = 512};
constexpr int kPageSize = 20;
constexpr int kFeedSize = 50;
// Alerts change only when one is sent: a few minutes of caching spares the database when a
// feed aggregator or a crowd polls during an incident, and delays an alert by little.
constexpr const char* kPageCache = "public, max-age=60";
constexpr const char* kFeedCache = "public, max-age=300";

struct Ctx {
  store::Database& db;
  std::shared_ptr<web::Templates> templates;
  const Config& config;
  alerts::FeedSettings fs;
};

// For residents: "2026年11月18日 10時05分" (JST).
std::string jst_long(Instant t) {
  const auto j = to_jst(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d年%d月%d日 %d時%02d分", j.date.year, j.date.month, j.date.day, j.hour, j.minute);
  return buf;
}

std::string areas_text(const alerts::PublicAlert& a) {
  if (a.whole_prefecture || a.area_names.empty()) return "県内全域";
  std::string out;
  for (const auto& n : a.area_names) out += (out.empty() ? "" : "、") + n;
  return out;
}

std::string page_url(std::int64_t id) { return "/alerts/archive/" + std::to_string(id); }

json alert_json(const alerts::PublicAlert& a) {
  const auto* cat = alerts::find_category(a.category);
  json j = {{"id", a.id},
            {"url", page_url(a.id)},
            {"cap_url", "/alerts/" + std::to_string(a.id) + ".cap.xml"},
            {"title", alerts::display_title(a)},
            {"plain_title", a.title},
            {"category_name", cat ? std::string(cat->name) : std::string()},
            {"sent_text", jst_long(a.sent_at)},
            {"sent_iso", to_jst(a.sent_at).iso()},
            {"areas_text", areas_text(a)},
            {"unit_name", a.unit_name},
            {"resolved", a.resolved},
            {"is_follow_up", a.follow_kind.has_value()}};
  if (a.follow_kind) j["follow_label"] = alerts::label(*a.follow_kind);
  if (a.follows_id) {
    j["original_url"] = page_url(*a.follows_id);
    j["original_title"] = a.original_title;
    j["original_sent_text"] = jst_long(a.original_sent_at);
  }
  json ups = json::array();
  for (const auto& f : a.follow_ups)
    ups.push_back({{"url", page_url(f.id)}, {"label", alerts::label(f.kind)}, {"title", f.title},
                   {"sent_text", jst_long(f.sent_at)}, {"sent_iso", to_jst(f.sent_at).iso()}});
  j["follow_ups"] = ups;
  j["has_follow_ups"] = !ups.empty();
  // The text line by line: the template shows each as its own line, escaped.
  json lines = json::array();
  std::size_t start = 0;
  const std::string& b = a.body;
  while (start <= b.size()) {
    auto nl = b.find('\n', start);
    std::string line = b.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back({{"line", line}});
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  j["lines"] = lines;
  return j;
}

http::Response page(const Ctx& c, int status, std::string_view name, json data, json crumbs) {
  json ctx = web::site_context(c.config, "");
  for (auto& [k, v] : data.items()) ctx[k] = v;
  json bc = json::array({{{"name", "ホーム"}, {"url", "/"}}, {{"name", c.fs.service_name}, {"url", "/alerts/"}}});
  for (auto& x : crumbs) bc.push_back(x);
  ctx["has_breadcrumbs"] = true;
  ctx["breadcrumbs"] = bc;
  auto html = c.templates->page("layout/public", std::string("public/") + std::string(name), ctx);
  if (!html) return http::Response::html(500, "");
  auto res = http::Response::html(status, std::move(*html));
  res.set("cache-control", status == 200 ? kPageCache : "no-store");
  return res;
}

http::Response error_page(const Ctx& c, int status, std::string message) {
  const std::string title = status == 404 ? "お探しの安心メールは見つかりません" : status == 400 ? "ページを表示できません"
                                                                                                 : "ただいま表示できません";
  if (status >= 500) message = "ただいま混み合っているか、障害が起きています。しばらくたってから、もう一度お試しください。";
  return page(c, status, "alerts_archive_error", {{"title", title}, {"message", message}},
              json::array({{{"name", "配信履歴"}, {"url", "/alerts/archive"}}, {{"name", title}}}));
}

http::Response error_for(const Ctx& c, const Error& e) {
  const int status = http::status_for(e);
  return error_page(c, status == 400 || status == 404 ? status : status == 503 ? 503 : 500, e.message);
}

// The filters shared by the archive page and the Atom feed; a bad value is a 400, never
// silently ignored (a typo in a feed URL would otherwise subscribe to everything).
struct Query {
  std::optional<int> category;
  std::optional<alerts::PublicArea> area;
  std::optional<std::int64_t> before;
};

Result<Query> parse_query(store::Session& s, std::string_view raw, bool allow_before) {
  auto q = http::forms::parse_urlencoded(raw, kQueryLimits);
  if (!q) return Error::invalid("ページのアドレスが正しくありません。");
  Query out;
  if (auto v = q->get("category").value_or(""); !v.empty()) {
    if (v.size() != 1 || !alerts::find_category(v[0] - '0')) return Error::invalid("情報の種類の指定が正しくありません。");
    out.category = v[0] - '0';
  }
  if (auto v = q->get("area").value_or(""); !v.empty()) {
    KOBAN_ASSIGN(auto areas, alerts::public_areas(s));
    for (const auto& a : areas)
      if (a.code == v) out.area = a;
    if (!out.area) return Error::invalid("地域の指定が正しくありません。");
  }
  if (auto v = q->get("before").value_or(""); !v.empty()) {
    auto id = pages::parse_id(v);
    if (!allow_before || !id) return Error::invalid("ページの指定が正しくありません。");
    out.before = *id;
  }
  return out;
}

// "?category=3&area=chuo" (empty when no filter), in a fixed order so that caches share.
std::string filter_query(const Query& q) {
  std::string out;
  if (q.category) out += "category=" + std::to_string(*q.category);
  if (q.area) out += std::string(out.empty() ? "" : "&") + "area=" + http::forms::form_urlencode(q.area->code);
  return out.empty() ? out : "?" + out;
}

std::string filter_title(const Query& q) {
  std::string t;
  if (q.category) t += std::string(alerts::find_category(*q.category)->name);
  if (q.area) t += (t.empty() ? "" : "・") + q.area->jurisdiction;
  return t;
}

http::Response archive(const Ctx& c, http::Request& req) {
  json data;
  Query q;
  auto r = c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(q, parse_query(s, req.query, true));
    KOBAN_ASSIGN(auto list, alerts::list_public_alerts(s, {.category = q.category,
                                                           .area = q.area ? std::optional(q.area->id) : std::nullopt,
                                                           .before = q.before, .limit = kPageSize}));
    json items = json::array();
    for (const auto& a : list.items) items.push_back(alert_json(a));
    data["alerts"] = items;
    data["has_alerts"] = !items.empty();
    if (list.next_before) {
      const std::string base = filter_query(q);
      data["next_url"] = "/alerts/archive" + base + (base.empty() ? "?" : "&") + "before=" + std::to_string(*list.next_before);
    }
    json cats = json::array();
    for (const auto& cat : alerts::categories())
      cats.push_back({{"number", cat.number}, {"name", cat.name}, {"selected", q.category == cat.number}});
    data["categories"] = cats;
    KOBAN_ASSIGN(auto areas, alerts::public_areas(s));
    json opts = json::array();
    for (const auto& a : areas)
      opts.push_back({{"code", a.code}, {"station", a.station}, {"jurisdiction", a.jurisdiction},
                      {"selected", q.area && q.area->code == a.code}});
    data["areas"] = opts;
    return ok();
  });
  if (!r) return error_for(c, r.error());
  const std::string filter = filter_title(q);
  data["title"] = "安心メールの配信履歴" + (filter.empty() ? std::string() : "（" + filter + "）");
  data["filter_text"] = filter;
  data["is_later_page"] = q.before.has_value();
  data["first_url"] = "/alerts/archive" + filter_query(q);
  data["feed_url"] = "/alerts/feed.atom" + filter_query(q);
  data["feed_title"] = c.fs.service_name + (filter.empty() ? "" : "（" + filter + "）") + "のAtomフィード";
  return page(c, 200, "alerts_archive", data, json::array({{{"name", "配信履歴"}}}));
}

http::Response show(const Ctx& c, http::Request& req) {
  auto id = pages::parse_id(req.param("id"));
  if (!id) return error_page(c, 404, "お探しの安心メールは見つかりません。");
  json data;
  auto r = c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, alerts::get_public_alert(s, *id));
    data = alert_json(a);
    return ok();
  });
  if (!r) return error_for(c, r.error());
  const std::string title = data["title"];
  return page(c, 200, "alerts_archive_alert", data,
              json::array({{{"name", "配信履歴"}, {"url", "/alerts/archive"}}, {{"name", title}}}));
}

http::Response xml(int status, std::string body, const char* type) {
  http::Response res;
  res.status = status;
  res.body = std::move(body);
  res.set("content-type", type);
  res.set("cache-control", status == 200 ? kFeedCache : "no-store");
  return res;
}

http::Response feed(const Ctx& c, http::Request& req) {
  std::vector<alerts::PublicAlert> list;
  Query q;
  auto r = c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(q, parse_query(s, req.query, false));
    KOBAN_ASSIGN(auto page, alerts::list_public_alerts(s, {.category = q.category,
                                                           .area = q.area ? std::optional(q.area->id) : std::nullopt,
                                                           .limit = kFeedSize}));
    list = std::move(page.items);
    return ok();
  });
  if (!r) {
    const int status = http::status_for(r.error());
    return http::Response::text(status == 400 ? 400 : 503, status == 400 ? r.error().message : "ただいま表示できません。");
  }
  std::string specific = "alerts/feed";
  if (q.category) specific += "/category-" + std::to_string(*q.category);
  if (q.area) specific += "/area-" + http::forms::form_urlencode(q.area->code);
  const std::string filter = filter_title(q);
  auto body = alerts::atom_feed(c.fs,
                                {.id = alerts::tag_uri(c.fs, specific),
                                 .title = c.config.text("site.force_name") + " " + c.fs.service_name +
                                          (filter.empty() ? "" : "（" + filter + "）"),
                                 .self_url = c.fs.base_url + "/alerts/feed.atom" + filter_query(q),
                                 .html_url = c.fs.base_url + "/alerts/archive" + filter_query(q),
                                 .updated = from_unix(0)},
                                list);
  return xml(200, std::move(body), "application/atom+xml; charset=utf-8");
}

http::Response syndication(const Ctx& c, http::Request&) {
  std::vector<alerts::PublicAlert> list;
  auto r = c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(list, alerts::syndicated_public_alerts(s, kFeedSize));
    return ok();
  });
  if (!r) return http::Response::text(503, "ただいま表示できません。");
  auto body = alerts::atom_feed(c.fs,
                                {.id = alerts::tag_uri(c.fs, "alerts/syndication"),
                                 .title = c.config.text("site.force_name") + " " + c.fs.service_name + "（防災速報等への提供）",
                                 .self_url = c.fs.base_url + "/alerts/syndication.atom",
                                 .html_url = c.fs.base_url + "/alerts/archive",
                                 .updated = from_unix(0)},
                                list);
  return xml(200, std::move(body), "application/atom+xml; charset=utf-8");
}

// /alerts/<id>.cap.xml: the router matches whole segments, so the suffix is checked here.
http::Response cap(const Ctx& c, http::Request& req) {
  std::string_view file = req.param("file");
  constexpr std::string_view kSuffix = ".cap.xml";
  if (!file.ends_with(kSuffix)) return http::Response::text(404, "見つかりません。");
  auto id = pages::parse_id(file.substr(0, file.size() - kSuffix.size()));
  if (!id) return http::Response::text(404, "見つかりません。");
  std::string body;
  auto r = c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, alerts::get_public_alert(s, *id));
    body = alerts::cap_alert(c.fs, a);
    return ok();
  });
  if (!r) {
    const int status = http::status_for(r.error());
    return http::Response::text(status == 404 ? 404 : 503, status == 404 ? "見つかりません。" : "ただいま表示できません。");
  }
  return xml(200, std::move(body), "application/cap+xml");
}

}  // namespace

alerts::FeedSettings feed_settings(const Config& config) {
  alerts::FeedSettings fs;
  fs.base_url = config.text("server.base_url");
  while (!fs.base_url.empty() && fs.base_url.back() == '/') fs.base_url.pop_back();
  if (fs.base_url.empty()) fs.base_url = "http://" + config.text("server.listen");
  fs.sender = mail::domain_of(config.text("mail.from"));
  if (fs.sender.empty()) {
    // No mail domain: the host of the site (without scheme and port).
    std::string host = fs.base_url.substr(fs.base_url.find("://") == std::string::npos ? 0 : fs.base_url.find("://") + 3);
    fs.sender = host.substr(0, host.find_first_of(":/"));
  }
  fs.force_name = config.text("site.force_name");
  return fs;
}

void add_public_alerts_archive_routes(http::Router& router, store::Database& db,
                                      std::shared_ptr<web::Templates> templates, const Config& config) {
  auto c = std::make_shared<Ctx>(Ctx{db, std::move(templates), config, feed_settings(config)});
  router.get("/alerts/archive", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) { return archive(*c, req); }));
  router.get("/alerts/archive/", [](http::Request&) { return http::Response::redirect("/alerts/archive", 301); },
             {.blocking = false});
  router.get("/alerts/archive/:id", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) { return show(*c, req); }));
  router.get("/alerts/feed.atom", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) { return feed(*c, req); }));
  router.get("/alerts/syndication.atom", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) { return syndication(*c, req); }));
  router.get("/alerts/:file", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) { return cap(*c, req); }));
}

Result<nlohmann::json> home_alerts_context(store::Database& db, int n) {
  json items = json::array();
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto list, alerts::latest_public_alerts(s, n));
    for (const auto& a : list) {
      json j = alert_json(a);
      items.push_back({{"url", j["url"]}, {"title", j["title"]}, {"sent_text", j["sent_text"]},
                       {"sent_iso", j["sent_iso"]}, {"areas_text", j["areas_text"]}, {"resolved", j["resolved"]}});
    }
    return ok();
  }));
  return json{{"latest_alerts", items}, {"has_latest_alerts", !items.empty()},
              {"alerts_archive_url", "/alerts/archive"}, {"alerts_feed_url", "/alerts/feed.atom"}};
}

}  // namespace koban::app

#include "app/public_alerts_routes.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "alerts/categories.h"
#include "alerts/subscriber_qr.h"
#include "app/subsystem_gate.h"
#include "auth/random_bytes.h"
#include "http/cookie.h"
#include "http/forms/urlencoded.h"
#include "mail/address.h"
#include "web/site_context.h"

namespace koban::app {
namespace {

// Sign-up and manage forms are small: six categories, a few dozen stations.
const http::forms::FormLimits kFormLimits{.max_fields = 300, .max_name_bytes = 32, .max_value_bytes = 1024,
                                          .max_total_bytes = 32 * 1024};

struct Ctx {
  store::Database& db;
  std::shared_ptr<alerts::Subscribers> subs;
  std::shared_ptr<web::Templates> templates;
  const Config& config;
  const Clock& clock;
  bool secure = false;
  std::string sender_domain;
  nlohmann::json site;  // web::site_context, built once: the configuration does not change
};

struct FormState {
  std::string address;
  std::vector<int> categories;
  alerts::AreaChoice areas;
  alerts::MailEncoding encoding = alerts::MailEncoding::utf8;
};

http::Response page(const Ctx& c, int status, std::string_view name, nlohmann::json data) {
  nlohmann::json ctx = c.site;
  for (auto& [k, v] : data.items()) ctx[k] = std::move(v);
  ctx["has_breadcrumbs"] = true;
  ctx["breadcrumbs"] = nlohmann::json::array({{{"name", "ホーム"}, {"url", "/"}},
                                              {{"name", c.subs->settings().service_name}, {"url", "/alerts/"}},
                                              {{"name", ctx.value("title", std::string())}}});
  auto html = c.templates->page("layout/public", std::string("public/") + std::string(name), std::move(ctx));
  if (!html) return http::Response::html(500, "");
  auto res = http::Response::html(status, std::move(*html));
  res.set("cache-control", "no-store");
  res.set("referrer-policy", "no-referrer");  // personal tokens are in these URLs
  return res;
}

http::Response error_page(const Ctx& c, const Error& e) {
  const int status = http::status_for(e);
  return page(c, status == 500 ? 500 : status, "alerts_error",
              {{"title", "お手続きできませんでした"},
               {"message", status == 500 || status == 503 ? "ただいま混み合っているか、障害が起きています。しばらくたってから、もう一度お試しください。"
                                                          : e.message}});
}

std::vector<int> parse_ints(const std::vector<std::string>& values, bool* bad) {
  std::vector<int> out;
  for (const auto& v : values) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || n < 0 || n > (std::int64_t{1} << 40)) {
      *bad = true;
      continue;
    }
    out.push_back(static_cast<int>(std::min<std::int64_t>(n, 1 << 30)));
  }
  return out;
}

FormState read_form(const http::forms::FormFields& f, bool* bad) {
  FormState s;
  s.address = f.get("address").value_or("");
  while (!s.address.empty() && (s.address.back() == ' ' || s.address.back() == '\t')) s.address.pop_back();
  while (!s.address.empty() && (s.address.front() == ' ' || s.address.front() == '\t')) s.address.erase(0, 1);
  s.categories = parse_ints(f.all("category"), bad);
  s.areas.whole_prefecture = f.get("whole").value_or("") == "1";
  for (auto a : parse_ints(f.all("area"), bad)) s.areas.units.push_back(a);
  s.encoding = alerts::parse_mail_encoding(f.get("encoding").value_or("utf8")).value_or(alerts::MailEncoding::utf8);
  return s;
}

// Everything the choice fieldsets need: categories with definitions, stations, encoding.
Result<nlohmann::json> choice_data(const Ctx& c, const FormState& s) {
  nlohmann::json d;
  auto cats = nlohmann::json::array();
  for (const auto& cat : alerts::categories()) {
    const bool checked = std::find(s.categories.begin(), s.categories.end(), cat.number) != s.categories.end();
    cats.push_back({{"number", cat.number}, {"name", cat.name}, {"definition", cat.definition}, {"checked", checked}});
  }
  d["categories"] = cats;
  std::vector<alerts::AreaOption> options;
  KOBAN_TRY(c.db.read([&](store::Session& ss) -> Result<void> {
    KOBAN_ASSIGN(options, alerts::area_options(ss));
    return ok();
  }));
  auto areas = nlohmann::json::array();
  for (const auto& o : options) {
    const bool checked = std::find(s.areas.units.begin(), s.areas.units.end(), o.id) != s.areas.units.end();
    areas.push_back({{"id", o.id}, {"station", o.station}, {"jurisdiction", o.jurisdiction}, {"checked", checked}});
  }
  d["areas"] = areas;
  d["whole"] = s.areas.whole_prefecture;
  d["utf8"] = s.encoding == alerts::MailEncoding::utf8;
  d["iso2022jp"] = s.encoding == alerts::MailEncoding::iso2022jp;
  d["sender_domain"] = c.sender_domain;
  d["sender"] = c.subs->settings().from_address;
  d["service_name"] = c.subs->settings().service_name;
  return d;
}

// Per-field checks in the order of the form, so that the summary links to each field.
Result<nlohmann::json> field_errors(const Ctx& c, const FormState& s, bool with_address) {
  auto errors = nlohmann::json::array();
  if (with_address)
    if (auto a = alerts::check_address(s.address); !a) errors.push_back({{"field", "address"}, {"key", "address"}, {"message", a.error().message}});
  if (auto k = alerts::check_categories(s.categories); !k)
    errors.push_back({{"field", "category-1"}, {"key", "categories"}, {"message", k.error().message}});
  Result<void> areas = c.db.read([&](store::Session& ss) -> Result<void> {
    KOBAN_TRY(alerts::check_areas(ss, s.areas));
    return ok();
  });
  if (!areas) {
    if (areas.error().code != ErrorCode::invalid_argument) return areas.error();
    errors.push_back({{"field", "whole"}, {"key", "areas"}, {"message", areas.error().message}});
  }
  return errors;
}

http::Response subscribe_form(const Ctx& c, int status, const FormState& s, nlohmann::json errors) {
  auto data = choice_data(c, s);
  if (!data) return error_page(c, data.error());
  const std::string token = auth::base64url_encode(auth::random_bytes(32));
  (*data)["title"] = c.subs->settings().service_name + "の登録";
  (*data)["csrf"] = token;
  (*data)["address"] = s.address;
  (*data)["errors"] = errors;
  (*data)["has_errors"] = !errors.empty();
  for (const auto& e : errors) (*data)["error_" + e["key"].get<std::string>()] = e["message"];
  auto res = page(c, status, "alerts_subscribe", std::move(*data));
  res.set("set-cookie", http::set_cookie(kAlertsCsrfCookie, token, {.secure = c.secure, .path = "/alerts/"}));
  return res;
}

http::Response subscribe_submit(const Ctx& c, http::Request& req) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return page(c, 400, "alerts_error", {{"title", "お手続きできませんでした"}, {"message", "送信された内容を読み取れませんでした。"}});
  bool bad = false;
  FormState s = read_form(*form, &bad);
  const std::string cookie = req.cookie(kAlertsCsrfCookie);
  if (cookie.empty() || !auth::constant_time_equal(cookie, form->get("csrf").value_or("")))
    return subscribe_form(c, 403, s,
                          nlohmann::json::array({{{"field", "address"}, {"key", "address"},
                                                  {"message", "ページの有効期限が切れました。内容を確かめて、もう一度「登録する」を押してください。"}}}));
  // The honeypot: a field people never see. Bots fill it; they get the normal answer.
  if (!form->get("website").value_or("").empty()) return http::Response::redirect("/alerts/sent", 303);
  auto errors = field_errors(c, s, true);
  if (!errors) return error_page(c, errors.error());
  if (!errors->empty()) return subscribe_form(c, 422, s, *errors);
  auto done = c.db.write([&](store::Session& ss) -> Result<void> {
    KOBAN_ASSIGN(auto r, c.subs->subscribe(ss, {.address = s.address, .categories = s.categories, .areas = s.areas,
                                                .encoding = s.encoding, .client_ip = req.remote_addr},
                                           c.clock.now()));
    return ok();
  });
  if (!done) {
    if (done.error().code == ErrorCode::invalid_argument)
      return subscribe_form(c, 422, s, nlohmann::json::array({{{"field", "address"}, {"key", "address"}, {"message", done.error().message}}}));
    return error_page(c, done.error());
  }
  auto res = http::Response::redirect("/alerts/sent", 303);
  res.set("set-cookie", http::clear_cookie(kAlertsCsrfCookie, {.secure = c.secure, .path = "/alerts/"}));
  return res;
}

std::string ttl_text(std::chrono::seconds ttl) {
  if (ttl.count() % 3600 == 0) return std::to_string(ttl.count() / 3600) + "時間";
  return std::to_string(ttl.count() / 60) + "分";
}

Result<alerts::Subscriber> by_token(const Ctx& c, std::string_view token) {
  alerts::Subscriber sub;
  KOBAN_TRY(c.db.read([&](store::Session& ss) -> Result<void> {
    KOBAN_ASSIGN(sub, c.subs->find_by_personal_token(ss, token));
    return ok();
  }));
  return sub;
}

http::Response manage_form(const Ctx& c, int status, const alerts::Subscriber& sub, const FormState& s,
                           nlohmann::json errors, std::string notice, std::string_view token) {
  auto data = choice_data(c, s);
  if (!data) return error_page(c, data.error());
  (*data)["title"] = "登録内容の変更・配信の停止";
  (*data)["token"] = std::string(token);
  (*data)["masked_address"] = sub.address.substr(0, std::min<std::size_t>(2, sub.address.find('@'))) + "…@" + sub.domain;
  (*data)["confirmed"] = sub.state == alerts::SubscriberState::confirmed;
  (*data)["state_label"] = alerts::label(sub.state);
  (*data)["errors"] = errors;
  (*data)["has_errors"] = !errors.empty();
  for (const auto& e : errors) (*data)["error_" + e["key"].get<std::string>()] = e["message"];
  if (!notice.empty()) (*data)["notice"] = notice;
  return page(c, status, "alerts_manage", *data);
}

FormState state_of(const alerts::Subscriber& sub) {
  FormState s;
  s.categories = alerts::category_numbers(sub.categories);
  s.areas.whole_prefecture = sub.all_areas;
  s.areas.units = sub.areas;
  s.encoding = sub.encoding;
  return s;
}

}  // namespace

alerts::SubscriberSettings subscriber_settings(const Config& config) {
  alerts::SubscriberSettings s;
  s.base_url = config.text("server.base_url");
  while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  if (s.base_url.empty()) s.base_url = "http://" + config.text("server.listen");
  s.from_address = config.text("mail.from");
  s.from_name = config.text("mail.from_name");
  s.mail_transport = config.text("mail.transport");
  // Bounded so that a slip in the file cannot make links dead on arrival or last for months.
  s.confirm_ttl = std::chrono::hours(std::clamp<std::int64_t>(config.integer("alerts.confirm_ttl_hours"), 1, 24 * 14));
  s.resend_interval =
      std::chrono::minutes(std::clamp<std::int64_t>(config.integer("alerts.resend_interval_minutes"), 0, 24 * 60));
  s.ip_limit_per_hour =
      static_cast<int>(std::clamp<std::int64_t>(config.integer("alerts.signups_per_ip_per_hour"), 0, 1'000'000'000));
  s.hard_failure_limit = static_cast<int>(std::clamp<std::int64_t>(config.integer("alerts.hard_failure_limit"), 1, 100));
  return s;
}

void add_public_alerts_routes(http::Router& router, store::Database& db,
                              std::shared_ptr<alerts::Subscribers> subscribers,
                              std::shared_ptr<web::Templates> templates, const Config& config, const Clock& clock) {
  auto c = std::make_shared<Ctx>(Ctx{db, std::move(subscribers), std::move(templates), config, clock});
  c->secure = c->subs->settings().base_url.starts_with("https://");
  c->sender_domain = mail::domain_of(c->subs->settings().from_address);
  c->site = web::site_context(config, "");

  router.get("/m", [](http::Request&) { return http::Response::redirect("/alerts/", 301); }, {.blocking = false});
  router.get("/alerts", [](http::Request&) { return http::Response::redirect("/alerts/", 301); }, {.blocking = false});
  router.get("/alerts/", when_running(db, incidents::Subsystem::alerts, [c](http::Request&) { return subscribe_form(*c, 200, {}, nlohmann::json::array()); }));
  router.post("/alerts/", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) { return subscribe_submit(*c, req); }), {.max_body = 32 * 1024});
  router.get("/alerts/sent", when_running(db, incidents::Subsystem::alerts, [c](http::Request&) {
    return page(*c, 200, "alerts_sent",
                {{"title", "確認メールを送りました"}, {"ttl", ttl_text(c->subs->settings().confirm_ttl)},
                 {"sender", c->subs->settings().from_address}, {"sender_domain", c->sender_domain}});
  }));

  router.get("/alerts/confirm/:token", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) {
    return page(*c, 200, "alerts_confirm", {{"title", "登録の確認"}, {"token", std::string(req.param("token"))}});
  }));
  router.post("/alerts/confirm/:token", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) {
    auto r = c->db.write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(c->subs->confirm(s, req.param("token"), c->clock.now(), req.remote_addr));
      return ok();
    });
    if (!r) return error_page(*c, r.error());
    return page(*c, 200, "alerts_confirmed", {{"title", "登録が完了しました"}});
  }), {.max_body = 1024});

  router.get("/alerts/manage/:token", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) {
    auto sub = by_token(*c, req.param("token"));
    if (!sub) return error_page(*c, sub.error());
    return manage_form(*c, 200, *sub, state_of(*sub), nlohmann::json::array(), "", req.param("token"));
  }));
  router.post("/alerts/manage/:token", when_running(db, incidents::Subsystem::alerts, [c](http::Request& req) {
    const std::string token(req.param("token"));
    auto sub = by_token(*c, token);
    if (!sub) return error_page(*c, sub.error());
    auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
    if (!form) return error_page(*c, form.error());
    bool bad = false;
    FormState s = read_form(*form, &bad);
    auto errors = field_errors(*c, s, false);
    if (!errors) return error_page(*c, errors.error());
    if (!errors->empty()) return manage_form(*c, 422, *sub, s, *errors, "", token);
    auto r = c->db.write([&](store::Session& ss) -> Result<void> {
      return c->subs->update_choices(ss, token, {.categories = s.categories, .areas = s.areas, .encoding = s.encoding},
                                     c->clock.now(), req.remote_addr);
    });
    if (!r) return error_page(*c, r.error());
    auto fresh = by_token(*c, token);
    if (!fresh) return error_page(*c, fresh.error());
    return manage_form(*c, 200, *fresh, state_of(*fresh), nlohmann::json::array(), "登録内容を変更しました。", token);
  }), {.max_body = 32 * 1024});

  // Unsubscribing stays open while the service is suspended (ORG-10): a resident's wish to
  // stop the mail is always honoured, and mail clients' one-click POSTs have no page to show.

  router.get("/alerts/unsubscribe/:token", [c](http::Request& req) {
    auto sub = by_token(*c, req.param("token"));
    if (!sub) return error_page(*c, sub.error());
    return page(*c, 200, "alerts_unsubscribe",
                {{"title", "配信の停止"}, {"token", std::string(req.param("token"))},
                 {"already", sub->state == alerts::SubscriberState::unsubscribed}});
  });
  // RFC 8058: the body is "List-Unsubscribe=One-Click" from a mail client, or the button's
  // form; either way the token in the URL decides, and no cookie or CSRF field is needed.
  router.post("/alerts/unsubscribe/:token", [c](http::Request& req) {
    auto r = c->db.write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(c->subs->unsubscribe(s, req.param("token"), c->clock.now(), req.remote_addr));
      return ok();
    });
    if (!r) return error_page(*c, r.error());
    return page(*c, 200, "alerts_unsubscribed", {{"title", "配信を停止しました"}});
  }, {.max_body = 1024});

  // The QR code never changes while the process runs: drawn once, served from memory.
  auto svg = std::make_shared<const std::string>(alerts::qr_svg(c->subs->settings().base_url + "/alerts/").value_or(""));
  router.get("/alerts/qr.svg", [svg](http::Request&) {
    if (svg->empty()) return http::Response::text(500, "");
    http::Response res;
    res.status = 200;
    res.body = *svg;
    res.set("content-type", "image/svg+xml");
    res.set("cache-control", "public, max-age=86400");
    return res;
  }, {.blocking = false});
}

}  // namespace koban::app

#include "app/public_mailbox_routes.h"

#include "app/subsystem_gate.h"
#include "auth/random_bytes.h"
#include "http/cookie.h"
#include "http/forms/urlencoded.h"
#include "web/site_context.h"

namespace koban::app {
namespace {

using nlohmann::json;

// Room for a text well over the limit (a Japanese character is 3 bytes, and the browser sends
// it percent-encoded), so that an over-long text gets its own field message, not a 413.
const http::forms::FormLimits kFormLimits{.max_fields = 12, .max_name_bytes = 16, .max_value_bytes = 128 * 1024,
                                          .max_total_bytes = 160 * 1024};
constexpr std::size_t kMaxBody = 512 * 1024;  // percent-encoding triples the bytes

struct Ctx {
  store::Database& db;
  std::shared_ptr<const mailbox::Mailbox> box;
  std::shared_ptr<web::Templates> templates;
  const Config& config;
  const Clock& clock;
  bool secure = false;
};

struct FormState {
  std::string kind, text, name, contact;
  bool consent = false;
};

http::CookieOptions cookie_options(const Ctx& c, std::optional<long> max_age = std::nullopt) {
  return {.secure = c.secure, .path = "/mailbox/", .max_age_seconds = max_age};
}

http::Response page(const Ctx& c, int status, std::string_view name, json data) {
  json ctx = web::site_context(c.config, "");
  for (auto& [k, v] : data.items()) ctx[k] = v;
  ctx["service_name"] = mailbox::kServiceName;
  ctx["has_breadcrumbs"] = true;
  ctx["breadcrumbs"] = json::array({{{"name", "ホーム"}, {"url", "/"}},
                                    {{"name", mailbox::kServiceName}, {"url", "/mailbox/"}},
                                    {{"name", ctx.value("title", std::string())}}});
  auto html = c.templates->page("layout/public", std::string("public/") + std::string(name), ctx);
  if (!html) return http::Response::html(500, "");
  auto res = http::Response::html(status, std::move(*html));
  res.set("cache-control", "no-store");
  res.set("referrer-policy", "no-referrer");
  return res;
}

http::Response form_page(const Ctx& c, int status, const FormState& s, json errors) {
  const std::string token = mailbox::issue_form_token(c.box->keys(), c.clock.now());
  json kinds = json::array();
  for (auto k : mailbox::kAllKinds)
    kinds.push_back({{"value", mailbox::to_string(k)}, {"label", mailbox::label(k)}, {"checked", s.kind == mailbox::to_string(k)}});
  const auto& st = c.box->settings();
  json data = {{"title", mailbox::kServiceName},
               {"csrf", token},
               {"kinds", kinds},
               {"text", s.text},
               {"name", s.name},
               {"contact", s.contact},
               {"consent", s.consent},
               {"errors", errors},
               {"has_errors", !errors.empty()},
               {"max_text_chars", st.max_text_chars},
               {"max_name_chars", mailbox::kMaxNameChars},
               {"retention_days", st.retention_days}};
  for (const auto& e : errors) data["error_" + e["field"].get<std::string>()] = e["message"];
  auto res = page(c, status, "mailbox_form", std::move(data));
  res.set("set-cookie", http::set_cookie(kMailboxFormCookie, token, cookie_options(c)));
  return res;
}

json one_error(const std::string& field, const std::string& message) {
  return json::array({{{"field", field}, {"message", message}}});
}

http::Response submit(const Ctx& c, http::Request& req) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form)
    return page(c, 400, "mailbox_error",
                {{"title", "送信できませんでした"},
                 {"message", "送信された内容を読み取れませんでした。本文が長すぎる場合は、短くしてもう一度お試しください。"}});
  FormState s{.kind = form->get("kind").value_or(""), .text = form->get("text").value_or(""),
              .name = form->get("name").value_or(""), .contact = form->get("contact").value_or(""),
              .consent = form->get("consent").value_or("") == "1"};
  // The double-submit check: a post from another site has no cookie, or a different one.
  const std::string cookie = req.cookie(kMailboxFormCookie);
  const std::string field = form->get("csrf").value_or("");
  if (cookie.empty() || field.empty() || !auth::constant_time_equal(cookie, field))
    return form_page(c, 403, s,
                     one_error("text", "このページから送信されたことを確かめられませんでした（ページの有効期限が切れたか、"
                                       "ブラウザーでCookieが無効になっています）。内容はまだ送信されていません。"
                                       "内容を確かめて、もう一度「送信する」を押してください。"));
  switch (mailbox::check_form_token(c.box->keys(), field, c.clock.now())) {
    case mailbox::FormTokenCheck::ok: break;
    case mailbox::FormTokenCheck::too_fast:
      return form_page(c, 429, s,
                       one_error("text", "ページを開いてから送信までが短すぎたため、受け付けられませんでした。"
                                         "内容はまだ送信されていません。内容を確かめて、もう一度「送信する」を押してください。"));
    case mailbox::FormTokenCheck::expired:
      return form_page(c, 403, s,
                       one_error("text", "ページを開いてから時間がたちすぎたため、受け付けられませんでした。"
                                         "内容はまだ送信されていません。もう一度「送信する」を押してください。"));
    case mailbox::FormTokenCheck::forged:
      return form_page(c, 403, s,
                       one_error("text", "このページから送信されたことを確かめられませんでした。内容はまだ送信されていません。"
                                         "もう一度「送信する」を押してください。"));
  }
  // The honeypot: a field people never see. Bots fill it; they get the normal answer.
  if (!form->get("website").value_or("").empty()) {
    auto res = http::Response::redirect("/mailbox/sent", 303);
    res.set("set-cookie", http::clear_cookie(kMailboxFormCookie, cookie_options(c)));
    return res;
  }
  mailbox::Submission in{.kind = mailbox::parse_kind(s.kind), .text = s.text, .name = s.name, .contact = s.contact,
                         .consent = s.consent, .client_ip = req.remote_addr};
  const auto problems = mailbox::check_submission(in, c.box->settings().max_text_chars);
  if (!problems.empty()) {
    json errors = json::array();
    for (const auto& p : problems) errors.push_back({{"field", p.field}, {"message", p.message}});
    return form_page(c, 422, s, errors);
  }
  mailbox::Receipt receipt;
  auto done = c.db.write([&](store::Session& ss) -> Result<void> {
    KOBAN_ASSIGN(receipt, c.box->submit(ss, in, c.clock.now()));
    return ok();
  });
  if (!done) {
    const auto code = done.error().code;
    if (code == ErrorCode::rate_limited) return form_page(c, 429, s, one_error("text", done.error().message));
    if (code == ErrorCode::invalid_argument) return form_page(c, 422, s, one_error("text", done.error().message));
    return form_page(c, http::status_for(done.error()) == 503 ? 503 : 500, s,
                     one_error("text", "ただいま混み合っているか、障害が起きているため、受け付けられませんでした。"
                                       "内容はまだ送信されていません。しばらくたってから、もう一度「送信する」を押してください。"
                                       "緊急の場合は110番に通報してください。"));
  }
  auto res = http::Response::redirect("/mailbox/sent", 303);
  res.set("set-cookie", http::clear_cookie(kMailboxFormCookie, cookie_options(c)));
  res.headers.emplace_back("set-cookie", http::set_cookie(kMailboxReceiptCookie, receipt.receipt, cookie_options(c, 600)));
  return res;
}

}  // namespace

void add_public_mailbox_routes(http::Router& router, store::Database& db, std::shared_ptr<const mailbox::Mailbox> box,
                               std::shared_ptr<web::Templates> templates, const Config& config, const Clock& clock) {
  auto c = std::make_shared<Ctx>(Ctx{db, std::move(box), std::move(templates), config, clock});
  c->secure = c->box->settings().base_url.starts_with("https://");

  router.get("/mailbox", [](http::Request&) { return http::Response::redirect("/mailbox/", 301); }, {.blocking = false});
  router.get("/mailbox/", when_running(db, incidents::Subsystem::mailbox, [c](http::Request&) { return form_page(*c, 200, {}, json::array()); }));
  router.post("/mailbox/", when_running(db, incidents::Subsystem::mailbox, [c](http::Request& req) { return submit(*c, req); }), {.max_body = kMaxBody});
  router.get("/mailbox/sent", [c](http::Request& req) {
    const std::string receipt = req.cookie(kMailboxReceiptCookie);
    const bool known = mailbox::is_receipt_number(receipt);
    return page(*c, 200, "mailbox_sent",
                {{"title", "送信しました"}, {"receipt", known ? json(receipt) : json()},
                 {"retention_days", c->box->settings().retention_days}});
  });
}

}  // namespace koban::app

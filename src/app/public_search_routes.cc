#include "app/public_search_routes.h"

#include <sodium.h>

#include <cstdio>

#include "http/forms/urlencoded.h"
#include "site/search/query.h"
#include "site/search/search.h"
#include "store/rate_limit.h"
#include "web/site_context.h"

namespace koban::app {
namespace {

using nlohmann::json;
namespace search = site::search;

// q is at most 100 characters (300 bytes of UTF-8); room to tell "too long" from garbage.
const http::forms::FormLimits kQueryLimits{.max_fields = 4, .max_name_bytes = 8, .max_value_bytes = 2048,
                                           .max_total_bytes = 8192};

struct Ctx {
  store::Database& db;
  std::shared_ptr<web::Templates> templates;
  const Config& config;
  const Clock& clock;
  SearchRouteOptions options;
  json site;  // web::site_context, built once: the configuration does not change
};

http::Response page(const Ctx& c, int status, json data) {
  json ctx = c.site;
  for (auto& [k, v] : data.items()) ctx[k] = std::move(v);
  ctx["title"] = ctx.contains("q") && !ctx["q"].get<std::string>().empty()
                     ? "「" + ctx["q"].get<std::string>() + "」の検索結果"
                     : std::string("サイト内検索");
  ctx["has_breadcrumbs"] = true;
  ctx["hide_header_search"] = true;  // the page has its own, larger search form
  ctx["breadcrumbs"] = json::array({{{"name", "ホーム"}, {"url", "/"}}, {{"name", "サイト内検索"}}});
  auto html = c.templates->page("layout/public", "public/search", std::move(ctx));
  if (!html) return http::Response::html(500, "");
  auto res = http::Response::html(status, std::move(*html));
  res.set("cache-control", "no-cache");
  return res;
}

http::Response error_page(const Ctx& c, int status, const std::string& q, const std::string& message) {
  return page(c, status, {{"q", q}, {"search_q", q}, {"has_error", true}, {"error", message}});
}

std::string address_key(const Ctx& c, const std::string& address) {
  // A domain prefix, so that the key (possibly the data key) never MACs the same message twice
  // for two purposes.
  const std::string message = std::string("koban.search.address") + '\0' + address;
  unsigned char out[16];
  const auto* key = reinterpret_cast<const unsigned char*>(c.options.address_key.data());
  const std::size_t key_len = std::min<std::size_t>(c.options.address_key.size(), crypto_generichash_KEYBYTES_MAX);
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     key_len >= crypto_generichash_KEYBYTES_MIN ? key : nullptr,
                     key_len >= crypto_generichash_KEYBYTES_MIN ? key_len : 0);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::string("search:") + hex;
}

std::string date_text(Instant t) {
  const auto j = to_jst(t);
  return std::to_string(j.date.year) + "年" + std::to_string(j.date.month) + "月" + std::to_string(j.date.day) + "日";
}
std::string date_iso(Instant t) {
  const auto j = to_jst(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", j.date.year, j.date.month, j.date.day);
  return buf;
}

std::string page_url(const std::string& q, int n) {
  return "/search?q=" + http::forms::form_urlencode(q) + (n > 1 ? "&page=" + std::to_string(n) : "");
}

http::Response handle(const Ctx& c, http::Request& req) {
  auto fields = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!fields) return error_page(c, 400, "", "検索語を読み取れませんでした。短くして、もう一度お試しください。");
  const std::string q = fields->get("q").value_or("");
  int page_no = 1;
  if (auto p = fields->get("page")) {
    page_no = 0;
    if (p->empty() || p->size() > 3) page_no = -1;
    for (char ch : *p) page_no = ch >= '0' && ch <= '9' && page_no >= 0 ? page_no * 10 + (ch - '0') : -1;
    if (page_no < 1 || page_no > search::kMaxPage)
      return error_page(c, 400, q, "ページの指定が正しくありません。");
  }
  auto parsed = search::parse_query(q);
  if (!parsed) return error_page(c, 400, q.size() > 1024 ? std::string() : q, parsed.error().message);
  if (parsed->terms.empty()) return page(c, 200, {{"q", ""}, {"search_q", ""}});

  // One hit per search for the address; refused searches roll back (the count stops at limit + 1).
  auto counted = c.db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto hits, store::count_hit(s, "site_search_rate_limits", address_key(c, req.remote_addr),
                                             c.clock.now(), std::chrono::minutes(1)));
    if (hits > c.options.per_minute)
      return Error{ErrorCode::rate_limited, "短い時間に続けて検索されたため、受け付けられませんでした。"
                                            "1分ほどたってから、もう一度お試しください。"};
    return ok();
  });
  if (!counted && counted.error().code == ErrorCode::rate_limited) {
    auto res = error_page(c, 429, q, counted.error().message);
    res.set("retry-after", "60");
    return res;
  }
  search::Page result;
  auto r = counted ? c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(result, search::search(s, q, page_no));
    return ok();
  })
                   : Result<void>(counted.error());
  if (!r) {
    if (r.error().code == ErrorCode::invalid_argument) return error_page(c, 400, q, r.error().message);
    return error_page(c, 503, q, "ただいま検索できません。しばらくたってから、もう一度お試しください。");
  }
  json hits = json::array();
  for (const auto& h : result.hits)
    hits.push_back({{"url", h.url}, {"title_html", h.title_html}, {"snippet_html", h.snippet_html},
                    {"section_label", h.section_label}, {"date_text", date_text(h.published_at)},
                    {"date_iso", date_iso(h.published_at)}});
  std::string count_text = result.total_capped ? std::to_string(search::kMaxCounted) + "件以上見つかりました。"
                                               : std::to_string(result.total) + "件見つかりました。";
  if (result.pages > 1)
    count_text += "（" + std::to_string(result.pages) + "ページ中" + std::to_string(page_no) + "ページ目）";
  json data = {{"q", q},
               {"search_q", q},
               {"asked", true},
               {"has_hits", !hits.empty()},
               {"hits", hits},
               {"count_text", result.total > 0 ? json(count_text) : json()},
               {"first_no", (page_no - 1) * search::kPageSize + 1},
               {"has_paging", result.pages > 1},
               {"prev_url", page_no > 1 ? json(page_url(q, page_no - 1)) : json()},
               {"next_url", page_no < result.pages ? json(page_url(q, page_no + 1)) : json()},
               {"beyond_last", result.total > 0 && hits.empty()},
               {"first_url", page_url(q, 1)}};
  json sections = json::array();
  for (const auto& s : web::public_sections())
    sections.push_back({{"slug", std::string(s.slug)}, {"name", std::string(s.name)}});
  data["hint_sections"] = sections;
  return page(c, 200, std::move(data));
}

}  // namespace

void add_public_search_routes(http::Router& router, store::Database& db, std::shared_ptr<web::Templates> templates,
                              const Config& config, const Clock& clock, SearchRouteOptions options) {
  auto c = std::make_shared<Ctx>(Ctx{db, std::move(templates), config, clock, std::move(options)});
  c->site = web::site_context(config, "");
  router.get("/search", [c](http::Request& req) { return handle(*c, req); });
}

}  // namespace koban::app

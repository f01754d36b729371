#include "site/publish/site_renderer.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "site/markdown/html_escape.h"
#include "site/markdown/markdown.h"
#include "site/markdown/url_policy.h"
#include "site/sections.h"

namespace koban::site::publish {
namespace {

using json = nlohmann::json;

std::string page_file(std::size_t page_no) {
  return page_no <= 1 ? "index.html" : "page" + std::to_string(page_no) + ".html";
}
std::size_t page_count(std::size_t n, std::size_t per_page) {
  return std::max<std::size_t>(1, (n + per_page - 1) / per_page);
}
// "/safety/prevention/" for "safety/prevention/index.html"; other files as they are.
std::string url_of(const std::string& path) {
  if (path == "index.html") return "/";
  if (path.ends_with("/index.html")) return "/" + path.substr(0, path.size() - 10);
  return "/" + path;
}
std::string rfc3339(Instant t) { return format_rfc3339_utc(t); }

json item_json(const LiveArticle& a) {
  return {{"url", url_of(a.path)}, {"title", a.title}, {"date", jst_date_text(a.published_at)},
          {"iso", to_jst(a.published_at).iso()}};
}

std::string list_heading(const Snapshot& snap, const std::string& key, std::string* section_out,
                         std::string* topic_name) {
  const auto slash = key.find('/');
  const std::string sec = key.substr(0, slash), rest = slash == std::string::npos ? "" : key.substr(slash + 1);
  *section_out = sec;
  if (sec == kStationsSection) {
    for (const auto& st : snap.stations)
      if (st.code == rest) return *topic_name = st.name;
    return *topic_name = rest;
  }
  const auto* t = find_topic(sec, rest);
  return *topic_name = t ? std::string(t->name) : rest;
}

}  // namespace

std::string jst_date_text(Instant t) {
  const auto j = to_jst(t);
  return std::to_string(j.date.year) + "年" + std::to_string(j.date.month) + "月" + std::to_string(j.date.day) + "日";
}

std::string size_text(std::uint64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%lluKB", static_cast<unsigned long long>(std::max<std::uint64_t>(1, (bytes + 1023) / 1024)));
  } else {
    std::snprintf(buf, sizeof buf, "%.1fMB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return buf;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, LF and CR.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::vector<std::string> SiteIndex::lists_of(const LiveArticle& a, const Snapshot& snap) {
  std::vector<std::string> out;
  if (a.section != kStationsSection && find_topic(a.section, a.topic) && safe_segment(a.topic))
    out.push_back(a.section + "/" + a.topic);
  if (const Station* st = snap.station(a.station_id); st && safe_segment(st->code))
    out.push_back(std::string(kStationsSection) + "/" + st->code);
  return out;
}

SiteRenderer::SiteRenderer(RenderConfig config) : config_(std::move(config)) {
  while (config_.base_url.ends_with('/')) config_.base_url.pop_back();
  if (config_.per_page == 0) config_.per_page = 50;
  // The nav marks the current section (aria-current); one copy of the site data per section.
  std::vector<std::string> slugs{""};
  for (const auto& s : sections()) slugs.emplace_back(s.slug);
  for (const auto& slug : slugs) {
    json site = config_.site.contains("site") ? config_.site["site"] : json::object();
    if (site.contains("sections") && site["sections"].is_array())
      for (auto& s : site["sections"]) s["current"] = s.value("slug", "") == slug && !slug.empty();
    site_by_section_[slug] = std::move(site);
  }
}

json SiteRenderer::layout(std::string_view section, std::string title,
                          const std::vector<std::pair<std::string, std::string>>& crumbs) const {
  json d = json::object();
  auto it = site_by_section_.find(section);
  d["site"] = it != site_by_section_.end() ? it->second : site_by_section_.at("");
  d["lang"] = "ja";
  d["title"] = std::move(title);
  d["feed_url"] = "/news.atom";
  d["feed_title"] = "新着情報（Atom）";
  json bc = json::array();
  for (const auto& [name, url] : crumbs) {
    json c = {{"name", name}};
    if (!url.empty()) c["url"] = url;
    bc.push_back(std::move(c));
  }
  d["has_breadcrumbs"] = !crumbs.empty();
  d["breadcrumbs"] = std::move(bc);
  return d;
}

SiteIndex SiteRenderer::index(const Snapshot& snap) const {
  SiteIndex ix;
  // Every topic and station has its list page, even when empty.
  for (const auto& sec : sections()) {
    if (sec.slug == kStationsSection) continue;
    for (const auto& t : sec.topics) ix.lists[std::string(sec.slug) + "/" + std::string(t.slug)];
  }
  for (const auto& st : snap.stations)
    if (safe_segment(st.code)) ix.lists[std::string(kStationsSection) + "/" + st.code];
  for (const auto& a : snap.articles) {
    ix.paths.insert(a.path);
    for (const auto& key : SiteIndex::lists_of(a, snap)) ix.lists[key].push_back(&a);
    for (const auto& f : a.files) ix.paths.insert("uploads/" + f.stored_name);
  }
  for (const auto& [key, items] : ix.lists)
    for (std::size_t p = 1; p <= page_count(items.size(), config_.per_page); ++p) ix.paths.insert(key + "/" + page_file(p));
  for (const auto& sec : sections()) ix.paths.insert(std::string(sec.slug) + "/index.html");
  for (const char* p : {"index.html", "news.atom", "sitemap.xml", "robots.txt", "sitemap/index.html"}) ix.paths.insert(p);
  return ix;
}

std::vector<PageJob> SiteRenderer::jobs(const Snapshot& snap, const SiteIndex& index, const Selection& sel,
                                        const HomeExtras& home) const {
  std::vector<PageJob> out;
  if (sel.home_only) {
    out.push_back([this, &snap, &home] { return home_page(snap, home); });
    return out;
  }
  for (const auto& a : snap.articles)
    if (sel.everything || sel.articles.count(a.id)) out.push_back([this, &snap, &a] { return article_page(snap, a); });
  for (const auto& [key, items] : index.lists) {
    if (!sel.everything && !sel.lists.count(key)) continue;
    for (std::size_t p = 1; p <= page_count(items.size(), config_.per_page); ++p)
      out.push_back([this, &snap, &key, &items, p] { return list_page(snap, key, items, p); });
  }
  if (sel.everything || sel.shared) {
    for (const auto& sec : sections()) {
      if (sec.slug == kStationsSection) {
        out.push_back([this, &snap] { return stations_page(snap); });
      } else {
        out.push_back([this, &index, slug = sec.slug] { return section_page(index, slug); });
      }
    }
    out.push_back([this, &snap, &home] { return home_page(snap, home); });
    out.push_back([this, &snap] { return sitemap_page(snap); });
    out.push_back([this, &snap]() -> Result<Page> { return atom_feed(snap); });
    out.push_back([this, &snap, &index]() -> Result<Page> { return sitemap_xml(index, snap); });
    out.push_back([this]() -> Result<Page> { return robots_txt(); });
  }
  return out;
}

Result<Page> SiteRenderer::article_page(const Snapshot& snap, const LiveArticle& a) const {
  const auto* sec = find_section(a.section);
  std::vector<std::pair<std::string, std::string>> crumbs{{"ホーム", "/"}};
  if (sec) crumbs.emplace_back(std::string(sec->name), "/" + a.section + "/");
  if (a.section == kStationsSection) {
    if (const Station* st = snap.station(a.station_id)) crumbs.emplace_back(st->name, "/stations/" + st->code + "/");
  } else if (const auto* t = find_topic(a.section, a.topic)) {
    crumbs.emplace_back(std::string(t->name), "/" + a.section + "/" + a.topic + "/");
  }
  crumbs.emplace_back(a.title, "");
  json d = layout(a.section, a.title, crumbs);
  d["published_text"] = jst_date_text(a.published_at);
  d["published_iso"] = to_jst(a.published_at).iso();
  // A later version replaced the first one: when its content was last changed.
  if (a.version_no > 1) {
    d["updated_text"] = jst_date_text(a.version_at);
    d["updated_iso"] = to_jst(a.version_at).iso();
  }
  auto rendered = markdown::render(a.body, articles::render_options(config_.article_settings, a.files));
  std::unordered_set<std::string> inline_images;
  if (rendered) {
    d["body_html"] = std::move(rendered->html);
    for (const auto& im : rendered->images) inline_images.insert(im.url);
  } else {
    // It rendered when it was approved; if the limits changed since, show the text as typed.
    d["body_html"] = "<p class=\"plain-text\">" + markdown::escape(a.body) + "</p>";
  }
  json images = json::array(), pdfs = json::array();
  for (const auto& f : a.files) {
    if (f.kind == "image" && !inline_images.count(f.url())) {
      images.push_back({{"url", f.url()}, {"alt", f.alt}});
    } else if (f.kind == "pdf") {
      pdfs.push_back({{"url", f.url()}, {"label", f.alt.empty() ? f.original_name : f.alt}, {"size_text", size_text(f.size)}});
    }
  }
  d["has_images"] = !images.empty();
  d["images"] = std::move(images);
  d["has_pdfs"] = !pdfs.empty();
  d["pdfs"] = std::move(pdfs);
  d["contact"] = a.contact;
  auto unit = snap.unit_names.find(a.unit_id);
  d["unit_name"] = unit != snap.unit_names.end() ? unit->second : "";
  if (const Station* st = snap.station(a.station_id)) {
    d["station_name"] = st->name;
    d["station_url"] = "/stations/" + st->code + "/";
  }
  KOBAN_ASSIGN(auto html, config_.templates->page("public/site_article", std::move(d)));
  return Page{a.path, std::move(html)};
}

Result<Page> SiteRenderer::list_page(const Snapshot& snap, const std::string& key,
                                     const std::vector<const LiveArticle*>& items, std::size_t page_no) const {
  std::string section, name;
  list_heading(snap, key, &section, &name);
  const auto* sec = find_section(section);
  const std::size_t pages = page_count(items.size(), config_.per_page);
  std::string title = name + (page_no > 1 ? "（" + std::to_string(page_no) + "ページ目）" : "");
  std::vector<std::pair<std::string, std::string>> crumbs{{"ホーム", "/"}};
  if (sec) crumbs.emplace_back(std::string(sec->name), "/" + section + "/");
  if (page_no > 1) crumbs.emplace_back(name, "/" + key + "/");
  crumbs.emplace_back(title, "");
  json d = layout(section, title, crumbs);
  d["heading"] = title;
  json list = json::array();
  const std::size_t from = (page_no - 1) * config_.per_page;
  for (std::size_t i = from; i < items.size() && i < from + config_.per_page; ++i) list.push_back(item_json(*items[i]));
  d["has_items"] = !list.empty();
  d["items"] = std::move(list);
  if (pages > 1) {
    json pager = json::array();
    for (std::size_t p = 1; p <= pages; ++p)
      pager.push_back({{"n", std::to_string(p)}, {"url", url_of(key + "/" + page_file(p))}, {"current", p == page_no}});
    d["has_pager"] = true;
    d["pager"] = std::move(pager);
  }
  const bool station = section == kStationsSection;
  if (station) {
    for (const auto& st : snap.stations) {
      if (std::string(kStationsSection) + "/" + st.code != key) continue;
      d["station"] = {{"name", st.name}, {"address", st.address}, {"phone", st.phone},
                      {"tel", [&] {
                         std::string t;
                         for (char c : st.phone)
                           if ((c >= '0' && c <= '9') || c == '+' || c == '-') t += c;
                         return t;
                       }()},
                      {"jurisdiction", st.jurisdiction},
                      {"alerts_url", "/alerts/archive?area=" + st.code}};
    }
    d["first_page"] = page_no == 1;
  }
  KOBAN_ASSIGN(auto html, config_.templates->page(station ? "public/site_station" : "public/site_list", std::move(d)));
  return Page{key + "/" + page_file(page_no), std::move(html)};
}

Result<Page> SiteRenderer::section_page(const SiteIndex& index, std::string_view slug) const {
  const auto* sec = find_section(slug);
  if (!sec) return Error::internal("unknown section");
  json d = layout(slug, std::string(sec->name), {{"ホーム", "/"}, {std::string(sec->name), ""}});
  d["heading"] = sec->name;
  json topics = json::array();
  for (const auto& t : sec->topics) {
    const std::string key = std::string(slug) + "/" + std::string(t.slug);
    json latest = json::array();
    if (auto it = index.lists.find(key); it != index.lists.end())
      for (std::size_t i = 0; i < it->second.size() && i < config_.section_latest; ++i)
        latest.push_back(item_json(*it->second[i]));
    topics.push_back({{"name", t.name}, {"url", "/" + key + "/"}, {"has_items", !latest.empty()}, {"items", latest},
                      {"id", "t-" + std::string(t.slug)}});
  }
  d["topics"] = std::move(topics);
  KOBAN_ASSIGN(auto html, config_.templates->page("public/site_section", std::move(d)));
  return Page{std::string(slug) + "/index.html", std::move(html)};
}

Result<Page> SiteRenderer::stations_page(const Snapshot& snap) const {
  const auto* sec = find_section(kStationsSection);
  const std::string name = sec ? std::string(sec->name) : "警察署";
  json d = layout(kStationsSection, name, {{"ホーム", "/"}, {name, ""}});
  d["heading"] = name;
  json list = json::array();
  for (const auto& st : snap.stations)
    if (safe_segment(st.code))
      list.push_back({{"name", st.name}, {"url", "/stations/" + st.code + "/"}, {"address", st.address},
                      {"phone", st.phone}, {"jurisdiction", st.jurisdiction}});
  d["has_stations"] = !list.empty();
  d["stations"] = std::move(list);
  KOBAN_ASSIGN(auto html, config_.templates->page("public/site_stations", std::move(d)));
  return Page{"stations/index.html", std::move(html)};
}

Result<Page> SiteRenderer::home_page(const Snapshot& snap, const HomeExtras& home) const {
  json d = layout("", "", {});
  d.erase("title");  // the layout shows the force's name alone
  if (home.emergency) {
    d["message"] = home.emergency->message;
    json links = json::array();
    for (const auto& l : home.emergency->links)
      if (!l.text.empty() && !markdown::refuse_url(l.url)) links.push_back({{"text", l.text}, {"url", l.url}});
    d["has_links"] = !links.empty();
    d["links"] = std::move(links);
    KOBAN_ASSIGN(auto html, config_.templates->page("public/site_emergency", std::move(d)));
    return Page{"index.html", std::move(html)};
  }
  json news = json::array();
  for (std::size_t i = 0; i < snap.articles.size() && i < config_.home_news; ++i) {
    json j = item_json(snap.articles[i]);
    j["label"] = label_of(snap.articles[i].section, snap.articles[i].topic);
    news.push_back(std::move(j));
  }
  d["has_news"] = !news.empty();
  d["news"] = std::move(news);
  d["has_latest_alerts"] = false;
  d["alerts_archive_url"] = "/alerts/archive";
  d["alerts_feed_url"] = "/alerts/feed.atom";
  if (home.alerts.is_object())
    for (auto it = home.alerts.begin(); it != home.alerts.end(); ++it) d[it.key()] = it.value();
  KOBAN_ASSIGN(auto html, config_.templates->page("public/site_home", std::move(d)));
  return Page{"index.html", std::move(html)};
}

Result<Page> SiteRenderer::sitemap_page(const Snapshot& snap) const {
  json d = layout("", "サイトマップ", {{"ホーム", "/"}, {"サイトマップ", ""}});
  json secs = json::array();
  for (const auto& sec : sections()) {
    json children = json::array();
    if (sec.slug == kStationsSection) {
      for (const auto& st : snap.stations)
        if (safe_segment(st.code)) children.push_back({{"name", st.name}, {"url", "/stations/" + st.code + "/"}});
    } else {
      for (const auto& t : sec.topics)
        children.push_back({{"name", t.name}, {"url", "/" + std::string(sec.slug) + "/" + std::string(t.slug) + "/"}});
    }
    secs.push_back({{"name", sec.name}, {"url", "/" + std::string(sec.slug) + "/"}, {"children", children},
                    {"has_children", !children.empty()}});
  }
  d["sections"] = std::move(secs);
  KOBAN_ASSIGN(auto html, config_.templates->page("public/site_sitemap", std::move(d)));
  return Page{"sitemap/index.html", std::move(html)};
}

Page SiteRenderer::atom_feed(const Snapshot& snap) const {
  const std::string& base = config_.base_url;
  const std::string force = config_.site.contains("site") ? config_.site["site"].value("force_name", "") : "";
  std::string x;
  x.reserve(32 * 1024);
  x += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n";
  x += "<id>" + xml_escape(base + "/news.atom") + "</id>\n";
  x += "<title>" + xml_escape(force + " 新着情報") + "</title>\n";
  x += "<updated>" + rfc3339(snap.articles.empty() ? Instant{} : snap.articles.front().published_at) + "</updated>\n";
  x += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" + xml_escape(base + "/news.atom") + "\"/>\n";
  x += "<link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(base + "/") + "\"/>\n";
  x += "<author><name>" + xml_escape(force.empty() ? "koban" : force) + "</name></author>\n";
  for (std::size_t i = 0; i < snap.articles.size() && i < config_.feed_entries; ++i) {
    const auto& a = snap.articles[i];
    const std::string url = base + url_of(a.path);
    x += "<entry>\n<id>" + xml_escape(url) + "</id>\n<title>" + xml_escape(a.title) + "</title>\n";
    x += "<link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(url) + "\"/>\n";
    x += "<published>" + rfc3339(a.published_at) + "</published>\n<updated>" + rfc3339(a.published_at) + "</updated>\n";
    x += "<summary>" + xml_escape(label_of(a.section, a.topic)) + "</summary>\n</entry>\n";
  }
  x += "</feed>\n";
  return Page{"news.atom", std::move(x)};
}

Page SiteRenderer::sitemap_xml(const SiteIndex& index, const Snapshot& snap) const {
  std::unordered_map<std::string, Instant> lastmod;
  for (const auto& a : snap.articles) lastmod.emplace(a.path, a.published_at);
  std::string x;
  x.reserve(index.paths.size() * 96);
  x += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& p : index.paths) {
    if (!p.ends_with(".html")) continue;
    x += "<url><loc>" + xml_escape(config_.base_url + url_of(p)) + "</loc>";
    if (auto it = lastmod.find(p); it != lastmod.end()) x += "<lastmod>" + rfc3339(it->second) + "</lastmod>";
    x += "</url>\n";
  }
  x += "</urlset>\n";
  return Page{"sitemap.xml", std::move(x)};
}

Page SiteRenderer::robots_txt() const {
  return Page{"robots.txt", "User-agent: *\nDisallow: /admin/\n\nSitemap: " + config_.base_url + "/sitemap.xml\n"};
}

}  // namespace koban::site::publish

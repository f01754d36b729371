#include "app/admin_alerts_progress_routes.h"

#include <algorithm>
#include <map>
#include <memory>

#include "alerts/alert_delivery.h"
#include "alerts/alerts.h"
#include "alerts/categories.h"
#include "alerts/subscribers.h"
#include "app/page_helpers.h"
#include "mail/bulk/bulk.h"
#include "org/permissions.h"

namespace koban::app {
namespace {

using nlohmann::json;
using pages::jst_text;
using pages::parse_id;

struct Ctx {
  store::Database& db;
  StaffAuth& staff;
  alerts::SubscriberKeys keys;
  AlertsProgressOptions options;
  const Clock& clock;
};

struct Loaded {
  alerts::Alert alert;
  std::optional<mail::bulk::Progress> progress;
};

// The alert and its run's figures, for a viewer with alerts view permission on its unit.
Result<Loaded> load(Ctx& c, const http::Request& req, const StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return Error::not_found("指定された配信文は見つかりません。");
  Loaded out;
  std::optional<std::int64_t> run;
  KOBAN_TRY(c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(out.alert, alerts::get_alert(s, *id));
    KOBAN_ASSIGN(run, alerts::find_alert_run(s, *id));
    return ok();
  }));
  if (!org::can(who.actor, org::Purpose::alerts, org::Action::view, out.alert.unit_id))
    return Error::denied("この配信文の配信状況を見る権限がありません。");
  if (run) {
    KOBAN_ASSIGN(auto p, mail::bulk::run_progress(c.db, *run));
    out.progress = std::move(p);
  }
  return out;
}

const char* run_state_label(std::string_view state) {
  if (state == "done") return "配信完了";
  if (state == "running") return "配信中";
  return "配信待ち";
}

// The figures the page and the event stream share.
json figures(const Loaded& l) {
  json j;
  const auto& p = l.progress;
  const std::int64_t total = p ? p->total : 0;
  const std::int64_t finished = p ? p->total - p->pending - p->deferred : 0;
  j["started"] = p.has_value();
  j["done"] = p && p->state == "done";
  j["state"] = p ? p->state : "waiting";
  j["state_label"] = p ? run_state_label(p->state) : "配信前";
  j["total"] = total;
  j["sent"] = p ? p->sent : 0;
  j["pending"] = p ? p->pending : 0;
  j["deferred"] = p ? p->deferred : 0;
  j["bounced"] = p ? p->bounced : 0;
  j["failed"] = p ? p->failed : 0;
  j["skipped"] = p ? p->skipped : 0;
  j["finished"] = finished;
  j["percent"] = total > 0 ? finished * 100 / total : (p && p->state == "done" ? 100 : 0);
  return j;
}

http::Response progress_page(Ctx& c, http::Request& req, StaffContext& who) {
  auto l = load(c, req, who);
  if (!l) return http::response_for(l.error());
  const auto& a = l->alert;
  json data = figures(*l);
  const auto* cat = alerts::find_category(a.category);
  data["title"] = "配信状況";
  data["id"] = a.id;
  data["alert_title"] = a.title;
  data["category"] = cat ? std::string(cat->name) : "";
  if (a.follow_kind) data["follow"] = alerts::label(*a.follow_kind);
  data["alert_state"] = alerts::state_label(a.state);
  if (a.send_after) data["send_after"] = jst_text(*a.send_after);
  data["demo"] = !c.options.smtp;
  data["keep"] = alerts::DeliverySettings{}.catcher_keep;
  if (l->progress) {
    if (l->progress->started_at) data["started_at"] = jst_text(*l->progress->started_at);
    if (l->progress->finished_at) data["finished_at"] = jst_text(*l->progress->finished_at);
  }
  // Sending or about to: refresh without JavaScript, and a link for those who prefer to click.
  const bool waiting = !data["done"].get<bool>() && (a.state == "approved" || a.state == "sending");
  data["live"] = waiting;
  json bounced = json::array();
  if (l->progress && (l->progress->bounced > 0 || l->progress->failed > 0)) {
    const bool clear = org::can(who.actor, org::Purpose::alerts, org::Action::administer, a.unit_id);
    auto rows = alerts::bounced_addresses(c.db, c.keys, l->progress->run_id, 200);
    if (!rows) return http::response_for(rows.error());
    for (const auto& b : *rows)
      bounced.push_back({{"address", clear ? b.address : alerts::mask_address(b.address)},
                         {"state", b.state == "bounced" ? "不達（恒久的エラー）" : "再送を打ち切り"},
                         {"code", b.code ? std::to_string(b.code) : ""},
                         {"detail", clear ? b.detail : std::string()}});
    data["masked"] = !clear;
  }
  data["bounced_list"] = bounced;
  data["has_bounced"] = !bounced.empty();
  return c.staff.page(who, "admin/alerts_progress", std::move(data));
}

http::Response progress_events(Ctx& c, http::Request& req, StaffContext& who) {
  auto l = load(c, req, who);
  if (!l) return http::response_for(l.error());
  // One event per request (see the header): EventSource reconnects after `retry` ms.
  std::string body = "retry: 1000\nevent: progress\ndata: " + figures(*l).dump() + "\n\n";
  http::Response res = http::Response::text(200, std::move(body));
  res.set("content-type", "text/event-stream; charset=utf-8");
  res.set("cache-control", "no-store");
  return res;
}

// ---- charts -------------------------------------------------------------------------------

struct Point {
  std::string label;  // "11/18"
  std::int64_t value = 0;
};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A bar chart as SVG with presentation attributes only (the CSP forbids inline styles). The
// data table beside it carries the numbers for screen readers; the SVG has a short title.
std::string bar_chart(const std::string& title, const std::vector<Point>& points, const char* color) {
  const double width = 720, height = 240, left = 56, bottom = 28, top = 12;
  const double plot_w = width - left - 8, plot_h = height - bottom - top;
  std::int64_t max = 1;
  for (const auto& p : points) max = std::max(max, p.value);
  const double bar_w = points.empty() ? 0 : plot_w / static_cast<double>(points.size());
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 720 240\" width=\"720\""
                    " height=\"240\" class=\"chart\"><title>" + http::html_escape(title) + "</title>";
  svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(top + plot_h) + "\" x2=\"" + num(width - 8) + "\" y2=\"" +
         num(top + plot_h) + "\" stroke=\"#333\"/>";
  svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(top) + "\" x2=\"" + num(left) + "\" y2=\"" + num(top + plot_h) +
         "\" stroke=\"#333\"/>";
  svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(top + 10) + "\" text-anchor=\"end\" font-size=\"11\">" +
         std::to_string(max) + "</text>";
  svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(top + plot_h) + "\" text-anchor=\"end\" font-size=\"11\">0</text>";
  const std::size_t every = std::max<std::size_t>(1, points.size() / 10);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double h = plot_h * static_cast<double>(points[i].value) / static_cast<double>(max);
    const double x = left + bar_w * static_cast<double>(i) + bar_w * 0.15;
    if (points[i].value > 0)
      svg += "<rect x=\"" + num(x) + "\" y=\"" + num(top + plot_h - h) + "\" width=\"" + num(bar_w * 0.7) +
             "\" height=\"" + num(h) + "\" fill=\"" + color + "\"/>";
    if (i % every == 0 || i + 1 == points.size())
      svg += "<text x=\"" + num(x + bar_w * 0.35) + "\" y=\"" + num(height - 10) +
             "\" text-anchor=\"middle\" font-size=\"11\">" + http::html_escape(points[i].label) + "</text>";
  }
  return svg + "</svg>";
}

std::string md(Date d) { return std::to_string(d.month) + "/" + std::to_string(d.day); }

http::Response stats_page(Ctx& c, http::Request&, StaffContext& who) {
  const auto visible = org::units_where_allowed(who.actor, org::Purpose::alerts, org::Action::view);
  if (visible && visible->empty())
    return http::response_for(Error::denied("安全安心メールの統計を見る権限がありません。"));
  const Date today = to_jst(c.clock.now()).date;
  std::vector<alerts::DailyDeliveries> days;
  std::vector<alerts::DailyCount> history;
  alerts::SubscriberCounts counts;
  auto r = c.db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(days, alerts::deliveries_per_day(s, today.plus_days(-29), today));
    KOBAN_ASSIGN(history, alerts::subscriber_history(s, today.plus_days(-89)));
    KOBAN_ASSIGN(counts, alerts::count_subscribers(s));
    return ok();
  });
  if (!r) return http::response_for(r.error());

  std::vector<Point> sent_points;
  json delivery_rows = json::array();
  std::int64_t total_sent = 0, total_alerts = 0;
  for (const auto& d : days) {
    sent_points.push_back({md(d.day), d.sent});
    total_sent += d.sent;
    total_alerts += d.alerts;
    if (d.alerts > 0)
      delivery_rows.push_back({{"day", d.day.iso()}, {"alerts", d.alerts}, {"sent", d.sent},
                               {"bounced", d.bounced}, {"failed", d.failed}});
  }
  // One point per day of the snapshot (confirmed subscribers); days without a snapshot are left out.
  std::map<Date, std::int64_t> confirmed;
  for (const auto& h : history)
    if (h.state == "confirmed") confirmed[h.day] = h.count;
  std::vector<Point> sub_points;
  json sub_rows = json::array();
  for (const auto& [day, n] : confirmed) {
    sub_points.push_back({md(day), n});
    sub_rows.push_back({{"day", day.iso()}, {"count", n}});
  }
  json by_state = json::array();
  for (const auto& [state, n] : counts.by_state) {
    const auto st = alerts::parse_subscriber_state(state);
    by_state.push_back({{"label", st ? alerts::label(*st) : state.c_str()}, {"count", n}});
  }
  json by_category = json::array();
  for (const auto& cat : alerts::categories())
    by_category.push_back({{"name", std::string(cat.name)}, {"count", counts.by_category[static_cast<std::size_t>(cat.number - 1)]}});

  json data;
  data["title"] = "安全安心メールの統計";
  data["from"] = today.plus_days(-29).iso();
  data["to"] = today.iso();
  data["delivery_chart"] = bar_chart("日別の配信数（" + today.plus_days(-29).iso() + "〜" + today.iso() + "、合計" +
                                         std::to_string(total_sent) + "通）",
                                     sent_points, "#1f5fa8");
  data["delivery_rows"] = delivery_rows;
  data["has_deliveries"] = !delivery_rows.empty();
  data["total_sent"] = total_sent;
  data["total_alerts"] = total_alerts;
  data["has_history"] = !sub_points.empty();
  if (!sub_points.empty()) data["subscriber_chart"] = bar_chart("登録者数の推移（登録済み、日ごと）", sub_points, "#2e7d32");
  data["subscriber_rows"] = sub_rows;
  data["by_state"] = by_state;
  data["by_category"] = by_category;
  data["whole_prefecture"] = counts.whole_prefecture;
  return c.staff.page(who, "admin/alerts_stats", std::move(data));
}

}  // namespace

void add_alerts_progress_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                                alerts::SubscriberKeys keys, AlertsProgressOptions options, const Clock& clock) {
  auto c = std::make_shared<Ctx>(Ctx{db, staff, std::move(keys), options, clock});
  auto on = [&](http::Response (*fn)(Ctx&, http::Request&, StaffContext&)) {
    return staff.guard([c, fn](http::Request& req, StaffContext& who) { return fn(*c, req, who); }, std::nullopt);
  };
  router.get("/admin/alerts/stats", on(&stats_page));
  router.get("/admin/alerts/:id/progress", on(&progress_page));
  router.get("/admin/alerts/:id/progress/events", on(&progress_events));
}

}  // namespace koban::app

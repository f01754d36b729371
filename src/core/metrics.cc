#include "core/metrics.h"

#include <cstdio>

namespace koban {
namespace {

// Label values escape backslash, quote and newline (Prometheus text format).
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string bucket_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

void Metrics::observe_request(std::string_view route, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.emplace(std::string(route), RouteStats{}).first;
  auto& r = it->second;
  ++r.by_status[status];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++r.buckets[i];
  ++r.count;
  r.sum += seconds;
}

void Metrics::add_function(std::string name, std::string help, std::string type,
                           std::function<double()> fn) {
  std::lock_guard lock(mu_);
  functions_.push_back({std::move(name), std::move(help), std::move(type), std::move(fn)});
}

std::string Metrics::render() const {
  std::string out;
  std::vector<Function> functions;
  {
    std::lock_guard lock(mu_);
    out += "# HELP koban_http_requests_total HTTP requests by route and status.\n";
    out += "# TYPE koban_http_requests_total counter\n";
    for (const auto& [route, stats] : routes_) {
      for (const auto& [status, n] : stats.by_status) {
        out += "koban_http_requests_total{route=\"" + label(route) + "\",status=\"" +
               std::to_string(status) + "\"} " + std::to_string(n) + "\n";
      }
    }
    out += "# HELP koban_http_request_duration_seconds HTTP request latency by route.\n";
    out += "# TYPE koban_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : routes_) {
      const std::string r = label(route);
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out += "koban_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"" +
               bucket_label(kBuckets[i]) + "\"} " + std::to_string(h.buckets[i]) + "\n";
      }
      out += "koban_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      out += "koban_http_request_duration_seconds_sum{route=\"" + r + "\"} " + number(h.sum) + "\n";
      out += "koban_http_request_duration_seconds_count{route=\"" + r + "\"} " +
             std::to_string(h.count) + "\n";
    }
    functions = functions_;
  }
  // Functions may take their own locks (database counts): call them outside ours.
  for (const auto& f : functions) {
    out += "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    out += f.name + " " + number(f.fn()) + "\n";
  }
  return out;
}

}  // namespace koban

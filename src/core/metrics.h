// Metrics in the Prometheus text format (GET /metrics).
//
// The HTTP server records requests (by route and status) and latency; other modules register
// gauges or counters as functions read at scrape time, so they need no dependency on HTTP:
//   metrics.add_gauge("koban_jobs_queued", "Jobs waiting", [&] { return double(jobs.count()); });
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace koban {

class Metrics {
 public:
  // Latency buckets in seconds (upper bounds), as Prometheus expects them.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  void observe_request(std::string_view route, int status, double seconds);

  // type is "gauge" or "counter"; fn is called at every scrape.
  void add_function(std::string name, std::string help, std::string type,
                    std::function<double()> fn);
  void add_gauge(std::string name, std::string help, std::function<double()> fn) {
    add_function(std::move(name), std::move(help), "gauge", std::move(fn));
  }
  void add_counter(std::string name, std::string help, std::function<double()> fn) {
    add_function(std::move(name), std::move(help), "counter", std::move(fn));
  }

  std::string render() const;

 private:
  struct RouteStats {
    std::map<int, std::uint64_t> by_status;
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Function {
    std::string name, help, type;
    std::function<double()> fn;
  };
  mutable std::mutex mu_;
  // route pattern → counts; looked up by string_view so that a request allocates nothing.
  std::map<std::string, RouteStats, std::less<>> routes_;
  std::vector<Function> functions_;
};

}  // namespace koban

#include "http/router.h"

namespace koban::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool match_route(const Route& route, const std::vector<std::string_view>& parts,
                 std::string_view path, std::map<std::string, std::string, std::less<>>* params) {
  const auto& segs = route.segments;
  std::size_t i = 0;
  for (; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    if (!seg.empty() && seg[0] == '*') {
      // The rest of the path, from the start of part i.
      std::size_t offset = 1;  // skip leading '/'
      for (std::size_t k = 0; k < i; ++k) offset += parts[k].size() + 1;
      if (params) {
        std::string_view rest = offset <= path.size() ? path.substr(offset) : std::string_view{};
        auto decoded = percent_decode(rest);
        if (!decoded) return false;
        (*params)[seg.substr(1)] = std::move(*decoded);
      }
      return true;
    }
    if (i >= parts.size()) return false;
    if (!seg.empty() && seg[0] == ':') {
      if (parts[i].empty()) return false;
      if (params) {
        auto decoded = percent_decode(parts[i]);
        if (!decoded) return false;
        (*params)[seg.substr(1)] = std::move(*decoded);
      }
      continue;
    }
    if (seg != parts[i]) return false;
  }
  return i == parts.size();
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route r{std::move(method), pattern, {}, std::move(handler), options};
  for (auto part : split_path(pattern)) r.segments.emplace_back(part);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(std::string_view method, std::string_view path,
                            std::map<std::string, std::string, std::less<>>* params) const {
  const auto parts = split_path(path);
  Match m;
  const std::string_view wanted = method == "HEAD" ? std::string_view{"GET"} : method;
  for (const auto& route : routes_) {
    if (!match_route(route, parts, path, nullptr)) continue;
    if (route.method == wanted) {
      // Parameters are decoded only now; a bad escape (%zz) means no match.
      if (params && !match_route(route, parts, path, params)) continue;
      m.route = &route;
      m.method_not_allowed = false;
      return m;
    }
    m.method_not_allowed = true;
    if (m.allow.find(route.method) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += route.method;
    }
  }
  return m;
}

}  // namespace koban::http

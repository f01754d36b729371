#include "site/integrity/url_verify.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <thread>

#include "audit/chain_hash.h"

namespace koban::site::integrity {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

Result<BaseUrl> parse_base_url(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  if (url.substr(0, 8) == "https://")
    return Error::invalid("https:// is not supported by this check; use the http:// address of the server itself");
  if (url.substr(0, kHttp.size()) != kHttp) return Error::invalid("the URL must start with http://");
  url.remove_prefix(kHttp.size());
  BaseUrl b;
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.find_first_of("?#") != std::string_view::npos) return Error::invalid("the URL may not have a query");
  b.prefix = std::string(prefix);
  if (authority.find('@') != std::string_view::npos) return Error::invalid("the URL may not carry a user name");
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Error::invalid("bad IPv6 address in the URL");
    b.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return Error::invalid("bad URL");
      b.port = std::string(authority.substr(1));
    }
  } else {
    auto colon = authority.rfind(':');
    b.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) b.port = std::string(authority.substr(colon + 1));
  }
  if (b.port.empty()) b.port = "80";
  if (b.host.empty() || b.host.size() > 255) return Error::invalid("the URL has no host");
  for (char c : b.port)
    if (c < '0' || c > '9') return Error::invalid("bad port in the URL");
  if (b.port.size() > 5 || std::stoi(b.port) == 0 || std::stoi(b.port) > 65535) return Error::invalid("bad port in the URL");
  return b;
}

std::string encode_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {

struct Fetched {
  unsigned status = 0;
  std::string body;
  std::string content_encoding;
};

// One keep-alive connection. Each operation runs on the private io_context with the stream's
// deadline, so a silent server costs at most `timeout` per request.
class Client {
 public:
  Client(const BaseUrl& base, const tcp::resolver::results_type& endpoints, const UrlVerifyOptions& o)
      : base_(base), endpoints_(endpoints), o_(o) {}

  Result<Fetched> get(const std::string& target) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = connected_;
      auto r = try_get(target);
      if (r || !reused) return r;
      // The server may close an idle keep-alive connection between our requests: one retry on
      // a fresh connection.
    }
    return Error{ErrorCode::unavailable, "connection failed"};
  }

 private:
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = net::error::would_block;
    ioc_.restart();
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.run();
    return result;
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    connected_ = false;
  }

  Result<Fetched> try_get(const std::string& target) {
    if (!connected_) {
      stream_.expires_after(o_.timeout);
      auto ec = run([&](auto handler) { stream_.async_connect(endpoints_, handler); });
      if (ec) return Error{ErrorCode::unavailable, "cannot connect: " + ec.message()};
      connected_ = true;
    }
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, base_.host + (base_.port == "80" ? "" : ":" + base_.port));
    req.set(bhttp::field::user_agent, "koban-site-verify");
    req.set(bhttp::field::accept_encoding, "identity");
    req.keep_alive(true);
    stream_.expires_after(o_.timeout);
    auto ec = run([&](auto handler) { bhttp::async_write(stream_, req, handler); });
    if (ec) {
      close();
      return Error{ErrorCode::unavailable, "send failed: " + ec.message()};
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(32 * 1024);
    parser.body_limit(o_.max_body);
    ec = run([&](auto handler) { bhttp::async_read(stream_, buffer_, parser, handler); });
    if (ec) {
      close();
      if (ec == bhttp::error::body_limit) return Error{ErrorCode::too_large, "body larger than the limit"};
      if (ec == beast::error::timeout) return Error{ErrorCode::timeout, "timed out"};
      return Error{ErrorCode::unavailable, "receive failed: " + ec.message()};
    }
    auto res = parser.release();
    Fetched f;
    f.status = res.result_int();
    f.content_encoding = std::string(res[bhttp::field::content_encoding]);
    f.body = std::move(res.body());
    if (!res.keep_alive()) close();
    return f;
  }

  const BaseUrl& base_;
  const tcp::resolver::results_type& endpoints_;
  const UrlVerifyOptions& o_;
  net::io_context ioc_{1};
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace

Result<VerifyReport> verify_url(std::string_view base_url, const FileMap& manifest, const UrlVerifyOptions& options) {
  KOBAN_ASSIGN(BaseUrl base, parse_base_url(base_url));
  tcp::resolver::results_type endpoints;
  {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    endpoints = resolver.resolve(base.host, base.port, ec);
    if (ec) return Error::unavailable("cannot resolve " + base.host + ": " + ec.message());
  }
  std::vector<const FileMap::value_type*> entries;
  entries.reserve(manifest.size());
  for (const auto& e : manifest) entries.push_back(&e);

  VerifyReport report;
  std::mutex mu;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    Client client(base, endpoints, options);
    std::vector<Finding> mine;
    for (std::size_t i; (i = next.fetch_add(1)) < entries.size();) {
      const auto& [path, want] = *entries[i];
      auto got = client.get(base.prefix + "/" + encode_path(path));
      if (!got) {
        mine.push_back({FindingKind::error, path, got.error().message});
        continue;
      }
      if (got->status == 404 || got->status == 410) {
        mine.push_back({FindingKind::removed, path, "HTTP " + std::to_string(got->status)});
      } else if (got->status != 200) {
        mine.push_back({FindingKind::error, path, "HTTP " + std::to_string(got->status)});
      } else if (got->body.size() != want.size || audit::sha256_hex(got->body) != want.sha256) {
        std::string detail = got->body.size() != want.size ? "size " + std::to_string(want.size) + " -> " +
                                                                 std::to_string(got->body.size())
                                                           : "content differs";
        if (!got->content_encoding.empty() && got->content_encoding != "identity")
          detail += ", served with Content-Encoding: " + got->content_encoding;
        mine.push_back({FindingKind::changed, path, detail});
      }
    }
    std::lock_guard lock(mu);
    report.findings.insert(report.findings.end(), mine.begin(), mine.end());
  };
  const int n = std::max(1, std::min<int>(options.connections, static_cast<int>((entries.size() + 15) / 16)));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  report.checked = entries.size();
  report.hashed = entries.size();
  sort_findings(report.findings);
  return report;
}

}  // namespace koban::site::integrity

// For end-to-end tests of the staff pages: one request on its own connection (Connection:
// close), read to the end. Unlike tests/http/test_client.h it keeps every Set-Cookie header,
// which the login flow needs (koban_login and koban_session arrive together).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

namespace koban::app::testing {

struct Reply {
  int status = 0;
  std::vector<std::string> cookies;  // every Set-Cookie value
  std::string location;
  std::string cache_control;
  std::string body;
};

inline Reply exchange(std::uint16_t port, const std::string& request) {
  Reply r;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return r;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (std::size_t off = 0; off < request.size();) {
    auto n = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const auto end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) return r;
  r.status = std::stoi(raw.substr(9, 3));
  r.body = raw.substr(end + 4);
  std::size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    auto e = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, e - pos);
    pos = e + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "set-cookie") r.cookies.push_back(value);
    if (name == "location") r.location = value;
    if (name == "cache-control") r.cache_control = value;
  }
  return r;
}

inline std::string cookie_value(const Reply& r, const std::string& name) {
  for (const auto& c : r.cookies)
    if (c.starts_with(name + "=")) return c.substr(name.size() + 1, c.find(';') - name.size() - 1);
  return "";
}

// The hidden csrf field of the first form in a page.
inline std::string csrf_field(const std::string& body) {
  std::smatch m;
  static const std::regex re("name=\"csrf\" value=\"([^\"]*)\"");
  return std::regex_search(body, m, re) ? m[1].str() : "";
}

}  // namespace koban::app::testing

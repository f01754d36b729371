#include "app/secret_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/random_bytes.h"

namespace koban::app {
namespace {

std::optional<std::string> from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) hex.remove_suffix(1);
  if (hex.size() != 64) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace

Result<std::string> load_secret_key(const Config& config) {
  if (const auto& configured = config.text("security.secret_key"); !configured.empty()) {
    auto key = from_hex(configured);
    if (!key) return Error::invalid("security.secret_key must be 64 hexadecimal digits");
    return *key;
  }
  const auto path = std::filesystem::path(config.text("data.dir")) / "secret.key";
  std::ifstream in(path);
  if (!in) return Error::not_found("no secret key: " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto key = from_hex(ss.str());
  if (!key) return Error::invalid(path.string() + " is not a 64-digit hexadecimal key");
  return *key;
}

Result<std::string> load_or_create_secret_key(const Config& config) {
  if (auto existing = load_secret_key(config); existing || existing.error().code != ErrorCode::not_found)
    return existing;
  const auto path = std::filesystem::path(config.text("data.dir")) / "secret.key";
  const std::string key = auth::random_bytes(32);
  const std::string text = to_hex(key) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error::unavailable("cannot create " + path.string());
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Error::unavailable("cannot write " + path.string());
  return key;
}

}  // namespace koban::app

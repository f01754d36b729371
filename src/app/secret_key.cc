#include "app/secret_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/random_bytes.h"
#include "core/hex.h"

namespace koban::app {
namespace {

// The key is exactly 32 bytes: 64 hex digits (a trailing newline or spaces are fine).
std::optional<std::string> key_from_hex(std::string_view text) {
  auto key = hex::decode(text);
  if (!key || key->size() != 32) return std::nullopt;
  return key;
}

}  // namespace

Result<std::string> load_secret_key(const Config& config) {
  if (const auto& configured = config.text("security.secret_key"); !configured.empty()) {
    auto key = key_from_hex(configured);
    if (!key) return Error::invalid("security.secret_key must be 64 hexadecimal digits");
    return *key;
  }
  const auto path = std::filesystem::path(config.text("data.dir")) / "secret.key";
  std::ifstream in(path);
  if (!in) return Error::not_found("no secret key: " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto key = key_from_hex(ss.str());
  if (!key) return Error::invalid(path.string() + " is not a 64-digit hexadecimal key");
  return *key;
}

Result<std::string> load_or_create_secret_key(const Config& config) {
  if (auto existing = load_secret_key(config); existing || existing.error().code != ErrorCode::not_found)
    return existing;
  const auto path = std::filesystem::path(config.text("data.dir")) / "secret.key";
  const std::string key = auth::random_bytes(32);
  const std::string text = hex::encode(key) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error::unavailable("cannot create " + path.string());
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Error::unavailable("cannot write " + path.string());
  return key;
}

}  // namespace koban::app

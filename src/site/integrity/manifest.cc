#include "site/integrity/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/chain_hash.h"
#include "core/atomic_file.h"
#include "core/hex.h"

namespace koban::site::integrity {
namespace fs = std::filesystem;
namespace {

// A JSON string literal, written by hand: the manifest of a large site has one per file and is
// rewritten on every publish. Bytes that are not UTF-8 become U+FFFD: such a file name cannot
// be written as JSON as it is, its entry then never matches the disk and the check reports it.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c == 0x7f) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size() && c != 0xc0 && c != 0xc1 && c < 0xf5;
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (valid) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
}

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::string> read_small_file(const fs::path& file, std::size_t limit) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::not_found("cannot open " + file.string());
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit) return Error{ErrorCode::too_large, file.string() + " is too large"};
  }
  if (in.bad()) return Error::unavailable("cannot read " + file.string());
  return text;
}

}  // namespace

const char* to_string(ManifestProblem p) {
  switch (p) {
    case ManifestProblem::none: return "ok";
    case ManifestProblem::missing: return "missing";
    case ManifestProblem::unreadable: return "unreadable";
    case ManifestProblem::malformed: return "malformed";
    case ManifestProblem::bad_signature: return "bad signature";
    case ManifestProblem::wrong_key: return "signed with another key";
  }
  return "?";
}

std::string serialize_manifest(Instant generated_at, const FileMap& files, const SigningKey& key) {
  std::string body;
  body.reserve(64 + files.size() * 120);
  body += "{\"format\":\"koban-site-manifest\",\"version\":1,\"generated_at\":\"";
  body += format_rfc3339_utc(generated_at);
  body += "\",\"public_key\":\"";
  body += hex::encode(key.public_key());
  body += "\",\"count\":";
  body += std::to_string(files.size());
  body += ",\"files\":[";
  bool first = true;
  for (const auto& [path, d] : files) {
    body += first ? "\n" : ",\n";
    first = false;
    body += "{\"path\":";
    append_json_string(body, path);
    body += ",\"sha256\":\"";
    body += d.sha256;
    body += "\",\"size\":";
    body += std::to_string(d.size);
    body += '}';
  }
  body += "]}\n";
  std::string out(kHeaderPrefix);
  out += audit::sha256_hex(body);
  out += " ed25519=" + hex::encode(key.sign(out));
  out += '\n';
  out += body;
  return out;
}

ManifestRead parse_manifest(std::string_view text, std::string_view public_key) {
  ManifestRead r;
  auto fail = [&](ManifestProblem p, std::string d) {
    r.problem = p;
    r.detail = std::move(d);
    r.data = {};
    return r;
  };
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos || text.substr(0, kHeaderPrefix.size()) != kHeaderPrefix)
    return fail(ManifestProblem::malformed, "no signature header line");
  const std::string_view header = text.substr(0, nl);
  const auto sig_at = header.find(" ed25519=");
  if (sig_at == std::string_view::npos) return fail(ManifestProblem::malformed, "no signature in the header line");
  const std::string_view signed_text = header.substr(0, sig_at);
  auto sig = hex::decode(header.substr(sig_at + 9));
  if (!sig || sig->size() != SigningKey::kSignatureBytes)
    return fail(ManifestProblem::malformed, "the signature in the header is not 64 bytes of hex");
  const std::string_view body = text.substr(nl + 1);
  // The signature first: nothing of an unsigned document is believed, not even its key name.
  if (auto v = verify_signature(public_key, signed_text, *sig); !v) {
    // Tell a forger's own key apart from plain corruption: the operator's next step differs.
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("public_key") && j["public_key"].is_string()) {
      auto named = hex::decode(j["public_key"].get<std::string>());
      if (named && *named != public_key) {
        if (auto w = verify_signature(*named, signed_text, *sig); w)
          return fail(ManifestProblem::wrong_key, "the manifest is signed with another key (" +
                                                      j["public_key"].get<std::string>() + ")");
      }
    }
    return fail(ManifestProblem::bad_signature, "the manifest's signature does not verify");
  }
  if (audit::sha256_hex(body) != signed_text.substr(kHeaderPrefix.size()))
    return fail(ManifestProblem::bad_signature,
                "the manifest's signature does not verify: its content differs from the signed hash");
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(ManifestProblem::malformed, "the manifest is not JSON");
  try {
    if (j.value("format", "") != "koban-site-manifest" || j.value("version", 0) != 1)
      return fail(ManifestProblem::malformed, "unknown manifest format or version");
    auto t = j.at("generated_at").get<std::string>();
    // "YYYY-MM-DDTHH:MM:SSZ" → JST parse needs +9h: parse the date and time parts by hand.
    if (t.size() == 20 && t[19] == 'Z') {
      if (auto jst = JstDateTime::parse(t.substr(0, 19))) r.data.generated_at = from_jst(*jst) + std::chrono::hours(9);
    }
    auto pub = hex::decode(j.at("public_key").get<std::string>());
    if (!pub) return fail(ManifestProblem::malformed, "bad public_key");
    r.data.public_key = *pub;
    const auto& files = j.at("files");
    if (!files.is_array()) return fail(ManifestProblem::malformed, "files is not an array");
    for (const auto& f : files) {
      std::string path = f.at("path").get<std::string>();
      FileDigest d{f.at("sha256").get<std::string>(), f.at("size").get<std::uint64_t>()};
      if (!is_safe_relative_path(path) || !is_hex64(d.sha256))
        return fail(ManifestProblem::malformed, "bad entry: " + path);
      if (!r.data.files.emplace(std::move(path), std::move(d)).second)
        return fail(ManifestProblem::malformed, "duplicate entry");
    }
    if (j.at("count").get<std::size_t>() != r.data.files.size())
      return fail(ManifestProblem::malformed, "count does not match the entries");
  } catch (const nlohmann::json::exception& e) {
    return fail(ManifestProblem::malformed, std::string("bad field: ") + e.what());
  }
  r.problem = ManifestProblem::none;
  return r;
}

ManifestRead read_manifest(const fs::path& file, std::string_view public_key) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(file, ec)))
    return {ManifestProblem::missing, "no manifest at " + file.string(), {}};
  auto text = read_small_file(file, kMaxManifestBytes);
  if (!text) return {ManifestProblem::unreadable, text.error().message, {}};
  return parse_manifest(*text, public_key);
}

fs::path public_key_path(const fs::path& manifest_file) {
  fs::path p = manifest_file;
  p.replace_extension(".pub");
  return p;
}

std::optional<std::string> read_public_key(const fs::path& file) {
  auto text = read_small_file(file, 1024);
  if (!text) return std::nullopt;
  auto raw = hex::decode(*text);
  if (!raw || raw->size() != SigningKey::kPublicKeyBytes) return std::nullopt;
  return raw;
}

// DATA/site/: readable by the koban group only; the manifest survives a power loss.
constexpr AtomicWriteOptions kManifestWrite{.mode = 0640, .new_dir_perms = 0750};

Manifest::Manifest(fs::path file, SigningKey key, const Clock& clock)
    : file_(std::move(file)), key_(std::move(key)), clock_(clock) {}

Result<void> Manifest::load() {
  ManifestRead r = read_manifest(file_, key_.public_key());
  std::lock_guard lock(mu_);
  if (r.problem == ManifestProblem::none) {
    files_ = std::make_shared<const FileMap>(std::move(r.data.files));
    return ok();
  }
  files_.reset();
  if (r.problem == ManifestProblem::missing) return Error::not_found(r.detail);
  if (r.problem == ManifestProblem::unreadable) return Error::unavailable(r.detail);
  return Error::invalid(std::string("manifest ") + to_string(r.problem) + ": " + r.detail);
}

Result<void> Manifest::store(std::shared_ptr<const FileMap> files) {
  KOBAN_TRY(write_file_atomically(file_, serialize_manifest(clock_.now(), *files, key_), kManifestWrite));
  files_ = std::move(files);
  ++generation_;
  return ok();
}

Result<void> Manifest::rebuild(const fs::path& dir) {
  KOBAN_ASSIGN(auto entries, walk_tree(dir, {}));
  std::vector<std::string> paths;
  paths.reserve(entries.size());
  for (auto& e : entries) {
    // The publisher writes regular files only; anything else is left out so the check reports it.
    if (e.regular) paths.push_back(e.path);
  }
  auto digests = hash_files(dir, paths);
  auto files = std::make_shared<FileMap>();
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (!digests[i]) {
      if (digests[i].error().code == ErrorCode::not_found) continue;  // removed while we walked
      return digests[i].error();
    }
    files->emplace(paths[i], *digests[i]);
  }
  KOBAN_TRY(write_file_atomically(public_key_path(file_), hex::encode(key_.public_key()) + "\n",
                                   {.mode = 0644, .new_dir_perms = 0750}));
  std::lock_guard lock(mu_);
  return store(std::move(files));
}

Result<void> Manifest::update(const fs::path& dir, const std::vector<std::string>& written,
                              const std::vector<std::string>& removed) {
  for (const auto& p : written)
    if (!is_safe_relative_path(p)) return Error::invalid("unsafe path in the publisher's report: " + p);
  for (const auto& p : removed)
    if (!is_safe_relative_path(p)) return Error::invalid("unsafe path in the publisher's report: " + p);
  std::vector<std::string> files;
  files.reserve(written.size());
  for (const auto& p : written)
    if (!is_ignored_path(p)) files.push_back(p);
  // Hash outside the lock: a verify or another update is not held up by the disk.
  auto digests = hash_files(dir, files);
  std::lock_guard lock(mu_);
  if (!files_) return Error::unavailable("the manifest is not loaded: run a full rebuild (koban site build)");
  auto next = std::make_shared<FileMap>(*files_);
  for (const auto& p : removed) next->erase(p);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (digests[i]) {
      (*next)[files[i]] = *digests[i];
    } else if (digests[i].error().code == ErrorCode::not_found) {
      next->erase(files[i]);
    } else {
      return digests[i].error();
    }
  }
  return store(std::move(next));
}

bool Manifest::loaded() const {
  std::lock_guard lock(mu_);
  return files_ != nullptr;
}

std::shared_ptr<const FileMap> Manifest::files() const {
  std::lock_guard lock(mu_);
  return files_;
}

std::uint64_t Manifest::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

}  // namespace koban::site::integrity

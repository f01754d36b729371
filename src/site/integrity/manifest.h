// The signed manifest of the published site (issue 5 item 9; SITE-8): path → SHA-256 and size
// of every file in the publish directory (DATA/public), kept OUTSIDE it (DATA/site/manifest.json)
// and signed with Ed25519, the public key beside it (DATA/site/manifest.pub, hex) so that a
// third party can check it.
//
//   Manifest m(data / "site" / "manifest.json", key, clock);
//   if (auto r = m.load(); !r) ...                  // not_found on first start; invalid_argument
//                                                    // when the signature fails (a finding)
//   KOBAN_TRY(m.rebuild(data / "public"));           // `koban site build`: hash everything
//   KOBAN_TRY(m.update(data / "public", written, removed));  // after each publish: only those
//   auto files = m.files();                          // snapshot for verify.h
//
// File format: one header line, then the JSON document:
//   koban-site-manifest/1 sha256=<hex SHA-256 of the document> ed25519=<hex signature>
//   {"format":"koban-site-manifest","version":1,"generated_at":"...Z","public_key":"<hex>",
//    "count":N,"files":[
//   {"path":"index.html","sha256":"<hex>","size":1234},
//   ...]}
// The signature covers the header up to the space before "ed25519=" (the ASCII text
// "koban-site-manifest/1 sha256=<hex>"), so signing a 1 MB manifest costs one SHA-256 pass.
// Third-party check: `tail -n +2 manifest.json | sha256sum` equals the header's sha256; the
// signature verifies that header text with manifest.pub (e.g. PyNaCl VerifyKey(pub).verify);
// then `sha256sum` each file.
//
// The file is written to a temporary name, synced and renamed: readers never see half of it.
// update() costs the hashing of the files it is given plus one write of the manifest
// (about 1 MB for 10,000 files), so a publish of a few files takes milliseconds.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "site/integrity/file_hash.h"
#include "site/integrity/signing_key.h"

namespace koban::site::integrity {

using FileMap = std::map<std::string, FileDigest>;  // sorted by path

struct ManifestData {
  Instant generated_at{};
  std::string public_key;  // raw 32 bytes, as written in the signed document
  FileMap files;
};

inline constexpr std::string_view kHeaderPrefix = "koban-site-manifest/1 sha256=";
inline constexpr std::size_t kMaxManifestBytes = 256u << 20;

// The whole file (header line and signed body), naming key's public key.
std::string serialize_manifest(Instant generated_at, const FileMap& files, const SigningKey& key);

enum class ManifestProblem { none, missing, unreadable, malformed, bad_signature, wrong_key };
const char* to_string(ManifestProblem p);  // "missing", "bad signature" ...
struct ManifestRead {
  ManifestProblem problem = ManifestProblem::none;
  std::string detail;  // English, for operators
  ManifestData data;   // only when problem == none
};
// Parses the file text and checks the signature with public_key (raw 32 bytes); wrong_key when
// the document names another key than public_key (someone re-signed it with their own key).
ManifestRead parse_manifest(std::string_view text, std::string_view public_key);
ManifestRead read_manifest(const std::filesystem::path& file, std::string_view public_key);

// Beside the manifest: "<manifest file without extension>.pub", i.e. DATA/site/manifest.pub.
std::filesystem::path public_key_path(const std::filesystem::path& manifest_file);
// Reads a public key file (hex) or nullopt.
std::optional<std::string> read_public_key(const std::filesystem::path& file);


// The manifest kept in memory and on disk. Thread-safe: the publisher's update() and the
// scheduled check's files() may run at the same time.
class Manifest {
 public:
  Manifest(std::filesystem::path file, SigningKey key, const Clock& clock);

  // Reads and checks the file. not_found when there is none, invalid_argument (English) when it
  // is malformed or its signature fails: the in-memory manifest is then left empty (loaded()
  // false) and the scheduled check reports it.
  Result<void> load();
  // Hashes every file under dir and replaces the manifest. Also writes the public key file.
  Result<void> rebuild(const std::filesystem::path& dir);
  // written: hashed again (added or replaced); removed: dropped. A written path that is gone
  // from disk by now is dropped too. invalid_argument for an unsafe path (nothing changes).
  Result<void> update(const std::filesystem::path& dir, const std::vector<std::string>& written,
                      const std::vector<std::string>& removed);

  bool loaded() const;
  std::shared_ptr<const FileMap> files() const;  // null until load() or rebuild() succeeded
  // Counts update()/rebuild() calls that changed the manifest: the scheduled check compares it
  // before and after to tell a publish in progress from tampering.
  std::uint64_t generation() const;
  const std::filesystem::path& file() const { return file_; }
  const SigningKey& key() const { return key_; }

 private:
  Result<void> store(std::shared_ptr<const FileMap> files);  // mu_ held

  std::filesystem::path file_;
  SigningKey key_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::shared_ptr<const FileMap> files_;
  std::uint64_t generation_ = 0;
};

}  // namespace koban::site::integrity

// Comparing a publish directory (or a live site, url_verify.h) with the manifest (SITE-8):
// changed (hash or size differs, or no longer a regular file), added (on disk, not in the
// manifest), removed (in the manifest, not on disk); errors (a file that cannot be read) are
// findings too, since a check that could not look is no proof of a clean site.
//
//   auto files = manifest.files();                        // or read_manifest(...).data.files
//   KOBAN_ASSIGN(auto report, verify_directory(data / "public", *files));
//   for (auto& f : report.findings) std::printf("%s\n", describe(f).c_str());   // "changed: news/index.html"
//
// Files whose size differs are reported without reading them; the others are hashed on several
// threads, so 10,000 small files take a fraction of a second.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "site/integrity/manifest.h"

namespace koban::site::integrity {

enum class FindingKind { changed, added, removed, error, manifest };
const char* to_string(FindingKind k);  // "changed", "added", "removed", "error", "manifest"
const char* label(FindingKind k);      // 改ざん（内容の変更）, 追加, 削除, 確認できない, 改ざん検知データの異常

struct Finding {
  FindingKind kind = FindingKind::changed;
  std::string path;    // relative path; for manifest findings the manifest file
  std::string detail;  // English, for operators ("size 120 → 98", "HTTP 500" ...)
  bool operator==(const Finding&) const = default;
};
// "changed: news/index.html" (with " (detail)" when there is one).
std::string describe(const Finding& f);

struct VerifyReport {
  std::vector<Finding> findings;  // sorted by path, then kind
  std::size_t checked = 0;        // manifest entries compared
  std::size_t hashed = 0;         // files read and hashed
  bool clean() const { return findings.empty(); }
};

// Errors only when the directory cannot be listed at all (missing, too many files).
Result<VerifyReport> verify_directory(const std::filesystem::path& dir, const FileMap& manifest);

// Checks again only the given paths (after a first pass found them), against the manifest
// as it is now: what a publish in progress explains disappears, tampering stays.
VerifyReport recheck(const std::filesystem::path& dir, const FileMap& manifest, const std::vector<Finding>& findings);

void sort_findings(std::vector<Finding>& findings);
// A stable key for a set of findings (hex SHA-256 of the sorted "kind:path" lines): the same
// tampering found twice gives the same key.
std::string findings_key(const std::vector<Finding>& findings);

}  // namespace koban::site::integrity

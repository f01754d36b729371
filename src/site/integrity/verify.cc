#include "site/integrity/verify.h"

#include <algorithm>

#include "audit/chain_hash.h"

namespace koban::site::integrity {
namespace fs = std::filesystem;

const char* to_string(FindingKind k) {
  switch (k) {
    case FindingKind::changed: return "changed";
    case FindingKind::added: return "added";
    case FindingKind::removed: return "removed";
    case FindingKind::error: return "error";
    case FindingKind::manifest: return "manifest";
  }
  return "?";
}

const char* label(FindingKind k) {
  switch (k) {
    case FindingKind::changed: return "変更";
    case FindingKind::added: return "追加";
    case FindingKind::removed: return "削除";
    case FindingKind::error: return "確認できない";
    case FindingKind::manifest: return "改ざん検知データの異常";
  }
  return "";
}

std::string describe(const Finding& f) {
  std::string s = std::string(to_string(f.kind)) + ": " + f.path;
  if (!f.detail.empty()) s += " (" + f.detail + ")";
  return s;
}

void sort_findings(std::vector<Finding>& findings) {
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.path != b.path) return a.path < b.path;
    return a.kind < b.kind;
  });
}

std::string findings_key(const std::vector<Finding>& findings) {
  std::vector<Finding> sorted = findings;
  sort_findings(sorted);
  std::string text;
  for (const auto& f : sorted) text += std::string(to_string(f.kind)) + ":" + f.path + "\n";
  return audit::sha256_hex(text);
}

namespace {

// Compares the regular files `paths` (present on disk, in the manifest, same size) by hash.
void compare_hashes(const fs::path& dir, const FileMap& manifest, const std::vector<std::string>& paths,
                    VerifyReport& report) {
  auto digests = hash_files(dir, paths);
  report.hashed += paths.size();
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto& want = manifest.at(paths[i]);
    if (!digests[i]) {
      const auto code = digests[i].error().code;
      if (code == ErrorCode::not_found)
        report.findings.push_back({FindingKind::removed, paths[i], ""});
      else if (code == ErrorCode::invalid_argument)
        report.findings.push_back({FindingKind::changed, paths[i], "not a regular file"});
      else
        report.findings.push_back({FindingKind::error, paths[i], digests[i].error().message});
      continue;
    }
    if (digests[i]->sha256 != want.sha256 || digests[i]->size != want.size)
      report.findings.push_back({FindingKind::changed, paths[i],
                                 digests[i]->size != want.size ? "size " + std::to_string(want.size) + " -> " +
                                                                     std::to_string(digests[i]->size)
                                                               : "content differs"});
  }
}

}  // namespace

Result<VerifyReport> verify_directory(const fs::path& dir, const FileMap& manifest) {
  KOBAN_ASSIGN(auto disk, walk_tree(dir, {}));
  VerifyReport report;
  std::vector<std::string> to_hash;
  to_hash.reserve(disk.size());
  // Both lists are sorted by path: one merge pass.
  auto m = manifest.begin();
  auto d = disk.begin();
  while (m != manifest.end() || d != disk.end()) {
    if (d == disk.end() || (m != manifest.end() && m->first < d->path)) {
      report.findings.push_back({FindingKind::removed, m->first, ""});
      ++report.checked;
      ++m;
    } else if (m == manifest.end() || d->path < m->first) {
      report.findings.push_back({FindingKind::added, d->path, d->regular ? "" : "not a regular file"});
      ++d;
    } else {
      ++report.checked;
      if (!d->regular)
        report.findings.push_back({FindingKind::changed, d->path, "not a regular file"});
      else if (d->size != m->second.size)
        report.findings.push_back({FindingKind::changed, d->path,
                                   "size " + std::to_string(m->second.size) + " -> " + std::to_string(d->size)});
      else
        to_hash.push_back(d->path);
      ++m;
      ++d;
    }
  }
  compare_hashes(dir, manifest, to_hash, report);
  sort_findings(report.findings);
  return report;
}

VerifyReport recheck(const fs::path& dir, const FileMap& manifest, const std::vector<Finding>& findings) {
  VerifyReport report;
  std::vector<std::string> to_hash;
  for (const auto& f : findings) {
    if (f.kind == FindingKind::manifest) {
      report.findings.push_back(f);
      continue;
    }
    if (!is_safe_relative_path(f.path)) {
      report.findings.push_back(f);
      continue;
    }
    ++report.checked;
    std::error_code ec;
    auto st = fs::symlink_status(dir / f.path, ec);
    const bool on_disk = fs::exists(st) && !fs::is_directory(st);
    const bool listed = manifest.count(f.path) > 0;
    if (!on_disk && listed) report.findings.push_back({FindingKind::removed, f.path, ""});
    else if (on_disk && !listed) report.findings.push_back({FindingKind::added, f.path, f.detail});
    else if (on_disk && listed) to_hash.push_back(f.path);
    else if (f.kind == FindingKind::error) report.findings.push_back(f);  // e.g. the directory itself
  }
  compare_hashes(dir, manifest, to_hash, report);
  sort_findings(report.findings);
  return report;
}

}  // namespace koban::site::integrity

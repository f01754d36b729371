#include "site/integrity/verify_job.h"

#include <thread>

namespace koban::site::integrity {
namespace fs = std::filesystem;
namespace {

// A path as people may read it in an incident: valid UTF-8 (file names need not be), no
// control characters, at most max_bytes (cut on a character boundary, "…" added).
std::string display_path(std::string_view p, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < p.size()) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = len > 0 && i + len <= p.size();
    for (std::size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(p[i + k]) & 0xc0) == 0x80;
    if (valid && len == 1 && (c < 0x20 || c == 0x7f)) valid = false;
    std::string_view piece = valid ? p.substr(i, len) : std::string_view("?");
    if (out.size() + piece.size() > max_bytes) {
      out += "…";
      break;
    }
    out += piece;
    i += valid ? len : 1;
  }
  return out;
}

}  // namespace

TamperReport make_tamper_report(const std::vector<Finding>& findings, std::size_t max_listed) {
  TamperReport r;
  r.findings = findings;
  sort_findings(r.findings);
  r.key = findings_key(r.findings);
  std::size_t changed = 0, added = 0, removed = 0, other = 0;
  for (const auto& f : r.findings) {
    if (f.kind == FindingKind::changed) ++changed;
    else if (f.kind == FindingKind::added) ++added;
    else if (f.kind == FindingKind::removed) ++removed;
    else ++other;
  }
  std::string counts;
  auto add = [&](const char* what, std::size_t n) {
    if (n == 0) return;
    if (!counts.empty()) counts += "・";
    counts += std::string(what) + " " + std::to_string(n) + "件";
  };
  add("変更", changed);
  add("追加", added);
  add("削除", removed);
  add("その他", other);
  r.title = "ホームページの改ざんを検知しました（" + counts + "）";
  r.summary = "定期の改ざん検知（署名付きマニフェストとの照合）で、公開ディレクトリに承認・公開の手続を経ていない"
              "相違が見つかりました（" + counts + "）。\n";
  std::size_t listed = 0;
  for (const auto& f : r.findings) {
    if (listed == max_listed) break;
    r.summary += "・" + std::string(label(f.kind)) + ": " + display_path(f.path, 150) + "\n";
    ++listed;
  }
  if (r.findings.size() > listed)
    r.summary += "ほか " + std::to_string(r.findings.size() - listed) + "件（一覧は koban site verify で確認できます）\n";
  r.summary += "照合キー: " + r.key.substr(0, 16);
  r.impact = "公開中のホームページに、承認されていない内容が表示されているおそれがあります。"
             "該当ファイルを確認し、必要に応じて再公開（koban site build）してください。";
  return r;
}

namespace {

std::vector<Finding> check_once(const fs::path& dir, const Manifest& manifest, const FileMap*& used,
                                std::shared_ptr<const FileMap>& holder, std::optional<ManifestData>& disk_copy) {
  std::vector<Finding> findings;
  // The file on disk: someone who edits it (to hide a change) breaks its signature.
  ManifestRead disk = read_manifest(manifest.file(), manifest.key().public_key());
  if (disk.problem != ManifestProblem::none)
    findings.push_back({FindingKind::manifest, manifest.file().filename().string(),
                        std::string(to_string(disk.problem)) + ": " + disk.detail});
  holder = manifest.files();
  used = holder.get();
  if (!used && disk.problem == ManifestProblem::none) {
    disk_copy = std::move(disk.data);
    used = &disk_copy->files;
  }
  if (!used) return findings;  // nothing trustworthy to compare with
  auto report = verify_directory(dir, *used);
  if (!report) {
    findings.push_back({FindingKind::error, dir.string(), report.error().message});
    return findings;
  }
  findings.insert(findings.end(), report->findings.begin(), report->findings.end());
  return findings;
}

}  // namespace

Result<CheckOutcome> run_site_check(store::Database& db, const fs::path& publish_dir, const Manifest& manifest,
                                    const IncidentSink& sink, const CheckSettings& settings, Instant now) {
  CheckOutcome out;
  const FileMap* used = nullptr;
  std::shared_ptr<const FileMap> holder;
  std::optional<ManifestData> disk_copy;
  const auto generation = manifest.generation();
  out.findings = check_once(publish_dir, manifest, used, holder, disk_copy);
  if (!out.findings.empty() && settings.confirm_delay.count() > 0) {
    std::this_thread::sleep_for(settings.confirm_delay);
    if (manifest.generation() != generation) {
      // A publish reported its files meanwhile: look again at what we found, against the
      // manifest as it is now.
      holder = manifest.files();
      if (holder) used = holder.get();
    }
    if (used) out.findings = recheck(publish_dir, *used, out.findings).findings;
  }
  sort_findings(out.findings);
  if (out.findings.empty()) return out;

  TamperReport report = make_tamper_report(out.findings, settings.max_listed);
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT incident_id FROM site_integrity_alerts WHERE findings_key = ?"
                                    " ORDER BY id DESC LIMIT 1",
                                    report.key));
    if (!rows.empty()) {
      const std::int64_t previous = rows[0].int64(0);
      KOBAN_ASSIGN(bool open, sink.is_open(s, previous));
      if (open) {
        out.incident = previous;
        return ok();
      }
    }
    KOBAN_ASSIGN(std::int64_t id, sink.raise(s, report, now));
    KOBAN_TRY(s.exec("INSERT INTO site_integrity_alerts (findings_key, incident_id, findings, raised_at)"
                     " VALUES (?, ?, ?, ?)",
                     report.key, id, static_cast<std::int64_t>(report.findings.size()), to_unix(now)));
    out.incident = id;
    out.raised = true;
    return ok();
  }));
  return out;
}

void register_site_verify_job(store::Worker& worker, store::Database& db, fs::path publish_dir,
                              const Manifest& manifest, IncidentSink sink, const Clock& clock, CheckSettings settings) {
  worker.handle(kVerifyJobKind, [&db, dir = std::move(publish_dir), &manifest, sink = std::move(sink), &clock,
                                 settings](const store::Job&) -> Result<void> {
    KOBAN_TRY(run_site_check(db, dir, manifest, sink, settings, clock.now()));
    return ok();
  });
}

}  // namespace koban::site::integrity

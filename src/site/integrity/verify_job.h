// The scheduled tamper check (SITE-8): job kind "site.verify" compares the publish directory
// with the manifest and, on any finding, raises an incident (website, セキュリティ事案) that
// reaches the responsible officer (広報課) — once per set of findings while its incident is open.
//
//   register_site_verify_job(worker, db, data / "public", manifest, incident_sink({}), clock);
//   // the schedule (e.g. every hour) enqueues {"kind": "site.verify"}; a test or
//   // `koban site verify` can also call run_site_check() directly.
//
// A finding is checked a second time after `confirm_delay` against the manifest as it is then:
// a publish that had written its files but not yet reported them (Manifest::update) is not
// tampering. The manifest file on disk is checked too: a failed signature is a finding.
// How the incident is raised is injected (IncidentSink; incident_sink.h gives the real one on
// the incidents module), so this part needs nothing of it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "site/integrity/manifest.h"
#include "site/integrity/verify.h"
#include "store/database.h"
#include "store/worker.h"

namespace koban::site::integrity {

inline constexpr const char* kVerifyJobKind = "site.verify";

// What an incident says about a set of findings (Japanese, within the incidents' limits).
struct TamperReport {
  std::vector<Finding> findings;  // sorted
  std::string key;                // findings_key(findings)
  std::string title;              // 「ホームページの改ざんを検知しました（変更 2件・追加 1件）」
  std::string summary;            // what happened, up to max_listed paths
  std::string impact;
};
TamperReport make_tamper_report(const std::vector<Finding>& findings, std::size_t max_listed = 20);

struct IncidentSink {
  // Raises the incident in s's transaction (with its notifications); returns its id.
  std::function<Result<std::int64_t>(store::Session& s, const TamperReport& report, Instant now)> raise;
  // Whether the incident is still open (not resolved or closed); false for an unknown id.
  std::function<Result<bool>(store::Session& s, std::int64_t incident)> is_open;
};

struct CheckSettings {
  std::chrono::milliseconds confirm_delay{3000};
  std::size_t max_listed = 20;
};

struct CheckOutcome {
  std::vector<Finding> findings;       // empty: clean
  std::optional<std::int64_t> incident;  // the incident raised now, or the open one for the same findings
  bool raised = false;                 // true when a new incident was raised by this check
};

// Errors only when the database fails (the job is then retried).
Result<CheckOutcome> run_site_check(store::Database& db, const std::filesystem::path& publish_dir,
                                    const Manifest& manifest, const IncidentSink& sink, const CheckSettings& settings,
                                    Instant now);

// The handler of kVerifyJobKind. publish_dir, manifest, sink and clock must outlive the worker.
void register_site_verify_job(store::Worker& worker, store::Database& db, std::filesystem::path publish_dir,
                              const Manifest& manifest, IncidentSink sink, const Clock& clock,
                              CheckSettings settings = {});

}  // namespace koban::site::integrity

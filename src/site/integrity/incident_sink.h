// The real IncidentSink of the tamper check (verify_job.h), on the incidents module: a
// security incident (セキュリティ事案) of the website subsystem, reported in the name of a
// system administrator (or the configured person) and routed by incidents::report() to the
// website's business owner (広報課長 in the seeds), the administrators and the overall manager;
// the head of the responsible unit (広報課, "koho") and the reporter are notified as well when
// report() did not already route it to them.
//
//   register_site_verify_job(worker, db, publish_dir, manifest,
//                            incident_sink({.reporter_login = config.text("site.integrity_reporter")}), clock);
//
// Needs koban_incidents linked (src/site/CMakeLists.txt DEPS).
#pragma once

#include <string>

#include "site/integrity/verify_job.h"

namespace koban::site::integrity {

struct IncidentSinkSettings {
  std::string reporter_login{};                 // "" : the first active system administrator
  std::string responsible_unit_code = "koho";  // 広報課
};

IncidentSink incident_sink(IncidentSinkSettings settings);

}  // namespace koban::site::integrity

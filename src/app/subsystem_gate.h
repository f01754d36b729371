// ORG-10 on the public side: while a subsystem is suspended its public pages answer with the
// suspension notice (503, the responsible person's message) instead of running. Staff pages
// are not gated: staff must be able to look into the incident and resume.
//
//   router.get("/alerts/", when_running(db, incidents::Subsystem::alerts, [c](http::Request& r) { ... }));
#pragma once

#include <utility>

#include "http/message.h"
#include "incidents/suspension.h"
#include "store/database.h"

namespace koban::app {

template <typename Handler>
auto when_running(store::Database& db, incidents::Subsystem subsystem, Handler handler) {
  return [&db, subsystem, handler = std::move(handler)](http::Request& req) -> http::Response {
    // suspended() is cached per process (a few seconds), so this costs no query per request.
    if (auto notice = incidents::suspended(db, subsystem)) return incidents::suspended_response(*notice);
    return handler(req);
  };
}

}  // namespace koban::app

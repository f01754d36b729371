// 送信依頼 (ALERT-2; seed 003 §3(2), 別添 第11-4): a station that needs an alert for several
// stations or the whole prefecture asks the HQ division in charge (at night and on holidays
// the HQ duty desk). The HQ side sees the open requests addressed to it and turns one into its
// own draft (then the usual approval), which closes the request.
//
//   KOBAN_ASSIGN(auto id, alerts::file_send_request(s, settings, {.to_unit = keiji, .category = 3,
//                .title = t, .body = b, .areas = {chuo, kita}}, by, now));
//   KOBAN_ASSIGN(auto open, alerts::send_requests_for(s, person));       // HQ side
//   KOBAN_ASSIGN(auto alert_id, alerts::take_send_request(s, kinds, settings, id, by, now));
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/alerts.h"

namespace koban::alerts {

struct SendRequest {
  std::int64_t id = 0;
  org::UnitId from_unit = 0;
  org::UnitId to_unit = 0;
  int category = 0;
  std::string title, body;
  bool whole_prefecture = false;
  std::vector<org::UnitId> areas;
  bool physical_danger = false;
  org::PersonId requested_by = 0;
  std::string state;  // open | drafted
  std::optional<std::int64_t> alert_id;
  Instant created_at{};
};

struct NewSendRequest {
  org::UnitId to_unit = 0;  // an HQ division or the HQ duty desk
  int category = 0;
  std::string title{}, body{};
  bool whole_prefecture = false;
  std::vector<org::UnitId> areas{};
  bool physical_danger = false;
};

// The units a station may ask: active HQ divisions and HQ duty desks.
Result<std::vector<org::UnitId>> send_request_targets(store::Session& s);
Result<std::int64_t> file_send_request(store::Session& s, const Settings& settings, const NewSendRequest& r,
                                       const workflow::By& by, Instant now);
Result<SendRequest> get_send_request(store::Session& s, std::int64_t id);
// Open requests addressed to a unit the person writes alerts for (their HQ division, or the
// HQ duty desk they hold a duty grant on), oldest first.
Result<std::vector<SendRequest>> send_requests_for(store::Session& s, org::PersonId person);
// Creates the HQ side's draft (submitted for approval) from the request.
Result<std::int64_t> take_send_request(store::Session& s, const workflow::KindRegistry& kinds,
                                       const Settings& settings, std::int64_t id, const workflow::By& by,
                                       Instant now);

}  // namespace koban::alerts

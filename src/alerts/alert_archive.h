// The public view of safety alerts (issue 4 item 2, ALERT-10): what residents, feed readers
// and syndication services may see. Only alerts in state "sent" exist here — never drafts,
// pending, remanded, withdrawn or approved-but-waiting ones — and a PublicAlert carries no
// personal data: no writer, no approver, no urgent note, no request. The issuing unit (a
// station or HQ division) is public, as it is in the mail itself.
//
//   KOBAN_ASSIGN(auto page, alerts::list_public_alerts(s, {.category = 3, .area = chuo_id}));
//   for (const auto& a : page.items) show(a.title, a.area_names, a.resolved);
//   if (page.next_before) link("?before=" + std::to_string(*page.next_before));
//   KOBAN_ASSIGN(auto one, alerts::get_public_alert(s, id));      // not_found unless sent
//   KOBAN_ASSIGN(auto latest, alerts::latest_public_alerts(s, 5)); // the home page
//   KOBAN_ASSIGN(auto synd, alerts::syndicated_public_alerts(s, 50));  // ALERT-10 feed
//
// Order: newest sent first (sent_at DESC, id DESC). Paging is keyset: `before` is the id of the
// last alert of the previous page; the next page starts after that alert's (sent_at, id).
// Area filter: alerts for that station's jurisdiction plus every whole-prefecture alert.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alerts.h"
#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "store/database.h"

namespace koban::alerts {

struct PublicFollowUp {
  std::int64_t id = 0;
  FollowKind kind = FollowKind::update;
  std::string title;
  Instant sent_at{};
};

struct PublicAlert {
  std::int64_t id = 0;
  int category = 0;
  std::string title;
  std::string body;
  std::string unit_name;  // the issuing station or division (中央警察署, 生活安全企画課)
  bool whole_prefecture = false;
  std::vector<std::string> area_codes;  // station unit codes, in unit order (empty when whole)
  std::vector<std::string> area_names;  // their jurisdictions (中央市全域), same order
  Instant sent_at{};
  bool urgent = false;       // sent as urgent (ALERT-6); the reason stays internal
  bool physical_danger = false;
  bool syndicate = false;    // on the ALERT-10 feed
  // For a follow-up: its kind and the original (always a sent alert when set).
  std::optional<FollowKind> follow_kind;
  std::optional<std::int64_t> follows_id;
  std::string original_title;
  Instant original_sent_at{};
  // For an original: its sent follow-ups, oldest first, and whether a resolution (解除) is out.
  std::vector<PublicFollowUp> follow_ups;
  bool resolved = false;
};

struct ArchiveFilter {
  std::optional<int> category{};              // 1..6
  std::optional<org::UnitId> area{};          // a station; whole-prefecture alerts always match
  std::optional<std::int64_t> before{};       // keyset: id of the last alert already shown
  int limit = 20;                             // 1..100
};

struct ArchivePage {
  std::vector<PublicAlert> items;
  std::optional<std::int64_t> next_before;  // set when there may be more
};

// invalid_argument (Japanese) for a category outside 1..6 or a `before` that is not a sent
// alert (a forged or stale cursor).
Result<ArchivePage> list_public_alerts(store::Session& s, const ArchiveFilter& f);
// not_found (Japanese) unless the alert exists and is sent.
Result<PublicAlert> get_public_alert(store::Session& s, std::int64_t id);
// The newest n (1..20) sent alerts, for the home page.
Result<std::vector<PublicAlert>> latest_public_alerts(store::Session& s, int n);
// The newest n (1..100) sent alerts marked for syndication (ALERT-10), follow-ups included.
Result<std::vector<PublicAlert>> syndicated_public_alerts(store::Session& s, int n);

// The stations residents can filter by: active station units in display order.
struct PublicArea {
  org::UnitId id = 0;
  std::string code;          // used in URLs: ?area=chuo
  std::string station;       // 中央警察署
  std::string jurisdiction;  // 中央市全域
};
Result<std::vector<PublicArea>> public_areas(store::Session& s);

}  // namespace koban::alerts

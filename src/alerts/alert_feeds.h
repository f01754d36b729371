// Machine-readable forms of public alerts (issue 4 items 2 and 8, ALERT-10): Atom 1.0 feeds
// (RFC 4287) and one CAP 1.2 document (OASIS Common Alerting Protocol) per alert. Pure string
// builders over alerts::PublicAlert (alert_archive.h): no database, no clock.
//
//   alerts::FeedSettings fs{.base_url = "https://police.example.jp", .sender = "police.example.jp",
//                           .force_name = "サンプル県警察"};
//   std::string xml = alerts::cap_alert(fs, alert);                  // application/cap+xml
//   std::string atom = alerts::atom_feed(fs, {.id = alerts::tag_uri(fs, "alerts/feed"),
//                                             .title = "…", .self_url = "…", .html_url = "…",
//                                             .updated = now}, alerts);
//
// Identifiers never change once published: Atom ids are tag: URIs (RFC 4151,
// "tag:<sender>,<tag_date>:alerts/<id>"), CAP identifiers "<sender>-alert-<id>"; tag_date must
// stay the same for the life of the site.
//
// CAP decisions (documented here because feed consumers depend on them):
// - msgType: an original is "Alert"; 続報 (supplement) and 訂正 (correction) are "Update" with
//   <references> to the original (CAP: Update "updates and supercedes the earlier message(s)").
//   解除 (resolution) is also "Update", with responseType "AllClear" and urgency "Past": the
//   threat is over, but the original was a correct message. "Cancel" means the earlier message
//   is withdrawn (sent in error), which is not what 解除 says; aggregators that hide cancelled
//   alerts would also hide that the case was resolved.
// - category (CAP info/category), from our six (ALERT-1):
//     1 子供安全, 2 女性安全, 3 防犯 → Security (crime; law enforcement), plus Safety for a
//       category-3 alert with physical danger (刃物等使用の凶悪犯罪, 危険動物の出没);
//     4 交通安全 → Transport;  5 防災 (台風, 大雨, 地震) → Met and Geo;  6 お知らせ → Other.
// - urgency / severity / certainty: 解除 Past/Minor/Observed; sent as urgent (ALERT-6)
//   Immediate/Severe/Observed; 1, 2 or physical danger Expected/Moderate/Observed;
//   5 Expected/Moderate/Likely; 3, 4 Expected/Minor/Observed; 6 Unknown/Minor/Unknown.
// - sent: the time the alert was sent, JST with "+09:00"; scope Public; status Actual;
//   language ja-JP; areaDesc per station jurisdiction, or 県内全域.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_archive.h"
#include "core/time.h"

namespace koban::alerts {

struct FeedSettings {
  std::string base_url;            // scheme + host, no trailing slash: "https://police.example.jp"
  std::string sender;              // a domain the force owns: CAP <sender>, tag: authority
  std::string tag_date = "2026";   // RFC 4151 date; never change once feeds are published
  std::string force_name;          // サンプル県警察 (Atom author, CAP senderName)
  std::string service_name = "安心メール";
};

// Text for XML content and attribute values: & < > " ' escaped; invalid UTF-8 becomes U+FFFD
// and characters XML 1.0 forbids (C0 controls but tab and line breaks, U+FFFE, U+FFFF) are
// dropped, so that whatever is stored the document stays well-formed.
std::string xml_escape(std::string_view text);

std::string tag_uri(const FeedSettings& fs, std::string_view specific);  // tag:<sender>,<date>:<specific>
std::string alert_page_url(const FeedSettings& fs, std::int64_t id);     // <base>/alerts/archive/<id>
std::string cap_url(const FeedSettings& fs, std::int64_t id);            // <base>/alerts/<id>.cap.xml
std::string cap_identifier(const FeedSettings& fs, std::int64_t id);     // <sender>-alert-<id>

// 【防犯情報】【解除】title: what feed readers and the archive list show.
std::string display_title(const PublicAlert& a);

struct CapProfile {
  const char* msg_type;   // Alert | Update
  const char* urgency;
  const char* severity;
  const char* certainty;
  bool all_clear;         // responseType AllClear (解除)
};
CapProfile cap_profile(const PublicAlert& a);
std::vector<const char*> cap_categories(int category, bool physical_danger);

// One CAP 1.2 <alert> (UTF-8, namespace urn:oasis:names:tc:emergency:cap:1.2).
std::string cap_alert(const FeedSettings& fs, const PublicAlert& a);

struct FeedInfo {
  std::string id;        // tag: URI of this feed
  std::string title;
  std::string self_url;  // absolute URL of the feed itself
  std::string html_url;  // absolute URL of the matching archive page
  Instant updated{};     // used only when there are no entries
};
// An Atom feed, newest first as given. Each entry links to the alert page (text/html) and to
// its CAP document (application/cap+xml); content is the alert text.
std::string atom_feed(const FeedSettings& fs, const FeedInfo& info, std::span<const PublicAlert> alerts);

}  // namespace koban::alerts

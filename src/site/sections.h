// The sub-topics of the public site's six sections (SITE-1, seed 000 §7), on top of the six
// sections themselves (web/site_context.h). An article belongs to one section and, except in
// 警察署 (where the station chooses the page), to one sub-topic of it.
//
//   const auto* sec = site::find_section("safety");            // nullptr when unknown
//   const auto* t = site::find_topic("safety", "crime-stats");  // nullptr when unknown
//   site::label_of("safety", "crime-stats")  → "安全な暮らし ＞ 犯罪統計・発生情報"
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace koban::site {

struct Topic {
  std::string_view slug;  // URL segment, ASCII
  std::string_view name;  // Japanese heading
};

struct SectionTopics {
  std::string_view slug;  // as in web::public_sections()
  std::string_view name;
  std::vector<Topic> topics;  // empty for "stations": a page per police station instead
};

inline constexpr std::string_view kStationsSection = "stations";

const std::vector<SectionTopics>& sections();
const SectionTopics* find_section(std::string_view slug);
const Topic* find_topic(std::string_view section, std::string_view topic);
// "安全な暮らし ＞ 犯罪統計・発生情報" (or just the section's name without a topic).
std::string label_of(std::string_view section, std::string_view topic);

}  // namespace koban::site

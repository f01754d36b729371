#include "web/site_context.h"

namespace koban::web {

const std::vector<Section>& public_sections() {
  static const std::vector<Section> kSections = {
      {"about", "県警の紹介"},        {"stations", "警察署"},
      {"safety", "安全な暮らし"},     {"traffic", "交通安全"},
      {"procedures", "申請・手続き"}, {"consultation", "各種相談"},
  };
  return kSections;
}

nlohmann::json site_context(const Config& config, std::string_view current_section) {
  nlohmann::json sections = nlohmann::json::array();
  for (const auto& s : public_sections()) {
    sections.push_back({{"slug", s.slug}, {"name", s.name}, {"current", s.slug == current_section}});
  }
  return {
      {"site",
       {{"force_name", config.text("site.force_name")},
        {"parent_site_name", config.text("site.parent_site_name")},
        {"parent_site_url", config.text("site.parent_site_url")},
        {"contact", config.text("site.contact")},
        {"sections", std::move(sections)}}},
      {"version", KOBAN_VERSION},
  };
}

}  // namespace koban::web

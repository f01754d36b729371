// The data every public and staff page shares: force name, parent site, footer contact and
// the six top-level sections of the public site (SITE-1).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"

namespace koban::web {

struct Section {
  std::string_view slug;  // URL segment
  std::string_view name;  // Japanese heading
};

// 県警の紹介, 警察署, 安全な暮らし, 交通安全, 申請・手続き, 各種相談 (seed 000 §7).
const std::vector<Section>& public_sections();

// {"site": {force_name, parent_site_name, parent_site_url, contact, sections: [...]}, "version"}
nlohmann::json site_context(const Config& config, std::string_view current_section = "");

}  // namespace koban::web

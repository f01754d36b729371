// The templates of the published site, rendered with kainjow mustache directly: the public
// layout (templates/layout/public.mustache) around templates/public/site_*.mustache. Loaded
// once; rendering is thread-safe (each thread keeps its own parsed copy) so the renderer can
// spread pages over threads. `{{x}}` is escaped, `{{{x}}}` only for HTML koban made.
//
//   KOBAN_ASSIGN(auto t, publish::PageTemplates::load(publish::default_templates_dir()));
//   KOBAN_ASSIGN(std::string html, t->page("public/site_article", data));  // in layout/public
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::site::publish {

// KOBAN_TEMPLATES if set, else /usr/share/koban/templates, else the source tree's templates/.
std::filesystem::path default_templates_dir();

class PageTemplates {
 public:
  // Reads layout/public, public/alerts_archive_latest and every public/site_*.mustache
  // (partials among them by name: {{> public/site_items}}).
  static Result<std::shared_ptr<const PageTemplates>> load(const std::filesystem::path& dir);

  Result<std::string> render(std::string_view name, const nlohmann::json& data) const;
  // `name` rendered, then layout/public with it as {{{content}}}; data is shared by both.
  Result<std::string> page(std::string_view name, nlohmann::json data) const;

 private:
  std::map<std::string, std::string, std::less<>> sources_;
  std::map<std::string, std::vector<std::string>, std::less<>> partials_;  // nested ones included
  std::uint64_t generation_ = 0;
};

}  // namespace koban::site::publish

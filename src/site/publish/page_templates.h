// The templates of the published site: the public layout (templates/layout/public.mustache)
// around templates/public/site_*.mustache, rendered with koban's Mustache engine
// (web/templates.h). Loaded once; rendering is const and thread-safe, so the renderer can
// spread pages over threads. `{{x}}` is escaped, `{{{x}}}` only for HTML koban made.
//
//   KOBAN_ASSIGN(auto t, publish::PageTemplates::load(publish::default_templates_dir()));
//   KOBAN_ASSIGN(std::string html, t->page("public/site_article", data));  // in layout/public
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "web/templates.h"

namespace koban::site::publish {

// KOBAN_TEMPLATES if set, else /usr/share/koban/templates, else the source tree's templates/.
inline std::filesystem::path default_templates_dir() { return web::Templates::default_dir(); }

class PageTemplates {
 public:
  static Result<std::shared_ptr<const PageTemplates>> load(const std::filesystem::path& dir);

  Result<std::string> render(std::string_view name, const nlohmann::json& data) const {
    return templates_->render(name, data);
  }
  // `name` rendered, then layout/public with it as {{{content}}}; data is shared by both.
  Result<std::string> page(std::string_view name, nlohmann::json data) const {
    return templates_->page("layout/public", name, std::move(data));
  }

 private:
  std::shared_ptr<const web::Templates> templates_;
};

}  // namespace koban::site::publish

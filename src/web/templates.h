// Mustache templates (koban's engine, web/mustache_engine.h): `{{x}}` is HTML-escaped, `{{{x}}}` only for HTML that koban
// made itself (rendered Markdown, another template). Templates are files under templates/
// named by path without extension ("layout/public", "errors/page"); every template is also a
// partial under the same name: `{{> layout/nav}}`.
//
//   KOBAN_ASSIGN(auto t, web::Templates::load(dir));
//   std::string html = t.render("errors/page", {{"status", 404}});
//   std::string page = t.page("layout/public", "public/home", data, site);   // wrapped in layout
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <string_view>

#include "core/result.h"
#include "web/mustache_engine.h"

namespace koban::web {

class Templates {
 public:
  // Loads every *.mustache under dir (at most 4 MB in all). Parse errors name the file.
  static Result<std::shared_ptr<Templates>> load(const std::filesystem::path& dir);
  // The templates folder: KOBAN_TEMPLATES if set, else the installed or source tree.
  static std::filesystem::path default_dir();

  bool has(std::string_view name) const { return compiled_.find(name) != compiled_.end(); }
  // Renders one template; a missing template or a render error is an internal error.
  Result<std::string> render(std::string_view name, const nlohmann::json& data) const;
  // Renders `name`, then the layout with the result as {{{content}}}; data is shared by both.
  Result<std::string> page(std::string_view layout, std::string_view name, nlohmann::json data) const;

 private:
  // Compiled at load, partials linked to each other (std::map: the nodes never move).
  std::map<std::string, mustache::Template, std::less<>> compiled_;
};

}  // namespace koban::web

#include "site/publish/page_templates.h"

namespace koban::site::publish {

Result<std::shared_ptr<const PageTemplates>> PageTemplates::load(const std::filesystem::path& dir) {
  KOBAN_ASSIGN(auto loaded, web::Templates::load(dir));
  for (const char* name : {"layout/public", "public/site_article", "public/site_home"})
    if (!loaded->has(name)) return Error::internal(std::string("template ") + name + " is missing in " + dir.string());
  auto t = std::make_shared<PageTemplates>();
  t->templates_ = std::move(loaded);
  return std::shared_ptr<const PageTemplates>(std::move(t));
}

}  // namespace koban::site::publish

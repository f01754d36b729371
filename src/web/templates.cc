#include "web/templates.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace koban::web {
namespace fs = std::filesystem;

fs::path Templates::default_dir() {
  if (const char* env = std::getenv("KOBAN_TEMPLATES"); env && *env) return env;
  for (fs::path p : {fs::path("/usr/share/koban/templates"), fs::path(KOBAN_SOURCE_DIR) / "templates"}) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) return p;
  }
  return fs::path(KOBAN_SOURCE_DIR) / "templates";
}

Result<std::shared_ptr<Templates>> Templates::load(const fs::path& dir) {
  auto t = std::make_shared<Templates>();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::internal("templates folder not found: " + dir.string());
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".mustache") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    total += ss.str().size();
    if (total > (4 << 20)) return Error::internal("templates folder is larger than 4 MB");
    auto rel = fs::relative(it->path(), dir).replace_extension("").generic_string();
    auto compiled = mustache::compile(ss.str());
    if (!compiled) return Error::internal("template " + rel + ": " + compiled.error().message);
    t->compiled_.emplace(std::move(rel), std::move(*compiled));
  }
  if (ec) return Error::internal("cannot read templates folder: " + ec.message());
  // Partials by name; a name that is no template renders nothing (as kainjow did).
  for (auto& [name, tmpl] : t->compiled_) {
    mustache::link_partials(tmpl.nodes, [&](const std::string& ref) -> const mustache::Template* {
      auto it = t->compiled_.find(ref);
      return it == t->compiled_.end() ? nullptr : &it->second;
    });
  }
  return t;
}

Result<std::string> Templates::render(std::string_view name, const nlohmann::json& data) const {
  auto it = compiled_.find(name);
  if (it == compiled_.end()) return Error::internal("no template named " + std::string(name));
  std::string out;
  out.reserve(8192);
  mustache::render(it->second, data, out);
  return out;
}

Result<std::string> Templates::page(std::string_view layout, std::string_view name, nlohmann::json data) const {
  KOBAN_ASSIGN(std::string content, render(name, data));
  data["content"] = std::move(content);
  return render(layout, data);
}

}  // namespace koban::web

#include "site/publish/page_templates.h"

#include <algorithm>
#include <atomic>
#include <vector>
#include <cstdlib>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <sstream>
#include <unordered_map>

namespace koban::site::publish {
namespace fs = std::filesystem;
namespace mustache = kainjow::mustache;

namespace {

std::atomic<std::uint64_t> g_generation{1};
constexpr const char* kLayout = "layout/public";
constexpr const char* kAlertsPartial = "public/alerts_archive_latest";

mustache::data to_data(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), to_data(it.value()));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mustache::data d{mustache::data::type::list};
      for (const auto& v : j) d.push_back(to_data(v));
      return d;
    }
    case nlohmann::json::value_t::string: return mustache::data{j.get_ref<const std::string&>()};
    case nlohmann::json::value_t::boolean: return mustache::data{j.get<bool>()};
    case nlohmann::json::value_t::null: return mustache::data{false};
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return mustache::data{std::to_string(j.get<std::int64_t>())};
    default: return mustache::data{j.dump()};
  }
}

Result<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error::internal("cannot read template " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (1 << 20)) return Error::internal("template too large: " + p.string());
  return ss.str();
}

}  // namespace

fs::path default_templates_dir() {
  if (const char* env = std::getenv("KOBAN_TEMPLATES"); env && *env) return env;
  for (fs::path p : {fs::path("/usr/share/koban/templates"), fs::path(KOBAN_SOURCE_DIR) / "templates"}) {
    std::error_code ec;
    if (fs::is_directory(p / "public", ec)) return p;
  }
  return fs::path(KOBAN_SOURCE_DIR) / "templates";
}

Result<std::shared_ptr<const PageTemplates>> PageTemplates::load(const fs::path& dir) {
  auto t = std::make_shared<PageTemplates>();
  for (const char* name : {kLayout, kAlertsPartial}) {
    KOBAN_ASSIGN(auto text, read_file(dir / (std::string(name) + ".mustache")));
    t->sources_.emplace(name, std::move(text));
  }
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir / "public", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const auto file = it->path().filename().string();
    if (!file.starts_with("site_") || it->path().extension() != ".mustache") continue;
    KOBAN_ASSIGN(auto text, read_file(it->path()));
    t->sources_.emplace("public/" + it->path().stem().string(), std::move(text));
  }
  if (ec) return Error::internal("cannot read templates folder: " + ec.message());
  for (const auto& [name, text] : t->sources_) {
    mustache::mustache check{text};
    if (!check.is_valid()) return Error::internal("template " + name + ": " + check.error_message());
  }
  // Partials named directly ("{{> name}}"), then closed over nesting.
  for (const auto& [name, _] : t->sources_) {
    std::vector<std::string> todo{name}, found;
    while (!todo.empty()) {
      const std::string cur = std::move(todo.back());
      todo.pop_back();
      const std::string& text = t->sources_.find(cur)->second;
      for (auto pos = text.find("{{>"); pos != std::string::npos; pos = text.find("{{>", pos + 3)) {
        const auto end = text.find("}}", pos);
        if (end == std::string::npos) break;
        std::string ref(text.substr(pos + 3, end - pos - 3));
        while (!ref.empty() && ref.front() == ' ') ref.erase(ref.begin());
        while (!ref.empty() && ref.back() == ' ') ref.pop_back();
        if (!t->sources_.count(ref)) return Error::internal("template " + cur + " names an unknown partial " + ref);
        if (std::find(found.begin(), found.end(), ref) == found.end() && found.size() < 32) {
          found.push_back(ref);
          todo.push_back(ref);
        }
      }
    }
    t->partials_[name] = std::move(found);
  }
  t->generation_ = g_generation++;
  return std::shared_ptr<const PageTemplates>(std::move(t));
}

Result<std::string> PageTemplates::render(std::string_view name, const nlohmann::json& data) const {
  auto src = sources_.find(name);
  if (src == sources_.end()) return Error::internal("no template named " + std::string(name));
  // kainjow's render() is not const: a parsed copy per thread and template set.
  thread_local std::unordered_map<std::string, std::pair<std::uint64_t, std::unique_ptr<mustache::mustache>>> cache;
  auto& slot = cache[std::string(name)];
  if (!slot.second || slot.first != generation_) slot = {generation_, std::make_unique<mustache::mustache>(src->second)};
  mustache::data d = to_data(data);
  if (!d.is_object()) d = mustache::data{mustache::data::type::object};
  // Only the partials this template names (setting all of them costs allocations per render).
  if (auto uses = partials_.find(name); uses != partials_.end())
    for (const auto& pname : uses->second) {
      const std::string* text = &sources_.find(pname)->second;
      d.set(pname, mustache::partial{[text] { return *text; }});
    }
  std::string out = slot.second->render(d);
  if (!slot.second->is_valid()) {
    auto msg = slot.second->error_message();
    slot.second.reset();
    return Error::internal("template " + std::string(name) + ": " + msg);
  }
  return out;
}

Result<std::string> PageTemplates::page(std::string_view name, nlohmann::json data) const {
  KOBAN_ASSIGN(std::string content, render(name, data));
  data["content"] = std::move(content);
  return render(kLayout, data);
}

}  // namespace koban::site::publish

#include "web/templates.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

namespace koban::web {
namespace fs = std::filesystem;
namespace mustache = kainjow::mustache;

namespace {

std::atomic<std::uint64_t> g_generation{1};

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
    case nlohmann::json::value_t::string: return mustache::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean: return mustache::data{j.get<bool>()};
    case nlohmann::json::value_t::null: return mustache::data{false};
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return mustache::data{std::to_string(j.get<std::int64_t>())};
    default: return mustache::data{j.dump()};
  }
}

}  // namespace

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
    mustache::mustache check{ss.str()};
    if (!check.is_valid()) return Error::internal("template " + rel + ": " + check.error_message());
    t->sources_.emplace(std::move(rel), ss.str());
  }
  if (ec) return Error::internal("cannot read templates folder: " + ec.message());
  // Partials named directly ("{{> name}}"), then closed over nesting.
  std::map<std::string, std::set<std::string>, std::less<>> direct;
  for (const auto& [name, text] : t->sources_) {
    auto& uses = direct[name];
    for (auto pos = text.find("{{>"); pos != std::string::npos; pos = text.find("{{>", pos + 3)) {
      const auto end = text.find("}}", pos);
      if (end == std::string::npos) break;
      std::string_view ref(text.data() + pos + 3, end - pos - 3);
      while (!ref.empty() && ref.front() == ' ') ref.remove_prefix(1);
      while (!ref.empty() && ref.back() == ' ') ref.remove_suffix(1);
      if (t->sources_.count(std::string(ref))) uses.insert(std::string(ref));
    }
  }
  for (const auto& [name, _] : t->sources_) {
    std::set<std::string> all;
    std::vector<std::string> todo(direct[name].begin(), direct[name].end());
    while (!todo.empty()) {
      auto next = std::move(todo.back());
      todo.pop_back();
      if (!all.insert(next).second) continue;
      for (const auto& n : direct[next]) todo.push_back(n);
    }
    t->partials_[name] = std::vector<std::string>(all.begin(), all.end());
  }
  t->generation_ = g_generation++;
  return t;
}

Result<std::string> Templates::render(std::string_view name, const nlohmann::json& data) const {
  auto src = sources_.find(name);
  if (src == sources_.end()) return Error::internal("no template named " + std::string(name));
  // kainjow's render() is not const; each thread keeps its own parsed copy.
  thread_local std::unordered_map<std::string, std::pair<std::uint64_t, std::unique_ptr<mustache::mustache>>> cache;
  auto& slot = cache[std::string(name)];
  if (!slot.second || slot.first != generation_) {
    slot = {generation_, std::make_unique<mustache::mustache>(src->second)};
  }
  mustache::data d = to_data(data);
  if (!d.is_object()) d = mustache::data{mustache::data::type::object};
  if (auto uses = partials_.find(name); uses != partials_.end()) {
    for (const auto& pname : uses->second) {
      const std::string* text = &sources_.find(pname)->second;
      d.set(pname, mustache::partial{[text] { return *text; }});
    }
  }
  std::string out = slot.second->render(d);
  if (!slot.second->is_valid()) {
    auto msg = slot.second->error_message();
    slot.second.reset();
    return Error::internal("template " + std::string(name) + ": " + msg);
  }
  return out;
}

Result<std::string> Templates::page(std::string_view layout, std::string_view name, nlohmann::json data) const {
  KOBAN_ASSIGN(std::string content, render(name, data));
  data["content"] = std::move(content);
  return render(layout, data);
}

}  // namespace koban::web

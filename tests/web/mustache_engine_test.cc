// koban's Mustache engine against kainjow mustache (which it replaced): the same bytes for
// hand-written cases of every rule, and for every template in templates/ rendered with data
// made up from the names the template uses (sections as lists, as objects, as false, and
// everything missing).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <map>
#include <set>
#include <sstream>

#include "web/mustache_engine.h"

namespace koban::web {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
namespace km = kainjow::mustache;

// The conversion the old Templates::render made before handing data to kainjow.
km::data to_kainjow(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      km::data d{km::data::type::object};
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), to_kainjow(it.value()));
      return d;
    }
    case json::value_t::array: {
      km::data d{km::data::type::list};
      for (const auto& v : j) d.push_back(to_kainjow(v));
      return d;
    }
    case json::value_t::string: return km::data{j.get<std::string>()};
    case json::value_t::boolean: return km::data{j.get<bool>()};
    case json::value_t::null: return km::data{false};
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return km::data{std::to_string(j.get<std::int64_t>())};
    default: return km::data{j.dump()};
  }
}

using Sources = std::map<std::string, std::string>;

std::string with_kainjow(const Sources& all, const std::string& name, const json& data) {
  km::mustache t{all.at(name)};
  EXPECT_TRUE(t.is_valid()) << name << ": " << t.error_message();
  km::data d = to_kainjow(data);
  if (!d.is_object()) d = km::data{km::data::type::object};
  for (const auto& [pname, text] : all) d.set(pname, km::partial{[text = text] { return text; }});
  return t.render(d);
}

using Compiled = std::map<std::string, mustache::Template>;

Compiled compile_all(const Sources& all) {
  Compiled compiled;
  for (const auto& [n, text] : all) {
    auto c = mustache::compile(text);
    EXPECT_TRUE(c) << n << ": " << (c ? "" : c.error().message);
    if (c) compiled.emplace(n, std::move(*c));
  }
  for (auto& [n, t] : compiled)
    mustache::link_partials(t.nodes, [&](const std::string& ref) -> const mustache::Template* {
      auto it = compiled.find(ref);
      return it == compiled.end() ? nullptr : &it->second;
    });
  return compiled;
}

std::string with_engine(const Compiled& compiled, const std::string& name, const json& data) {
  std::string out;
  mustache::render(compiled.at(name), data, out);
  return out;
}

void expect_same(const std::string& text, const json& data) {
  Sources s{{"t", text}, {"p", "[{{x}}]\n"}};
  EXPECT_EQ(with_engine(compile_all(s), "t", data), with_kainjow(s, "t", data)) << "template: " << text << "\ndata: " << data.dump();
}

TEST(MustacheEngine, VariablesAndEscaping) {
  const json d = {{"x", "<a href=\"q\">Tom & 'Jerry'</a>"}, {"n", 42}, {"u", 7u}, {"f", 1.5}, {"t", true},
                  {"no", false}, {"z", nullptr}, {"e", ""}, {"o", {{"k", "v"}}}, {"l", {1, 2}}};
  for (const char* t : {"{{x}}", "{{{x}}}", "{{&x}}", "{{ x }}", "{{n}} {{u}} {{f}}", "[{{t}}][{{no}}][{{z}}][{{e}}]",
                        "[{{o}}][{{l}}][{{missing}}][{{}}]", "{{o.k}} {{o.missing}} {{x.y}}", "日本語 {{x}} テキスト"}) {
    expect_same(t, d);
  }
  std::string out;
  mustache::append_escaped(out, "&<>\"'x");
  EXPECT_EQ(out, "&amp;&lt;&gt;&quot;&apos;x");
}

TEST(MustacheEngine, SectionsListsObjectsAndContext) {
  const json d = {{"name", "outer"}, {"items", json::array({{{"name", "a"}}, {{"name", "b"}, {"extra", "x"}}, json::object()})},
                  {"strings", {"s1", "s2"}}, {"obj", {{"name", "inner"}, {"deep", {{"v", "d"}}}}}, {"empty", json::array()},
                  {"yes", true}, {"no", false}, {"z", nullptr}, {"e", ""}, {"n", 0}, {"site", {{"name", "S"}}}};
  for (const char* t : {"{{#items}}<{{name}}{{extra}}>{{/items}}", "{{#strings}}({{.}}){{/strings}}",
                        "{{#obj}}{{name}}/{{deep.v}}/{{site.name}}{{/obj}}", "{{#empty}}x{{/empty}}{{^empty}}none{{/empty}}",
                        "{{#yes}}Y{{name}}{{/yes}}{{#no}}N{{/no}}{{^no}}!N{{/no}}{{#z}}Z{{/z}}{{^z}}!Z{{/z}}",
                        "{{#e}}E{{.}}{{/e}}{{#n}}N{{.}}{{/n}}{{^missing}}M{{/missing}}",
                        "{{#obj}}{{#deep}}{{v}}{{name}}{{/deep}}{{/obj}}", "{{#items}}{{#obj}}{{name}}{{/obj}}{{/items}}",
                        "{{! a comment }}after", "{{#items}}{{> p}}{{/items}}"}) {
    expect_same(t, d);
  }
}

TEST(MustacheEngine, StandaloneLinesAndNewlines) {
  const json d = {{"items", {{{"x", "1"}}, {{"x", "2"}}}}, {"yes", true}, {"no", false}, {"x", "v"}, {"blank", ""}};
  for (const char* t : {"<ul>\n  {{#items}}\n  <li>{{x}}</li>\n  {{/items}}\n</ul>\n", "a\n{{#no}}\nhidden\n{{/no}}\nb\n",
                        "a\n  {{^no}}  \nshown\n\t{{/no}}\nb", "{{#yes}}\n{{blank}}\n{{/yes}}\nend", "x\r\n{{#yes}}\r\ny\r\n{{/yes}}\r\n",
                        "line {{x}}\n{{! standalone comment }}\nnext\n", "{{#yes}}{{x}}{{/yes}}\n\n  \ntail\r", "{{> p}}\n{{> p}}",
                        "{{#items}}{{x}}, {{/items}}\n", "\n\n{{#yes}}\n\n{{/yes}}\n\n"}) {
    expect_same(t, d);
  }
}

TEST(MustacheEngine, SyntaxErrorsAreReported) {
  for (const char* t : {"{{#a}}open", "{{/a}}", "{{#a}}{{/b}}", "{{x", "{{{x}}", "{{=<% %>=}}"}) {
    EXPECT_FALSE(mustache::compile(t)) << t;
  }
  EXPECT_TRUE(mustache::compile("{{#a}}{{#b}}{{/b}}{{/a}} }} {"));
}

TEST(MustacheEngine, PartialsThatIncludeThemselvesStop) {
  Sources s{{"loop", "x{{> loop}}"}};
  const auto out = with_engine(compile_all(s), "loop", json::object());
  EXPECT_EQ(out, std::string(33, 'x'));
}

// Data from the names a template (and its partials) uses: variables are strings full of
// characters to escape; sections are given as `section_value`.
void collect(const Sources& all, const std::string& name, std::set<std::string>& vars, std::set<std::string>& sections,
             std::set<std::string>& seen) {
  if (!seen.insert(name).second || !all.count(name)) return;
  const std::string& text = all.at(name);
  for (auto pos = text.find("{{"); pos != std::string::npos; pos = text.find("{{", pos + 2)) {
    auto end = text.find("}}", pos);
    if (end == std::string::npos) break;
    std::string tag = text.substr(pos + 2, end - pos - 2);
    while (!tag.empty() && (tag.front() == '{' || tag.front() == ' ')) tag.erase(tag.begin());
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (tag.empty()) continue;
    const char kind = tag[0];
    std::string ref = tag.substr(1);
    while (!ref.empty() && ref.front() == ' ') ref.erase(ref.begin());
    if (kind == '>') collect(all, ref, vars, sections, seen);
    else if (kind == '#' || kind == '^') sections.insert(ref.substr(0, ref.find('.')));
    else if (kind != '/' && kind != '!') vars.insert((kind == '&' ? ref : tag).substr(0, tag.find('.')));
  }
}

json made_up(const std::set<std::string>& vars, const std::set<std::string>& sections, int mode, int depth) {
  json d = json::object();
  for (const auto& v : vars) d[v] = "値<" + v + "> & 'q' \"" + std::to_string(depth) + "\"";
  for (const auto& s : sections) {
    if (mode == 0) d[s] = false;
    else if (depth >= 1) d[s] = true;
    else if (mode == 1) d[s] = json::array({made_up(vars, sections, mode, depth + 1), made_up(vars, sections, mode, depth + 1)});
    else d[s] = made_up(vars, sections, mode, depth + 1);
  }
  return d;
}

TEST(MustacheEngine, EveryTemplateOfTheProjectRendersAsKainjowDid) {
  Sources all;
  const fs::path dir = fs::path(KOBAN_SOURCE_DIR) / "templates";
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".mustache") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all[fs::relative(e.path(), dir).replace_extension("").generic_string()] = ss.str();
  }
  ASSERT_GT(all.size(), 50u);
  const Compiled compiled = compile_all(all);
  for (const auto& [name, _] : all) {
    std::set<std::string> vars, sections, seen;
    collect(all, name, vars, sections, seen);
    for (int mode = 0; mode < 3; ++mode) {
      const json data = made_up(vars, sections, mode, 0);
      EXPECT_EQ(with_engine(compiled, name, data), with_kainjow(all, name, data)) << name << " mode " << mode;
    }
    EXPECT_EQ(with_engine(compiled, name, json::object()), with_kainjow(all, name, json::object())) << name;
  }
}

}  // namespace
}  // namespace koban::web

// koban's own Mustache engine: templates are compiled once (at Templates::load) into a node
// tree and rendered straight from nlohmann::json, without converting the data first. It
// replaced kainjow's renderer, which parsed partials on every use and needed the whole page
// data copied into its own value type (two thirds of a form page's time was spent there).
//
// The output is byte-for-byte what kainjow mustache 4 produced for our templates
// (tests/web/mustache_engine_test.cc compares the two on every template in templates/):
//   - `{{x}}` HTML-escapes & < > " ' ; `{{{x}}}` and `{{&x}}` do not;
//   - strings print as they are, integers in decimal, other numbers as JSON; true, false,
//     null, objects and lists print nothing;
//   - a section runs for every item of a non-empty list, once (with the value pushed) for any
//     other value except false, null and a missing name; `{{^x}}` runs for exactly those;
//   - names are looked up from the innermost context outwards; "a.b" is tried whole in each
//     context in turn; "." is the innermost value;
//   - a line that held a section tag and renders to nothing but spaces and tabs is dropped
//     with its newline (kainjow's standalone rule; comments do not count as section tags);
//   - partials `{{> name}}` are linked at load time and share the current line.
// Not supported (no template uses them): set-delimiter tags and lambdas.
//
//   KOBAN_ASSIGN(auto t, web::mustache::compile(source));   // syntax errors name the offset
//   std::string out;
//   web::mustache::render(t, data, out);                    // appends to out
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::web::mustache {

struct Template;

struct Node {
  enum class Kind : std::uint8_t { text, newline, variable, raw_variable, section, inverted, partial, comment };
  Kind kind = Kind::text;
  std::string text;                // text and newline: the characters; tags: the name as written
  std::vector<std::string> path;   // names split on '.', {"."} for the implicit iterator
  std::vector<Node> children;      // sections
  const Template* partial = nullptr;  // partials, once linked (null: renders nothing)
};

struct Template {
  std::vector<Node> nodes;
};

// Parses a template; errors are internal errors naming the problem and its byte offset.
Result<Template> compile(std::string_view source);

// Calls link(name) for every partial tag in t and stores what it returns (may be null).
template <typename Link>
void link_partials(std::vector<Node>& nodes, const Link& link) {
  for (auto& n : nodes) {
    if (n.kind == Node::Kind::partial) n.partial = link(n.text);
    if (!n.children.empty()) link_partials(n.children, link);
  }
}

// Appends the rendering of t with data to out. Partials nest at most 32 deep.
void render(const Template& t, const nlohmann::json& data, std::string& out);

// The escaping of `{{x}}`: & < > " ' → entities.
void append_escaped(std::string& out, std::string_view s);

}  // namespace koban::web::mustache

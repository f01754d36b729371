#include "web/mustache_engine.h"

#include <cctype>

namespace koban::web::mustache {
namespace {

using json = nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_path(std::string_view name) {
  if (name == ".") return {"."};
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto dot = name.find('.', start);
    out.emplace_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

Error syntax(std::string what, std::size_t at) {
  return Error::internal(std::move(what) + " at " + std::to_string(at));
}

struct State {
  explicit State(std::string& o) : out(o) {}
  std::string& out;
  std::string line;             // the current line, written out (or dropped) at its end
  bool held_section_tag = false;
  std::vector<const json*> stack;
  int partial_depth = 0;
};

// kainjow's standalone rule: a line that held a section tag and is only spaces and tabs goes.
void end_line(State& st, const std::string* newline) {
  bool blank = st.held_section_tag;
  if (blank) {
    for (char c : st.line) {
      if (c != ' ' && c != '\t') {
        blank = false;
        break;
      }
    }
  }
  if (!blank) {
    st.out += st.line;
    if (newline) st.out += *newline;
  }
  st.line.clear();
  st.held_section_tag = false;
}

const json* member(const json* v, const std::string& name) {
  if (!v->is_object()) return nullptr;
  auto it = v->find(name);
  return it == v->end() ? nullptr : &*it;
}

const json* lookup(const State& st, const std::vector<std::string>& path) {
  if (path.size() == 1 && path[0] == ".") return st.stack.back();
  for (auto ctx = st.stack.rbegin(); ctx != st.stack.rend(); ++ctx) {
    const json* v = *ctx;
    for (const auto& name : path) {
      v = member(v, name);
      if (!v) break;
    }
    if (v) return v;
  }
  return nullptr;
}

bool falsy(const json* v) {
  return !v || v->is_null() || (v->is_boolean() && !v->get<bool>()) || (v->is_array() && v->empty());
}

void render_nodes(const std::vector<Node>& nodes, State& st);

void render_variable(const json& v, bool escape, State& st) {
  switch (v.type()) {
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (escape) append_escaped(st.line, s);
      else st.line += s;
      break;
    }
    case json::value_t::number_integer: st.line += std::to_string(v.get<std::int64_t>()); break;
    case json::value_t::number_unsigned: st.line += std::to_string(v.get<std::uint64_t>()); break;
    case json::value_t::number_float: st.line += v.dump(); break;
    default: break;  // true, false, null, objects and lists print nothing
  }
}

void render_section(const Node& n, const json* v, State& st) {
  if (v && v->is_array()) {
    for (const auto& item : *v) {
      st.held_section_tag = true;
      st.stack.push_back(&item);
      render_nodes(n.children, st);
      st.stack.pop_back();
      st.held_section_tag = true;
    }
    return;
  }
  st.held_section_tag = true;
  if (v) st.stack.push_back(v);
  render_nodes(n.children, st);
  if (v) st.stack.pop_back();
  st.held_section_tag = true;
}

void render_nodes(const std::vector<Node>& nodes, State& st) {
  for (const auto& n : nodes) {
    switch (n.kind) {
      case Node::Kind::text: st.line += n.text; break;
      case Node::Kind::newline: end_line(st, &n.text); break;
      case Node::Kind::variable:
      case Node::Kind::raw_variable:
        if (const json* v = lookup(st, n.path)) render_variable(*v, n.kind == Node::Kind::variable, st);
        break;
      case Node::Kind::section: {
        const json* v = lookup(st, n.path);
        if (!falsy(v)) render_section(n, v, st);
        break;
      }
      case Node::Kind::inverted: {
        const json* v = lookup(st, n.path);
        if (falsy(v)) render_section(n, v && !v->is_array() ? v : nullptr, st);
        break;
      }
      case Node::Kind::partial:
        if (n.partial && st.partial_depth < 32) {
          ++st.partial_depth;
          render_nodes(n.partial->nodes, st);
          --st.partial_depth;
        }
        break;
      case Node::Kind::comment: break;
    }
  }
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  std::size_t plain = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char* entity = nullptr;
    switch (s[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&apos;"; break;
      default: continue;
    }
    out.append(s.data() + plain, i - plain);
    out += entity;
    plain = i + 1;
  }
  out.append(s.data() + plain, s.size() - plain);
}

Result<Template> compile(std::string_view src) {
  Template t;
  std::vector<std::vector<Node>*> open{&t.nodes};
  std::vector<std::pair<std::string, std::size_t>> open_names;  // section name, offset
  std::string text;
  auto flush = [&] {
    if (text.empty()) return;
    Node& node = open.back()->emplace_back();
    node.text = std::move(text);
    text.clear();
  };
  const std::size_t n = src.size();
  std::size_t i = 0;
  while (i < n) {
    if (src[i] == '\n' || src[i] == '\r') {
      flush();
      const std::size_t len = (src[i] == '\r' && i + 1 < n && src[i + 1] == '\n') ? 2 : 1;
      Node& node = open.back()->emplace_back();
      node.kind = Node::Kind::newline;
      node.text = std::string(src.substr(i, len));
      i += len;
      continue;
    }
    if (src.compare(i, 2, "{{") != 0) {
      text += src[i++];
      continue;
    }
    flush();
    const std::size_t start = i;
    std::size_t body = i + 2;
    const bool triple = start != n - 2 && src[body] == '{';
    if (triple) ++body;
    const std::string_view close = triple ? "}}}" : "}}";
    const std::size_t end = src.find(close, body);
    if (end == std::string_view::npos) return syntax("Unclosed tag", start);
    const std::string_view contents = trim(src.substr(body, end - body));
    i = end + close.size();
    Node node;
    if (triple) {
      node.kind = Node::Kind::raw_variable;
      node.text = std::string(contents);
    } else if (contents.empty()) {
      node.kind = Node::Kind::variable;
    } else {
      switch (contents[0]) {
        case '#': node.kind = Node::Kind::section; break;
        case '^': node.kind = Node::Kind::inverted; break;
        case '/': {
          const auto name = trim(contents.substr(1));
          if (open_names.empty()) return syntax("Unopened section \"" + std::string(name) + "\"", start);
          if (open_names.back().first != name)
            return syntax("Unclosed section \"" + open_names.back().first + "\"", open_names.back().second);
          open.pop_back();
          open_names.pop_back();
          continue;
        }
        case '>': node.kind = Node::Kind::partial; break;
        case '&': node.kind = Node::Kind::raw_variable; break;
        case '!': node.kind = Node::Kind::comment; break;
        case '=': return syntax("Set-delimiter tags are not supported", start);
        default: node.kind = Node::Kind::variable; break;
      }
      node.text = std::string(node.kind == Node::Kind::variable ? contents : trim(contents.substr(1)));
    }
    node.path = split_path(node.text);
    const bool opens = node.kind == Node::Kind::section || node.kind == Node::Kind::inverted;
    open.back()->push_back(std::move(node));
    if (opens) {
      open_names.emplace_back(open.back()->back().text, start);
      open.push_back(&open.back()->back().children);
    }
  }
  flush();
  if (!open_names.empty())
    return syntax("Unclosed section \"" + open_names.back().first + "\"", open_names.back().second);
  return t;
}

void render(const Template& t, const nlohmann::json& data, std::string& out) {
  static const json empty_object = json::object();
  State st(out);
  st.stack.reserve(16);
  st.stack.push_back(data.is_object() ? &data : &empty_object);
  render_nodes(t.nodes, st);
  end_line(st, nullptr);
}

}  // namespace koban::web::mustache

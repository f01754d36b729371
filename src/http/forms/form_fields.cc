#include "http/forms/form_fields.h"

namespace koban::http::forms {

void FormFields::add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> FormFields::get(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> FormFields::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : entries_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

bool FormFields::contains(std::string_view name) const {
  for (const auto& e : entries_) {
    if (e.first == name) return true;
  }
  return false;
}

}  // namespace koban::http::forms

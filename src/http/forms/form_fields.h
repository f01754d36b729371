// FormFields: the decoded name/value pairs of a form, in the order they were sent.
// Both parse_urlencoded (urlencoded.h) and the multipart parser (multipart_parser.h) fill it.
//
//   std::optional<std::string> kind = fields.get("kind");     // the first value, if any
//   std::vector<std::string> tags = fields.all("tag");        // every value, in order
//   for (const auto& [name, value] : fields) ...              // everything, in order
//
// Names may repeat (checkboxes, multi-selects), so this is a list, not a map. Forms are small
// (the parsers cap the count), so lookups are a linear scan.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace koban::http::forms {

class FormFields {
 public:
  using Entry = std::pair<std::string, std::string>;

  void add(std::string name, std::string value);

  // Copies, so that the result stays valid when the FormFields (often a temporary) is gone.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  bool contains(std::string_view name) const;

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  bool operator==(const FormFields&) const = default;

 private:
  std::vector<Entry> entries_;
};

}  // namespace koban::http::forms

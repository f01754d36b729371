#include "http/forms/multipart_boundary.h"

#include <cstring>

#include "http/forms/header_params.h"

namespace koban::http::forms {

bool is_valid_boundary(std::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (c == '\0' || std::strchr("'()+_,-./:=? ", c) == nullptr)) return false;
  }
  return true;
}

Result<std::string> multipart_boundary(std::string_view content_type) {
  auto parsed = parse_header_value(content_type);
  if (!parsed || parsed->value != "multipart/form-data") {
    return Error::invalid("Content-Type が multipart/form-data ではありません。");
  }
  const std::string* b = parsed->param("boundary");
  if (b == nullptr || !is_valid_boundary(*b)) {
    return Error::invalid("multipart/form-data の区切り文字列（boundary）が正しくありません。");
  }
  return *b;
}

}  // namespace koban::http::forms

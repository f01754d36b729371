// The boundary of a multipart/form-data body, taken from the request's Content-Type.
//
//   auto boundary = multipart_boundary(req_content_type);   // invalid_argument when absent/bad
//   if (!boundary) return boundary.error();
//   MultipartParser parser(*boundary, limits, temp_dir);
//
// RFC 2046: 1 to 70 characters from DIGIT ALPHA '()+_,-./:=? and space, not ending in space.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::http::forms {

Result<std::string> multipart_boundary(std::string_view content_type);

bool is_valid_boundary(std::string_view boundary);

}  // namespace koban::http::forms

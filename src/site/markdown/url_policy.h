// Which URLs an article may link to or show as an image. An allow-list, not a block-list:
// http and https with a host, mailto, tel (digits and + - ( ) . only) and relative paths
// ("/kotsu/", "img/a.png", "?q=1", "#top"). Everything else is refused, in particular any
// other scheme (javascript:, vbscript:, data:, file:), "javascript:"/"vbscript:" anywhere (a
// redirector's parameter), protocol-relative "//host", backslashes, < > " `,
// control and invisible/bidi characters (browsers drop some of them: "java\tscript:"), and
// character references ("jav&#x61;script:", "&colon;") which would mean something else to
// whoever decodes the URL once more.
//
//   if (auto why = refuse_url(url)) warn(*why);   // nullopt: allowed
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace koban::site::markdown {

constexpr std::size_t kMaxUrlBytes = 2048;

// nullopt when the URL may be used; otherwise the reason in Japanese, for the writer.
// Expects valid UTF-8 (the renderer checks the whole input first).
std::optional<std::string> refuse_url(std::string_view url);

}  // namespace koban::site::markdown

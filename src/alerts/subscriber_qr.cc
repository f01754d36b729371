#include "alerts/subscriber_qr.h"

#include <qrencode.h>

#include <memory>


namespace koban::alerts {
namespace {

std::string attr_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<std::string> qr_svg(std::string_view text) {
  if (text.empty() || text.size() > kMaxQrText) return Error::invalid("QRコードにする文字列の長さが正しくありません。");
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0,
                        QR_ECLEVEL_M),
      &QRcode_free);
  if (!code) return Error::internal("QR encoding failed");
  const int w = code->width, quiet = 4, size = w + 2 * quiet;
  std::string path;
  path.reserve(static_cast<std::size_t>(w * w) * 4);
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      // Bit 0 of each byte: dark module. Runs of dark modules become one horizontal rectangle.
      if (!(code->data[y * w + x] & 1)) continue;
      int run = 1;
      while (x + run < w && (code->data[y * w + x + run] & 1)) ++run;
      path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h" + std::to_string(run) + "v1h-" +
              std::to_string(run) + "z";
      x += run - 1;
    }
  }
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" width=\"" + std::to_string(size * 8) + "\" height=\"" + std::to_string(size * 8) +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"" + attr_escape(text) +
         "\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>\n";
}

}  // namespace koban::alerts

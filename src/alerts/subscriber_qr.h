// The QR code of the subscribe page for flyers (ALERT-11), drawn server side as SVG with
// libqrencode: one <path> of dark modules, a 4-module quiet zone, scalable without blur.
//
//   KOBAN_ASSIGN(std::string svg, alerts::qr_svg("https://police.example.jp/alerts/"));
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::alerts {

inline constexpr std::size_t kMaxQrText = 1000;  // URLs only; longer input is refused

// Error correction level M (15 %): survives a fold or a smudge on a printed flyer.
Result<std::string> qr_svg(std::string_view text);

}  // namespace koban::alerts

// The mail as a subscriber will see it (issue 4 item 3): the subject and text of an alert, and
// a preview built with mail/mime.h in UTF-8 and ISO-2022-JP, with the characters ISO-2022-JP
// cannot carry (they arrive substituted, e.g. 髙 → 高, ① → (1), others → 〓).
//
//   auto text = alerts::alert_mail_text({.category = 3, .title = t, .body = b,
//                                        .unit_name = "中央警察署", .areas_text = "中央市"});
//   KOBAN_ASSIGN(auto p, alerts::preview_alert(text, {"サンプル県警察", "anshin@police.example.jp"}, now));
//   p.iso2022jp_text   // what an old phone shows; p.unsupported lists "髙" ...
//
// The delivery part uses alert_mail_text for the real mails, replacing kPersonalLinkPlaceholder
// with each subscriber's link.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "mail/mime.h"

namespace koban::alerts {

inline constexpr const char* kPersonalLinkPlaceholder = "（登録内容の変更・配信停止のための個人用リンク）";

struct MailTextInput {
  int category = 0;
  std::string follow_label{};  // "" | 続報 | 訂正 | 解除
  std::string title{};
  std::string body{};
  std::string unit_name{};
  std::string areas_text{};
  std::string personal_link = kPersonalLinkPlaceholder;
};

struct MailText {
  std::string subject;
  std::string text;  // LF line breaks
};
MailText alert_mail_text(const MailTextInput& in);

struct Preview {
  std::string subject;
  std::string utf8_raw;         // the whole message, UTF-8 (quoted-printable)
  std::string iso2022jp_raw;    // the whole message, ISO-2022-JP
  std::string utf8_text;        // the text as shown
  std::string iso2022jp_text;   // the ISO-2022-JP text decoded back, as an old phone shows it
  std::string iso2022jp_subject;
  std::size_t substitutions = 0;
  std::vector<std::string> unsupported;  // distinct characters ISO-2022-JP substitutes
  std::size_t title_chars = 0, body_chars = 0;
};
Result<Preview> preview_alert(const MailTextInput& in, const mail::Mailbox& from, Instant now);

}  // namespace koban::alerts

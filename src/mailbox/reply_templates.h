// The reply templates staff start from (受付のお礼, 担当部署へ引き継ぎました, ご意見への回答).
// The text may contain {名前} and {受付番号}; fill_placeholders() puts in the resident's name
// ("お名前のない方" gets a neutral greeting) and the receipt number. Staff edit the text before
// sending; placeholders they leave in are filled at sending time.
//
//   for (const auto& t : mailbox::reply_templates()) show(t.key, t.title, t.body);
//   std::string text = mailbox::fill_placeholders(body, name, receipt);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace koban::mailbox {

struct ReplyTemplate {
  std::string_view key;    // "thanks", "forwarded", "answer"
  std::string_view title;  // shown to staff
  std::string_view subject;
  std::string_view body;
};

const std::vector<ReplyTemplate>& reply_templates();
const ReplyTemplate* find_reply_template(std::string_view key);

std::string fill_placeholders(std::string_view text, std::string_view name, std::string_view receipt);

}  // namespace koban::mailbox

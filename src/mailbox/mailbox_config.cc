#include "mailbox/mailbox_config.h"

#include "core/text.h"
#include "mailbox/urgent_words.h"

namespace koban::mailbox {
namespace {

std::vector<std::string> codes(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto code = text::trim(text.substr(start, end - start));
    if (!code.empty()) out.emplace_back(code);
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<MailboxSettings> settings_from_config(const Config& config) {
  MailboxSettings s;
  KOBAN_ASSIGN(auto days, config.integer_checked("mailbox.retention_days"));
  if (days < 1 || days > 36500) return Error::invalid("mailbox.retention_days: 1 to 36500 days");
  s.retention_days = static_cast<int>(days);
  KOBAN_ASSIGN(auto chars, config.integer_checked("mailbox.max_text_chars"));
  if (chars < 100 || chars > 20000) return Error::invalid("mailbox.max_text_chars: 100 to 20000");
  s.max_text_chars = static_cast<std::size_t>(chars);
  KOBAN_ASSIGN(auto limit, config.integer_checked("mailbox.ip_limit_per_hour"));
  if (limit < 0 || limit > 100000) return Error::invalid("mailbox.ip_limit_per_hour: 0 to 100000");
  s.ip_limit_per_hour = static_cast<int>(limit);
  KOBAN_ASSIGN(s.urgent_words, parse_urgent_words(config.text("mailbox.urgent_words")));
  if (s.urgent_words.empty()) return Error::invalid("mailbox.urgent_words: at least one word");
  s.pr_unit_code = std::string(text::trim(config.text("mailbox.pr_unit")));
  s.duty_unit_code = std::string(text::trim(config.text("mailbox.duty_unit")));
  if (s.pr_unit_code.empty() || s.duty_unit_code.empty() || s.pr_unit_code == s.duty_unit_code)
    return Error::invalid("mailbox.pr_unit and mailbox.duty_unit: two different unit codes");
  s.urgent_notify_unit_codes = codes(config.text("mailbox.urgent_notify_units"));
  s.base_url = config.text("server.base_url");
  if (s.base_url.empty()) s.base_url = "http://" + config.text("server.listen");
  while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  s.from_address = config.text("mail.from");
  s.from_name = config.text("mail.from_name");
  s.mail_transport = config.text("mail.transport");
  return s;
}

}  // namespace koban::mailbox

#include "mailbox/reply_templates.h"

namespace koban::mailbox {

const std::vector<ReplyTemplate>& reply_templates() {
  static const std::vector<ReplyTemplate> kTemplates = {
      {"thanks", "受付のお礼", "けんけいメールボックスへのご投稿ありがとうございました",
       "{名前}\n\n"
       "このたびは、けんけいメールボックスにご投稿いただき、ありがとうございました。\n"
       "いただいた内容は確かに受け付けました（受付番号 {受付番号}）。\n"
       "今後の警察行政の参考とさせていただきます。\n"},
      {"forwarded", "担当部署へ引き継ぎました", "ご投稿の内容を担当部署へ引き継ぎました",
       "{名前}\n\n"
       "けんけいメールボックスへのご投稿（受付番号 {受付番号}）の内容を、担当する部署へ引き継ぎました。\n"
       "担当部署から連絡を差し上げる場合があります。\n"},
      {"answer", "ご意見への回答", "ご意見への回答",
       "{名前}\n\n"
       "けんけいメールボックスへのご投稿（受付番号 {受付番号}）について、次のとおり回答いたします。\n\n"
       "（ここに回答を書いてください）\n"},
  };
  return kTemplates;
}

const ReplyTemplate* find_reply_template(std::string_view key) {
  for (const auto& t : reply_templates())
    if (t.key == key) return &t;
  return nullptr;
}

std::string fill_placeholders(std::string_view text, std::string_view name, std::string_view receipt) {
  const std::string greeting = name.empty() ? std::string("ご投稿いただいた方へ") : std::string(name) + " 様";
  std::string out;
  out.reserve(text.size() + 64);
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with("{名前}")) {
      out += greeting;
      i += std::string_view("{名前}").size();
    } else if (text.substr(i).starts_with("{受付番号}")) {
      out += receipt;
      i += std::string_view("{受付番号}").size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

}  // namespace koban::mailbox

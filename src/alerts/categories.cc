#include "alerts/categories.h"

#include <string>

namespace koban::alerts {

namespace {

// Definitions are the seed's text (別添 第8). The 記載例 follow the seed's spirit: what
// happened, where and when, who to call, and a closing piece of advice; no detail that could
// identify a victim or hinder an investigation (ALERT-8).
const std::array<Category, kCategoryCount> kCategories{{
    {1, "子供安全情報", "子供安全",
     "18歳以下の子供に対する声かけ事案、性的犯罪等の発生・検挙解決情報",
     "子供に対する声かけ事案の発生",
     "○月○日（○）午後○時ころ、○○市○○町地内の路上で、下校中の女子児童が見知らぬ男から"
     "「車に乗せてあげる」と声をかけられる事案が発生しました。\n"
     "男は、30歳代、身長170センチくらい、黒色の上下ジャージ姿でした。\n"
     "子供には「知らない人にはついて行かない」「大声を出して逃げる」よう話し合いましょう。\n"
     "不審な人を見かけたら、すぐに110番通報してください。\n"
     "（○○警察署 電話 000-000-0000）",
     Syndication::always},
    {2, "女性安全情報", "女性安全",
     "19歳以上の女性に対する声かけ事案、性的犯罪等の発生・検挙解決情報",
     "女性に対するつきまとい事案の発生",
     "○月○日（○）午後○時ころ、○○市○○地内の路上で、帰宅途中の女性が見知らぬ男に"
     "後をつけられる事案が発生しました。\n"
     "男は、20歳代、やせ型、白色のマスクを着用していました。\n"
     "夜間の一人歩きはできるだけ避け、明るく人通りの多い道を選びましょう。\n"
     "危険を感じたら、近くの店舗などに避難し、110番通報してください。\n"
     "（○○警察署 電話 000-000-0000）",
     Syndication::always},
    {3, "防犯情報", "防犯",
     "街頭犯罪等の身近な犯罪、特殊詐欺の前兆事案、連続発生のおそれのある各種犯罪、"
     "刃物等使用の凶悪犯罪等の発生情報、有害鳥獣等の出没情報、行方不明者情報、"
     "その他防犯活動・防犯パトロールに有益な情報等",
     "特殊詐欺の前兆電話（アポ電）が相次いでいます",
     "○月○日から○日にかけて、○○市内の高齢者宅に、市役所職員を名乗る者から"
     "「医療費の還付金がある」という電話が相次いでいます。\n"
     "市役所や警察が、電話でATMの操作をお願いすることは絶対にありません。\n"
     "不審な電話があったら、すぐに電話を切り、家族や警察に相談してください。\n"
     "（○○警察署 電話 000-000-0000）",
     Syndication::physical_danger_only},
    {4, "交通安全情報", "交通安全",
     "交通事故等の発生情報、交通安全に関する情報等",
     "歩行者が被害に遭う交通事故が多発しています",
     "○月に入り、○○市内で夕暮れ時に道路を横断中の歩行者が車にはねられる交通事故が"
     "○件発生しています。\n"
     "運転者は早めにライトを点灯し、横断歩道の手前では歩行者の有無を確認しましょう。\n"
     "歩行者は明るい服装と反射材を身に付けましょう。\n"
     "（○○警察署 交通課 電話 000-000-0000）",
     Syndication::never},
    {5, "防災情報", "防災",
     "台風、大雨、地震等の災害に関する情報等",
     "大雨による土砂災害に警戒してください",
     "○○地方気象台から、○○市に大雨警報（土砂災害）が発表されています。\n"
     "がけの近くや川沿いには近づかず、市町村の避難情報に注意して、早めに避難してください。\n"
     "冠水した道路への車の進入は大変危険です。\n"
     "（○○警察署 電話 000-000-0000）",
     Syndication::never},
    {6, "お知らせ情報", "お知らせ",
     "採用情報、講習会開催情報、広報重点事項等に関する一般情報等",
     "警察官採用試験の受付が始まります",
     "令和○年度○○県警察官採用試験（第○回）の受付を、○月○日（○）から開始します。\n"
     "試験の日程、受験資格などの詳細は、県警察ホームページの採用情報をご覧ください。\n"
     "（警察本部 警務課 採用係 電話 000-000-0000）",
     Syndication::never},
}};

}  // namespace

const std::array<Category, kCategoryCount>& categories() { return kCategories; }

const Category* find_category(int number) {
  if (number < 1 || number > kCategoryCount) return nullptr;
  return &kCategories[static_cast<std::size_t>(number - 1)];
}

bool goes_to_syndication(int number, bool physical_danger) {
  const Category* c = find_category(number);
  if (!c) return false;
  switch (c->syndication) {
    case Syndication::always: return true;
    case Syndication::physical_danger_only: return physical_danger;
    case Syndication::never: return false;
  }
  return false;
}

Result<std::uint32_t> category_mask(std::span<const int> numbers) {
  std::uint32_t mask = 0;
  for (int n : numbers) {
    if (!find_category(n)) return Error::invalid("情報の種類の指定が正しくありません（1～6の番号で選んでください）。");
    mask |= category_bit(n);
  }
  return mask;
}

std::vector<int> category_numbers(std::uint32_t mask) {
  std::vector<int> out;
  for (int n = 1; n <= kCategoryCount; ++n)
    if (mask_has(mask, n)) out.push_back(n);
  return out;
}

}  // namespace koban::alerts

#include "site/sections.h"

namespace koban::site {

// Seed 000 §7, item by item; slugs are short English so that URLs stay readable.
const std::vector<SectionTopics>& sections() {
  static const std::vector<SectionTopics> kSections = {
      {"about", "県警の紹介",
       {{"policy", "運営方針・計画等"}, {"rules", "条例・規則"}, {"recruit", "採用案内"},
        {"media", "県警の情報発信"}, {"mascot", "シンボルマスコット"}, {"band", "警察音楽隊"}}},
      {"stations", "警察署", {}},
      {"safety", "安全な暮らし",
       {{"crime-stats", "犯罪統計・発生情報"}, {"prevention", "防犯活動（安全・安心まちづくり）"},
        {"110", "110番の仕組み"}, {"disaster", "災害関係"}, {"tips", "情報提供のお願い"}}},
      {"traffic", "交通安全",
       {{"accident-stats", "交通事故統計・発生状況"}, {"enforcement", "交通取締情報"},
        {"regulation", "交通規制（標識・信号機等）"}, {"opinions", "交通安全に関するご意見"}}},
      {"procedures", "申請・手続き",
       {{"applications", "各種申請・手続き"}, {"lost-found", "落とし物関係"}, {"tenders", "入札関係"},
        {"ads", "広告募集"}, {"disclosure", "情報公開制度"}, {"public-comment", "パブリックコメント"}}},
      {"consultation", "各種相談", {{"topics", "相談の内容"}, {"contacts", "相談窓口・連絡先"}}},
  };
  return kSections;
}

const SectionTopics* find_section(std::string_view slug) {
  for (const auto& s : sections())
    if (s.slug == slug) return &s;
  return nullptr;
}

const Topic* find_topic(std::string_view section, std::string_view topic) {
  const auto* s = find_section(section);
  if (!s) return nullptr;
  for (const auto& t : s->topics)
    if (t.slug == topic) return &t;
  return nullptr;
}

std::string label_of(std::string_view section, std::string_view topic) {
  const auto* s = find_section(section);
  if (!s) return "";
  std::string out(s->name);
  if (const auto* t = find_topic(section, topic)) out += " ＞ " + std::string(t->name);
  return out;
}

}  // namespace koban::site

#include "alerts/alert_demo.h"

#include <algorithm>

#include "org/people.h"
#include "org/units.h"

namespace koban::alerts {
namespace {

struct DemoAlert {
  int days_ago;
  int hour;
  const char* station;  // writer "<station>.tanto", approver "<station>.shocho"; "" = HQ (seian)
  int category;
  bool physical_danger;
  const char* title;
  const char* body;
  // follow-ups, sent `after_days` later
  struct Follow {
    FollowKind kind;
    int after_days;
    const char* title;
    const char* body;
  };
  std::vector<Follow> follows;
};

const std::vector<DemoAlert>& demo_alerts() {
  static const std::vector<DemoAlert> list = {
      {40, 16, "chuo", 1, false, "下校中の児童への声かけ",
       "○月○日午後3時30分ころ、中央市本町2丁目の路上で、下校中の女子児童が男から「家まで送ってあげる」と声をかけられる事案が発生しました。\n"
       "男は40歳くらい、黒っぽい上着。\n子供には「いかのおすし」を教え、地域の見守りをお願いします。",
       {{FollowKind::update, 2, "下校中の児童への声かけ（続報）", "先日お知らせした声かけ事案について、警戒を続けています。引き続き見守りにご協力ください。"},
        {FollowKind::resolution, 9, "下校中の児童への声かけ（解除）", "先日お知らせした声かけ事案は、行為者が特定されました。ご協力ありがとうございました。"}}},
      {30, 20, "kita", 2, false, "帰宅途中の女性へのつきまとい",
       "○月○日午後9時ころ、北市北町3丁目付近で、帰宅途中の女性が後をつけられる事案が発生しました。\n"
       "夜間の一人歩きは避け、明るい道を通りましょう。",
       {{FollowKind::resolution, 6, "帰宅途中の女性へのつきまとい（解除）", "お知らせしていたつきまとい事案は、行為者が検挙されました。"}}},
      {21, 11, "minami", 3, true, "刃物を持った男の目撃情報",
       "本日午前10時ころ、南市港通4丁目付近で、刃物を持った男が目撃されました。\n"
       "男は30歳くらい、身長170センチくらい、灰色の作業服。\n不審な人を見かけたら、すぐに110番通報してください。",
       {{FollowKind::correction, 0, "刃物を持った男の目撃情報（訂正）", "先ほどの配信で、目撃場所を「港通4丁目」としましたが、「港通5丁目」の誤りでした。訂正します。"},
        {FollowKind::resolution, 1, "刃物を持った男の目撃情報（解除）", "お知らせしていた事案は、男が確保されました。ご協力ありがとうございました。"}}},
      {14, 10, "higashi", 3, true, "クマの出没情報",
       "本日午前8時ころ、東市東山村の東山小学校付近でクマ1頭が目撃されました。\n"
       "近づかず、見かけたら警察か市役所へ連絡してください。",
       {}},
      {12, 9, "nishi", 3, false, "還付金詐欺の電話が相次いでいます",
       "西市内で、市役所職員をかたり「医療費の還付金がある」とATMへ誘導する電話が相次いでいます。\n"
       "ATMで還付金は受け取れません。不審な電話はすぐに切って、警察に相談してください。",
       {}},
      {10, 14, "chuo", 4, false, "交通事故多発交差点のお知らせ",
       "中央市本町1丁目交差点で、右折車と歩行者の事故が続いています。\n横断歩道の手前では必ず減速しましょう。", {}},
      {7, 15, "", 5, false, "大雨に関する注意",
       "今夜から明日にかけて県内全域で大雨が予想されています。\n川や用水路に近づかず、最新の気象情報に注意してください。", {}},
      {3, 10, "", 6, false, "警察官採用試験の説明会",
       "○月○日（土）午後1時から、県警察本部で警察官採用試験の説明会を開きます。\n参加は無料、申込みは不要です。", {}},
      {9, 17, "kita", 1, false, "公園で児童に不審な撮影",
       "北市北町の北公園で、遊んでいた児童を無断で撮影する男が目撃されました。\n子供だけで遊ばせないよう注意してください。", {}},
  };
  return list;
}

// The nearest business-day moment at or before days_ago at `hour` (office hours, so the unit
// head approves).
Instant office_moment(const calendar::BusinessCalendar& cal, Instant now, int days_ago, int hour) {
  Date d = to_jst(now).date.plus_days(-days_ago);
  for (int i = 0; i < 14 && !cal.is_business_day(d); ++i) d = d.plus_days(-1);
  const int h = std::clamp(hour, 9, 16);
  return from_jst({d, h, 0, 0});
}

Result<org::PersonId> person(store::Session& s, const std::string& login) {
  KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
  if (!p) return Error::not_found("demo person " + login);
  return p->id;
}

}  // namespace

Result<int> fill_demo_alerts(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                             Instant now) {
  KOBAN_ASSIGN(auto existing, s.query("SELECT COUNT(*) FROM alerts"));
  if (existing.at(0).int64(0) > 0) return 0;
  int count = 0;
  Approval checked{.checklist = {true, true, true}};
  auto send = [&](const std::string& writer, const std::string& approver, AlertInput in, Instant at) -> Result<std::int64_t> {
    KOBAN_ASSIGN(auto w, person(s, writer));
    KOBAN_ASSIGN(auto a, person(s, approver));
    KOBAN_ASSIGN(auto id, create_alert(s, kinds, st, in, {.person = w}, at));
    const Instant approved = at + std::chrono::minutes(20);
    if (auto r = approve_alert(s, kinds, st, id, {.person = a}, checked, approved); !r)
      return Error{r.error().code, r.error().message + " (" + approver + " " + to_jst(approved).iso() + ")"};
    KOBAN_TRY(mark_sent(s, id, approved + std::chrono::minutes(2)));
    // Past alerts are already delivered: no delivery job for them.
    KOBAN_TRY(s.exec("DELETE FROM jobs WHERE dedupe_key = ?", "alerts.deliver:" + std::to_string(id)));
    ++count;
    return id;
  };
  for (const auto& d : demo_alerts()) {
    const bool hq = std::string(d.station).empty();
    const std::string writer = hq ? "seian.hosa" : std::string(d.station) + ".tanto";
    const std::string approver = hq ? "seian.kacho" : std::string(d.station) + ".shocho";
    const Instant at = office_moment(st.calendar, now, d.days_ago, d.hour);
    KOBAN_ASSIGN(auto id, send(writer, approver, {.category = d.category, .title = d.title, .body = d.body,
                                                  .whole_prefecture = hq, .physical_danger = d.physical_danger},
                               at));
    for (const auto& f : d.follows) {
      Instant fat = office_moment(st.calendar, now, std::max(0, d.days_ago - f.after_days), d.hour + 2);
      if (fat <= at) {  // the same (or an earlier) business day: the next business day's morning
        Date next = to_jst(at).date.plus_days(1);
        for (int i = 0; i < 14 && !st.calendar.is_business_day(next); ++i) next = next.plus_days(1);
        fat = f.after_days == 0 && to_jst(at).hour < 15 ? at + std::chrono::hours(1) : from_jst({next, 10, 0, 0});
      }
      KOBAN_TRY(send(writer, approver, {.title = f.title, .body = f.body, .follows_id = id, .follow_kind = f.kind}, fat));
    }
  }
  return count;
}

}  // namespace koban::alerts

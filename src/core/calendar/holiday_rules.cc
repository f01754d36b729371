// The rules of 国民の祝日に関する法律 (昭和23年法律第178号), one function per rule, with the
// amendments that changed them. Article 2 lists the 国民の祝日; Article 3 makes them 休日 and
// adds the 振替休日 (3(2)) and the 国民の休日 (3(3)).
#include "core/calendar/holiday_rules.h"

#include "core/calendar/equinox.h"

namespace koban::calendar::rules {
namespace {

std::optional<Holiday> on(int year, int month, int day, const char* name) {
  return Holiday{Date{year, month, day}, name, HolidayKind::national};
}

}  // namespace

Date nth_monday(int year, int month, int n) {
  const Date first{year, month, 1};
  const int to_monday = (8 - first.weekday()) % 7;  // weekday(): 0 = Sunday, 1 = Monday
  return first.plus_days(to_monday + 7 * (n - 1));
}

// 第2条 元日「年のはじめを祝う。」1月1日.
std::optional<Holiday> new_years_day(int y) { return on(y, 1, 1, "元日"); }

// 第2条 成人の日: 1月15日; 1月の第2月曜日 from 2000 (平成10年改正, the first Happy Monday law).
std::optional<Holiday> coming_of_age_day(int y) {
  if (y < 2000) return on(y, 1, 15, "成人の日");
  return Holiday{nth_monday(y, 1, 2), "成人の日"};
}

// 第2条 建国記念の日: 政令で定める日 = 2月11日 (昭和41年政令第376号), since 1967.
std::optional<Holiday> national_foundation_day(int y) { return on(y, 2, 11, "建国記念の日"); }

// 第2条 天皇誕生日 follows the reigning emperor: 4月29日 (Shōwa) until 1988, 12月23日 (平成元年改正)
// for 1989–2018, 2月23日 from 2020 (皇室典範特例法 附則による改正, in force 2019-05-01, after
// 2019's February 23 had passed and before its December 23, so 2019 has none).
std::optional<Holiday> emperors_birthday(int y) {
  if (y <= 1988) return on(y, 4, 29, "天皇誕生日");
  if (y <= 2018) return on(y, 12, 23, "天皇誕生日");
  if (y == 2019) return std::nullopt;
  return on(y, 2, 23, "天皇誕生日");
}

// 第2条 春分の日「春分日」: the day announced in the gazette; see equinox.h.
std::optional<Holiday> vernal_equinox_day(int y) {
  const int d = calendar::vernal_equinox_day(y);
  if (d == 0) return std::nullopt;
  return on(y, 3, d, "春分の日");
}

// 第2条 4月29日 after the Shōwa emperor's birthday: みどりの日 (平成元年改正) for 1989–2006,
// 昭和の日 from 2007 (平成17年改正). Until 1988 it was 天皇誕生日 (see above).
std::optional<Holiday> april_29(int y) {
  if (y <= 1988) return std::nullopt;
  if (y <= 2006) return on(y, 4, 29, "みどりの日");
  return on(y, 4, 29, "昭和の日");
}

// 第2条 憲法記念日 5月3日.
std::optional<Holiday> constitution_day(int y) { return on(y, 5, 3, "憲法記念日"); }

// 第2条 みどりの日 5月4日 from 2007 (平成17年改正; before that 5/4 was usually a 国民の休日).
std::optional<Holiday> greenery_day(int y) {
  if (y < 2007) return std::nullopt;
  return on(y, 5, 4, "みどりの日");
}

// 第2条 こどもの日 5月5日.
std::optional<Holiday> childrens_day(int y) { return on(y, 5, 5, "こどもの日"); }

// 第2条 海の日: 7月20日 from 1996 (平成7年改正); 7月の第3月曜日 from 2003 (平成13年改正).
// Moved by the Tokyo Olympic and Paralympic special measures law to 7/23 in 2020 and
// (令和2年改正) to 7/22 in 2021.
std::optional<Holiday> marine_day(int y) {
  if (y < 1996) return std::nullopt;
  if (y == 2020) return on(y, 7, 23, "海の日");
  if (y == 2021) return on(y, 7, 22, "海の日");
  if (y < 2003) return on(y, 7, 20, "海の日");
  return Holiday{nth_monday(y, 7, 3), "海の日"};
}

// 第2条 山の日 8月11日 from 2016 (平成26年改正); Olympic moves: 8/10 in 2020, 8/8 in 2021.
std::optional<Holiday> mountain_day(int y) {
  if (y < 2016) return std::nullopt;
  if (y == 2020) return on(y, 8, 10, "山の日");
  if (y == 2021) return on(y, 8, 8, "山の日");
  return on(y, 8, 11, "山の日");
}

// 第2条 敬老の日: 9月15日; 9月の第3月曜日 from 2003 (平成13年改正).
std::optional<Holiday> respect_for_the_aged_day(int y) {
  if (y < 2003) return on(y, 9, 15, "敬老の日");
  return Holiday{nth_monday(y, 9, 3), "敬老の日"};
}

// 第2条 秋分の日「秋分日」: see equinox.h.
std::optional<Holiday> autumnal_equinox_day(int y) {
  const int d = calendar::autumnal_equinox_day(y);
  if (d == 0) return std::nullopt;
  return on(y, 9, d, "秋分の日");
}

// 第2条 体育の日: 10月10日; 10月の第2月曜日 from 2000 (平成10年改正); renamed スポーツの日 from 2020
// (平成30年改正). Olympic moves: 7/24 in 2020 and 7/23 in 2021 (no October holiday then).
std::optional<Holiday> sports_day(int y) {
  if (y < 2000) return on(y, 10, 10, "体育の日");
  if (y < 2020) return Holiday{nth_monday(y, 10, 2), "体育の日"};
  if (y == 2020) return on(y, 7, 24, "スポーツの日");
  if (y == 2021) return on(y, 7, 23, "スポーツの日");
  return Holiday{nth_monday(y, 10, 2), "スポーツの日"};
}

// 第2条 文化の日 11月3日.
std::optional<Holiday> culture_day(int y) { return on(y, 11, 3, "文化の日"); }

// 第2条 勤労感謝の日 11月23日.
std::optional<Holiday> labour_thanksgiving_day(int y) { return on(y, 11, 23, "勤労感謝の日"); }

const std::vector<Rule>& national_holiday_rules() {
  static const std::vector<Rule> kRules = {
      new_years_day,    coming_of_age_day, national_foundation_day, emperors_birthday,
      vernal_equinox_day, april_29,        constitution_day,        greenery_day,
      childrens_day,    marine_day,        mountain_day,            respect_for_the_aged_day,
      autumnal_equinox_day, sports_day,    culture_day,             labour_thanksgiving_day,
  };
  return kRules;
}

// Single days, each made a 休日 by its own law:
//   昭和天皇の大喪の礼の行われる日を休日とする法律 (1989), 即位礼正殿の儀の行われる日を休日とする法律
//   (1990), 皇太子徳仁親王の結婚の儀の行われる日を休日とする法律 (1993), and 天皇の即位の日及び即位礼
//   正殿の儀の行われる日を休日とする法律 (2018), whose 第2条 deems its two days 国民の祝日 for
//   Article 3(3) of the holidays law.
std::vector<SpecialDay> special_days(int y) {
  switch (y) {
    case 1989: return {{{Date{1989, 2, 24}, "昭和天皇の大喪の礼", HolidayKind::special}, false}};
    case 1990: return {{{Date{1990, 11, 12}, "即位礼正殿の儀", HolidayKind::special}, false}};
    case 1993: return {{{Date{1993, 6, 9}, "皇太子徳仁親王の結婚の儀", HolidayKind::special}, false}};
    case 2019:
      return {{{Date{2019, 5, 1}, "即位の日", HolidayKind::special}, true},
              {{Date{2019, 10, 22}, "即位礼正殿の儀", HolidayKind::special}, true}};
    default: return {};
  }
}

// 第3条第2項 振替休日. From 1973-04-12 to 2006:「国民の祝日が日曜日にあたるときは、その翌日を休日と
// する。」From 2007 (平成17年改正):「その日後においてその日に最も近い国民の祝日でない日を休日とする。」
// — so a Sunday 5/3 now pushes the extra day past 5/4 and 5/5 to 5/6.
std::optional<Date> substitute_holiday(Date sunday, const std::set<Date>& national) {
  Date next = sunday.plus_days(1);
  if (sunday.year < 2007) {
    if (national.contains(next)) return std::nullopt;
    return next;
  }
  while (national.contains(next)) next = next.plus_days(1);
  return next;
}

// 第3条第3項 国民の休日 (昭和60年改正, in force from 1985-12-27):「その前日及び翌日が国民の祝日である
// 日（国民の祝日でない日に限り、日曜日にあたる日及び前項に規定する休日にあたる日を除く。）は、休日とする。」
bool is_citizens_holiday(Date d, const std::set<Date>& national, const std::set<Date>& substitutes) {
  if (d < Date{1985, 12, 27}) return false;
  if (national.contains(d) || substitutes.contains(d) || d.weekday() == 0) return false;
  return national.contains(d.plus_days(-1)) && national.contains(d.plus_days(1));
}

}  // namespace koban::calendar::rules

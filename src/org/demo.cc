#include "org/demo.h"

#include <initializer_list>

#include "org/people.h"
#include "org/roles.h"
#include "org/units.h"

namespace koban::org {
namespace {

struct Division {
  const char* code;
  const char* name;
  const char* phone_ext;
};
constexpr Division kDivisions[] = {
    {"somu", "総務課", "2011"},          {"koho", "広報課", "2111"},
    {"seian", "生活安全企画課", "3011"}, {"chiiki", "地域課", "3511"},
    {"keiji", "刑事企画課", "4011"},     {"cyber", "サイバー犯罪対策課", "4611"},
    {"kotsu", "交通企画課", "5011"},
};

struct Station {
  const char* code;
  const char* name;
  const char* jurisdiction;
  const char* address;
};
constexpr Station kStations[] = {
    {"chuo", "中央警察署", "中央市", "サンプル県中央市本町1-1"},
    {"kita", "北警察署", "北市・北郡一円", "サンプル県北市北町2-3"},
    {"minami", "南警察署", "南市・南浜町", "サンプル県南市港通4-5"},
    {"higashi", "東警察署", "東市・東山村", "サンプル県東市旭町6-7"},
    {"nishi", "西警察署", "西市・西川町", "サンプル県西市栄町8-9"},
};

// Fictional names, handed out in order.
constexpr const char* kNames[] = {
    "佐藤 一郎", "鈴木 花子", "高橋 健",   "田中 美咲", "伊藤 誠",   "渡辺 陽子", "山本 大輔",
    "中村 由美", "小林 翔",   "加藤 恵",   "吉田 修",   "山田 彩",   "佐々木 学", "山口 真理",
    "松本 拓也", "井上 紀子", "木村 悟",   "林 舞",     "清水 剛",   "山崎 里奈", "森 浩二",
    "阿部 千尋", "池田 隆",   "橋本 香織", "山下 亮",   "石川 沙織", "中島 徹",   "前田 優子",
    "藤田 聡",   "小川 明美", "後藤 淳",   "岡田 瞳",   "長谷川 豊", "村上 綾",   "近藤 勇気",
    "石井 直子", "坂本 功",   "遠藤 薫",   "青木 純",   "藤井 愛",
};

class Builder {
 public:
  Builder(store::Session& s, Instant now) : s_(s), now_(now) {}

  Result<UnitId> unit(NewUnit u) { return create_unit(s_, u); }

  // Hires one person, grants `role` for each purpose on `scope` and records the demo entry.
  Result<PersonId> person(const std::string& login, UnitId unit, const std::string& unit_name,
                          const std::string& title, Role role, std::initializer_list<Purpose> purposes,
                          std::optional<UnitId> scope, const std::string& role_note = "") {
    std::string name = kNames[next_name_++ % std::size(kNames)];
    KOBAN_ASSIGN(PersonId id, hire(s_, {.login_name = login, .display_name = name, .kana = "",
                                        .unit_id = unit, .title = title,
                                        .email = login + "@police.example.jp"},
                                   now_));
    for (auto p : purposes)
      KOBAN_TRY(grant_role(s_, {.person = id, .purpose = p, .role = role, .unit = scope}, now_));
    std::string role_label = label(role);
    if (!role_note.empty()) role_label += "（" + role_note + "）";
    out_.push_back({login, name, role_label, unit_name});
    return id;
  }

  std::vector<DemoPerson> take() { return std::move(out_); }

 private:
  store::Session& s_;
  Instant now_;
  std::size_t next_name_ = 0;
  std::vector<DemoPerson> out_;
};

}  // namespace

Result<std::vector<DemoPerson>> fill_demo(store::Session& s, Instant now) {
  KOBAN_ASSIGN(auto existing, s.query("SELECT COUNT(*) FROM units"));
  if (existing.at(0).int64(0) > 0) return std::vector<DemoPerson>{};

  using P = Purpose;
  const auto all = {P::website, P::alerts, P::procedures, P::mailbox, P::social, P::administration};
  const auto unit_purposes = {P::website, P::alerts, P::procedures};
  // Unit heads also file their unit's administrative requests (ORG-12: access grants, mail
  // addresses, settings changes), which are administration-purpose requests.
  const auto head_purposes = {P::website, P::alerts, P::procedures, P::administration};
  Builder b(s, now);

  KOBAN_ASSIGN(UnitId root, b.unit({.kind = UnitKind::other, .code = "pref", .name = "サンプル県警察",
                                    .phone = "000-000-0110", .address = "サンプル県中央市本町1-1"}));
  int order = 10;
  std::vector<std::pair<UnitId, const Division*>> divisions;
  for (const auto& d : kDivisions) {
    KOBAN_ASSIGN(UnitId id, b.unit({.parent_id = root, .kind = UnitKind::hq_division, .code = d.code,
                                    .name = d.name, .phone = std::string("000-000-0110 内線") + d.phone_ext,
                                    .address = "サンプル県中央市本町1-1", .sort_order = order++}));
    divisions.emplace_back(id, &d);
  }
  KOBAN_ASSIGN(UnitId hq_desk, b.unit({.parent_id = root, .kind = UnitKind::duty_desk,
                                       .code = "honbu-toku", .name = "本部総合当直",
                                       .phone = "000-000-0110", .sort_order = order++}));

  // HQ: the overall manager and system administrator sit in 総務課; business owners head the
  // divisions the seeds name (website → 広報課, alerts → 生活安全企画課, procedures → 地域課 here).
  for (auto [id, d] : divisions) {
    std::string code = d->code;
    std::string login = code + ".kacho";
    PersonId head = 0;
    if (code == "somu") {
      KOBAN_ASSIGN(head, b.person(login, id, d->name, "総務課長", Role::overall_manager, all, std::nullopt));
      KOBAN_TRY(b.person("system.kanri", id, d->name, "情報管理係長", Role::system_admin, all, std::nullopt));
    } else if (code == "koho") {
      KOBAN_ASSIGN(head, b.person(login, id, d->name, "広報課長", Role::business_owner,
                                  {P::website, P::mailbox, P::social}, std::nullopt, "ホームページ・メールボックス・SNS"));
    } else if (code == "seian") {
      KOBAN_ASSIGN(head, b.person(login, id, d->name, "生活安全企画課長", Role::business_owner, {P::alerts},
                                  std::nullopt, "安全安心メール"));
    } else if (code == "chiiki") {
      KOBAN_ASSIGN(head, b.person(login, id, d->name, "地域課長", Role::business_owner, {P::procedures},
                                  std::nullopt, "電子申請"));
    } else {
      KOBAN_ASSIGN(head, b.person(login, id, d->name, std::string(d->name) + "長", Role::unit_manager,
                                  head_purposes, id));
    }
    KOBAN_ASSIGN(PersonId deputy, b.person(code + ".hosa", id, d->name, "課長補佐", Role::assistant,
                                           unit_purposes, id, "広報活動責任者"));
    KOBAN_TRY(set_unit_head(s, id, head));
    KOBAN_TRY(set_pr_lead(s, id, deputy));
  }
  KOBAN_ASSIGN(auto somu, find_unit_by_code(s, "somu"));
  KOBAN_TRY(b.person("honbu.tochoku", somu->id, "本部総合当直", "総合当直責任者", Role::duty_officer,
                     {P::alerts, P::mailbox, P::website}, hq_desk));

  for (const auto& st : kStations) {
    std::string code = st.code;
    KOBAN_ASSIGN(UnitId id, b.unit({.parent_id = root, .kind = UnitKind::station, .code = code,
                                    .name = st.name, .phone = "000-000-0110", .address = st.address,
                                    .jurisdiction = st.jurisdiction, .sort_order = order++}));
    KOBAN_ASSIGN(UnitId desk, b.unit({.parent_id = id, .kind = UnitKind::duty_desk,
                                      .code = code + "-toku", .name = std::string(st.name) + "当直",
                                      .sort_order = order++}));
    KOBAN_ASSIGN(PersonId head, b.person(code + ".shocho", id, st.name, "署長", Role::unit_manager,
                                         head_purposes, id));
    KOBAN_ASSIGN(PersonId deputy, b.person(code + ".fukushocho", id, st.name, "副署長", Role::assistant,
                                           unit_purposes, id, "広報活動責任者"));
    KOBAN_TRY(b.person(code + ".tochoku", id, st.name, "当直責任者", Role::duty_officer,
                       {P::alerts, P::procedures}, desk));
    KOBAN_TRY(b.person(code + ".tanto", id, st.name, "生活安全課員", Role::staff, unit_purposes, id));
    KOBAN_TRY(set_unit_head(s, id, head));
    KOBAN_TRY(set_pr_lead(s, id, deputy));
  }
  return b.take();
}

}  // namespace koban::org

#include "mailbox/mailbox_demo.h"

#include "mailbox/mailbox.h"
#include "mailbox/reply_templates.h"
#include "org/people.h"
#include "org/roles.h"
#include "org/units.h"

namespace koban::mailbox {
namespace {

struct DemoMessage {
  int days_ago;
  int hour;  // JST; 10 lands in office hours on a business day, 22 never does
  Kind kind;
  const char* text;
  const char* name;
  const char* contact;
  const char* handling;  // "", "assign", "answer", "close"
};

// Fictional residents and events; the addresses use example domains (RFC 2606).
constexpr DemoMessage kMessages[] = {
    {13, 10, Kind::opinion, "駅前の交番の方が道案内をとても丁寧にしてくださいました。ありがとうございました。", "山田 太郎",
     "taro.yamada@example.jp", "close"},
    {12, 22, Kind::request, "通学路の交差点で朝の見守りを増やしてほしいです。横断歩道の信号が短く、子どもが走って渡っています。", "",
     "", "assign"},
    {11, 10, Kind::complaint, "夜中にパトカーのサイレンが何度も鳴ってうるさかったです。必要なときだけにしてほしい。", "匿名希望",
     "090-1234-5678", "assign"},
    {10, 22, Kind::information, "中央公園の駐車場で、深夜に若者が集まって花火をしています。近所の人が困っています。", "",
     "neighbor@example.com", "answer"},
    {9, 10, Kind::opinion, "安全安心メールの防犯情報が役に立っています。地域ごとに選べるのがよいと思います。", "佐藤 花子",
     "hanako@example.net", "answer"},
    {8, 22, Kind::information, "もう死にたいです。誰にも相談できません。", "", "", ""},
    {7, 10, Kind::request, "運転免許の更新の案内を、ホームページでもっと分かりやすく書いてほしいです。", "高橋 一",
     "hajime@example.org", "close"},
    {6, 22, Kind::complaint, "電話で相談したとき、担当の方の説明が分かりにくかったです。", "", "", ""},
    {5, 10, Kind::information, "北市の空き家に、知らない人が出入りしているのを何度か見ました。", "", "", "assign"},
    {3, 22, Kind::information, "ネットの掲示板に、駅を爆破するという書き込みがありました。URLは書けませんが確認してください。", "",
     "", ""},
    {2, 10, Kind::opinion, "交通安全教室に参加しました。子どもたちが楽しそうでした。", "伊藤 美咲", "", ""},
    {1, 22, Kind::request, "夜間に相談できる窓口の電話番号をホームページのトップに載せてください。", "", "request@example.jp", ""},
};

Result<Who> who_for(store::Session& s, const char* login) {
  KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
  if (!p) return Error::not_found(std::string("demo person ") + login);
  KOBAN_ASSIGN(auto actor, org::load_actor(s, p->id));
  KOBAN_ASSIGN(auto unit, org::get_unit(s, p->unit_id));
  return Who{.actor = std::move(actor), .unit_name = unit.name, .address = ""};
}

}  // namespace

Result<int> fill_demo_mailbox(store::Session& s, const Mailbox& box, Instant now) {
  KOBAN_ASSIGN(auto existing, s.query("SELECT COUNT(*) FROM mailbox_messages"));
  if (existing.at(0).int64(0) > 0) return 0;

  // The PR division's deputy handles the PR queue beside its head.
  KOBAN_ASSIGN(auto koho, org::find_unit_by_code(s, box.settings().pr_unit_code));
  KOBAN_ASSIGN(auto hosa, org::find_person_by_login(s, "koho.hosa"));
  if (koho && hosa) {
    auto g = org::grant_role(s, {.person = hosa->id, .purpose = org::Purpose::mailbox, .role = org::Role::staff,
                                 .unit = koho->id},
                             now);
    if (!g && g.error().code != ErrorCode::conflict) return g.error();
  }
  KOBAN_ASSIGN(Who pr, who_for(s, "koho.kacho"));
  KOBAN_ASSIGN(Who duty, who_for(s, "honbu.tochoku"));

  int added = 0;
  const Date today = to_jst(now).date;
  for (const auto& d : kMessages) {
    const Instant at = from_jst({today.plus_days(-d.days_ago), d.hour, 5 + added, 0});
    KOBAN_ASSIGN(auto r, box.submit(s, {.kind = d.kind, .text = d.text, .name = d.name, .contact = d.contact,
                                        .consent = true},
                                    at));
    ++added;
    const Who& who = r.queue == Queue::pr ? pr : duty;
    const Instant later = at + std::chrono::hours(1);
    const std::string h = d.handling;
    if (h.empty()) continue;
    KOBAN_ASSIGN(auto members, box.members(s, r.queue));
    if (!members.empty()) {
      KOBAN_TRY(box.assign(s, who, r.id, members.back().person, later));
    }
    KOBAN_TRY(box.add_note(s, who, r.id, "内容を確認しました。関係部署に共有します。", later));
    if (h == "answer" || (h == "close" && std::string(d.contact).find('@') != std::string::npos)) {
      const auto* tpl = find_reply_template(h == "answer" ? "answer" : "thanks");
      std::string body(tpl->body);
      if (h == "answer") {
        const std::string marker = "（ここに回答を書いてください）";
        body.replace(body.find(marker), marker.size(), "ご指摘の場所については、付近の警察署と連携してパトロールを強化しています。");
      }
      KOBAN_TRY(box.reply(s, who, r.id, tpl->key, body, later + std::chrono::minutes(30)));
    }
    if (h == "close") {
      KOBAN_TRY(box.close(s, who, r.id, later + std::chrono::hours(2)));
    }
  }
  return added;
}

}  // namespace koban::mailbox

#include "site/articles/articles.h"

#include <algorithm>

#include "audit/audit_log.h"
#include "core/text.h"
#include "http/forms/utf8.h"
#include "org/permissions.h"
#include "org/units.h"
#include "site/articles/article_rows.h"
#include "site/sections.h"

namespace koban::site::articles {
namespace {

// Plain text a person typed on one line: valid UTF-8, no control characters, a length limit.
void check_line(std::vector<std::string>& errors, const char* field, std::string_view v, std::size_t max_chars,
                bool required, bool allow_breaks = false) {
  if (!http::forms::is_valid_utf8(v)) {
    errors.push_back(std::string(field) + "に読み取れない文字があります。");
    return;
  }
  if (required && strip(v).empty()) errors.push_back(std::string(field) + "を入力してください。");
  if (http::forms::utf8_length(v) > max_chars)
    errors.push_back(std::string(field) + "は" + std::to_string(max_chars) + "文字以内で入力してください。");
  for (unsigned char c : v)
    if ((c < 0x20 && !(allow_breaks && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f) {
      errors.push_back(std::string(field) + "に使えない制御文字が含まれています。");
      break;
    }
}

}  // namespace

const char* pub_state_label(std::string_view s) {
  if (s == "none") return "未公開";
  if (s == "scheduled") return "公開予約";
  if (s == "published") return "公開中";
  if (s == "closed") return "公開終了";
  if (s == "deleted") return "削除済み";
  return "";
}

const char* work_state_label(std::string_view s) {
  if (s == "none") return "—";
  if (s == "draft") return "下書き";
  if (s == "review") return "審査中";
  if (s == "approved") return "承認済み（公開待ち）";
  return "";
}

bool valid_list_state(std::string_view s) {
  return s == "draft" || s == "review" || s == "approved" || s == "scheduled" || s == "published" ||
         s == "closed" || s == "deleted";
}

Result<void> validate_input(store::Session& s, const Settings& st, const ArticleInput& in) {
  std::vector<std::string> errors;
  check_line(errors, "タイトル", in.title, st.max_title_chars, true);
  check_line(errors, "問い合わせ先", in.contact, st.max_contact_chars, true, true);
  check_line(errors, "変更の要約", in.summary, st.max_summary_chars, false);
  if (strip(in.body).empty()) errors.push_back("本文を入力してください。");
  auto rendered = markdown::render(in.body, st.checks.render);
  if (!rendered) errors.push_back("本文: " + rendered.error().message);
  const auto* sec = find_section(in.section);
  if (!sec) {
    errors.push_back("掲載する項目を選んでください。");
  } else if (sec->slug == kStationsSection) {
    if (!in.station_id) errors.push_back("「警察署」の記事は警察署を選んでください。");
  } else if (!find_topic(in.section, in.topic)) {
    errors.push_back("「" + std::string(sec->name) + "」の中の分類を選んでください。");
  }
  if (in.station_id) {
    auto u = org::get_unit(s, *in.station_id);
    if (!u || u->kind != org::UnitKind::station) errors.push_back("警察署の選択が正しくありません。");
  }
  if (in.publish_start && in.publish_end && *in.publish_end <= *in.publish_start)
    errors.push_back("公開期限は公開開始より後の日時にしてください。");
  if (errors.empty()) return ok();
  std::string m;
  for (const auto& e : errors) m += (m.empty() ? "" : "\n") + e;
  return Error::invalid(m);
}

Result<Saved> save_article(store::Session& s, const Settings& st, const ArticleInput& in,
                           const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  std::optional<Article> existing;
  org::UnitId unit = in.unit_id.value_or(actor.unit);
  if (in.article_id) {
    KOBAN_ASSIGN(existing, get_article(s, *in.article_id));
    unit = existing->unit_id;
  }
  KOBAN_TRY(org::require(actor, org::Purpose::website, org::Action::write, unit));
  if (existing) {
    if (existing->pub_state == "deleted") return Error::conflict("削除済みの記事は編集できません。");
    if (existing->work_state == "review" || existing->work_state == "approved")
      return Error::conflict("公開・削除の依頼中は編集できません。依頼を取り下げるか、差戻しを待ってください。");
  }
  KOBAN_TRY(validate_input(s, st, in));
  const std::string section = in.section;
  const std::string topic = section == kStationsSection ? "" : in.topic;
  ArticleId id = 0;
  if (existing) {
    id = existing->id;
  } else {
    KOBAN_ASSIGN(auto rows, s.query("INSERT INTO articles (unit_id, title, section, topic, station_id, created_by,"
                                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    unit, in.title, section, topic, in.station_id, by.person, to_unix(now),
                                    to_unix(now)));
    id = rows.at(0).int64(0);
  }
  KOBAN_ASSIGN(auto max, s.query("SELECT COALESCE(MAX(version_no), 0) FROM article_versions WHERE article_id = ?", id));
  const int no = static_cast<int>(max.at(0).int64(0)) + 1;
  std::optional<std::int64_t> start, end;
  if (in.publish_start) start = to_unix(*in.publish_start);
  if (in.publish_end) end = to_unix(*in.publish_end);
  std::string summary = strip(in.summary);
  if (summary.empty()) summary = existing ? "更新" : "新規作成";
  KOBAN_ASSIGN(auto vrows, s.query("INSERT INTO article_versions (article_id, version_no, title, body, section, topic,"
                                   " station_id, publish_start, publish_end, contact, summary, created_by, created_at)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                   id, no, in.title, in.body, section, topic, in.station_id, start, end,
                                   in.contact, summary, by.person, to_unix(now)));
  const VersionId vid = vrows.at(0).int64(0);
  KOBAN_TRY(s.exec("UPDATE articles SET title = ?, section = ?, topic = ?, station_id = ?, latest_version_id = ?,"
                   " work_state = 'draft', updated_at = ? WHERE id = ?",
                   in.title, section, topic, in.station_id, vid, to_unix(now), id));
  KOBAN_TRY(audit_article(s, by, existing ? "save" : "create", id, "第" + std::to_string(no) + "版: " + summary, now));
  return Saved{id, vid, no};
}

Result<Saved> restore_version(store::Session& s, const Settings& st, ArticleId article, VersionId version,
                              const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto v, get_version(s, version));
  if (v.article_id != article) return Error::not_found("この記事の版ではありません。");
  ArticleInput in{.article_id = article, .title = v.title, .body = v.body, .section = v.section,
                  .topic = v.topic, .station_id = v.station_id, .publish_start = v.publish_start,
                  .publish_end = v.publish_end, .contact = v.contact,
                  .summary = "第" + std::to_string(v.version_no) + "版を復元"};
  KOBAN_ASSIGN(auto saved, save_article(s, st, in, by, now));
  KOBAN_TRY(s.exec("UPDATE article_versions SET restored_from = ? WHERE id = ?", v.version_no, saved.version_id));
  return saved;
}

Result<Article> get_article(store::Session& s, ArticleId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kArticleColumns + " FROM articles WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("記事が見つかりません。");
  return article_from_row(rows[0]);
}

Result<Version> get_version(store::Session& s, VersionId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kVersionColumns + " FROM article_versions WHERE id = ?", id));
  if (rows.empty()) return Error::not_found("記事の版が見つかりません。");
  return version_from_row(rows[0]);
}

Result<std::vector<Version>> versions_of(store::Session& s, ArticleId id) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kVersionColumns +
                                      " FROM article_versions WHERE article_id = ? ORDER BY version_no DESC LIMIT 1000",
                                  id));
  std::vector<Version> out;
  for (const auto& r : rows) out.push_back(version_from_row(r));
  return out;
}

Result<std::vector<Article>> list_articles(store::Session& s, const ListFilter& f,
                                           const std::optional<std::vector<org::UnitId>>& units_visible) {
  std::string sql = std::string("SELECT ") + kArticleColumns + " FROM articles WHERE 1 = 1";
  std::vector<store::Value> params;
  if (f.state) {
    if (!valid_list_state(*f.state)) return Error::invalid("状態の指定が正しくありません。");
    const bool work = *f.state == "draft" || *f.state == "review" || *f.state == "approved";
    sql += work ? " AND work_state = ?" : " AND pub_state = ?";
    params.emplace_back(*f.state);
  }
  if (f.section) {
    sql += " AND section = ?";
    params.emplace_back(*f.section);
  }
  if (f.unit) {
    sql += " AND unit_id = ?";
    params.emplace_back(*f.unit);
  }
  if (f.before_id) {
    sql += " AND id < ?";
    params.emplace_back(*f.before_id);
  }
  if (units_visible) {
    if (units_visible->empty()) return std::vector<Article>{};
    if (units_visible->size() > 5000) return Error::internal("too many units");
    sql += " AND unit_id IN (";
    for (std::size_t i = 0; i < units_visible->size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back((*units_visible)[i]);
    }
    sql += ")";
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(std::int64_t{std::clamp(f.limit, 1, 200)});
  KOBAN_ASSIGN(auto rows, s.query_values(sql, params));
  std::vector<Article> out;
  for (const auto& r : rows) out.push_back(article_from_row(r));
  return out;
}

}  // namespace koban::site::articles

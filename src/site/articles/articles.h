// Articles of the public website (issue 5 item 4; SITE-2): records, versions and files.
// Every save is a new version (who, when, summary); nothing in article_versions is ever
// changed. An article's newest version is what the writers work on; its live version is what
// the public sees. Editing a published article therefore makes a replacement draft and the
// live version stays until the replacement is approved and published (article_flow.h).
//
//   site::articles::Settings st;                         // limits, upload dir, checks
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto saved, articles::save_article(s, st, {.title = "年末の特別警戒",
//                  .body = "# 概要\n...", .section = "safety", .topic = "prevention",
//                  .contact = "生活安全課 000-000-0110", .summary = "初稿"}, by, now));
//     return ok();                                       // saved.article_id, saved.version_id
//   });
//   articles::restore_version(s, st, article_id, old_version_id, by, now);  // a new version
//   articles::list_articles(s, {.state = "published", .section = "safety"}, visible_units);
//
// Who may do what: saving and restoring need org::can(website, write) on the article's unit
// (a new article: the writer's own unit). Refusals are Errors with Japanese messages and
// write nothing (the caller rolls back and audits the refusal).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar/business_calendar.h"
#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "site/checks/article_checks.h"
#include "site/markdown/markdown.h"
#include "store/database.h"
#include "workflow/engine.h"

namespace koban::site::articles {

using ArticleId = std::int64_t;
using VersionId = std::int64_t;

struct Settings {
  calendar::BusinessCalendar calendar{};   // the unit head's step (duty hours, stand-ins)
  std::string reviewer_unit_code = "koho";  // 広報課: reviews (SITE-4) and publishes (SITE-6)
  std::filesystem::path upload_dir = "data/uploads";  // DATA/uploads
  std::uint64_t max_image_bytes = 5 * 1024 * 1024;
  std::uint64_t max_pdf_bytes = 20 * 1024 * 1024;
  std::size_t max_files_per_article = 50;
  std::size_t max_title_chars = 100;
  std::size_t max_contact_chars = 500;
  std::size_t max_summary_chars = 200;
  std::size_t max_alt_chars = 200;
  checks::CheckOptions checks{};  // its render options also bound the body
};

// The public side and the way of the newest version (stored in articles.pub_state/work_state).
// pub_state: none | scheduled | published | closed | deleted
// work_state: none (nothing new to publish) | draft | review (request under way) | approved
const char* pub_state_label(std::string_view s);   // 未公開, 公開予約, 公開中, 公開終了, 削除済み
const char* work_state_label(std::string_view s);  // —, 下書き, 審査中, 承認済み（公開待ち）

struct Article {
  ArticleId id = 0;
  org::UnitId unit_id = 0;
  std::string title, section, topic;
  std::optional<org::UnitId> station_id;
  std::string pub_state = "none";
  std::string work_state = "draft";
  std::optional<VersionId> latest_version_id, live_version_id, scheduled_version_id, pending_version_id;
  std::optional<workflow::RequestId> request_id;  // the current publication / deletion request
  std::string request_kind;                       // "site.publish" | "site.delete" | ""
  org::PersonId created_by = 0;
  Instant created_at{}, updated_at{};
  std::optional<Instant> published_at, closed_at;
  // A replacement draft of a published article.
  bool has_replacement() const { return live_version_id && latest_version_id != live_version_id; }
};

struct Version {
  VersionId id = 0;
  ArticleId article_id = 0;
  int version_no = 0;
  std::string title, body, section, topic;
  std::optional<org::UnitId> station_id;
  std::optional<Instant> publish_start, publish_end;  // 公開開始, 公開期限
  std::string contact;
  std::string summary;              // what this save changed
  std::optional<int> restored_from;  // version_no restored
  org::PersonId created_by = 0;
  Instant created_at{};
};

struct ArticleInput {
  std::optional<ArticleId> article_id{};  // nullopt: a new article
  std::optional<org::UnitId> unit_id{};   // new articles: the owning unit (default: the writer's)
  std::string title{}, body{}, section{}, topic{};
  std::optional<org::UnitId> station_id{};
  std::optional<Instant> publish_start{}, publish_end{};
  std::string contact{};
  std::string summary{};
};

struct Saved {
  ArticleId article_id = 0;
  VersionId version_id = 0;
  int version_no = 0;
};

// Checks what a writer typed: every problem, one Japanese line each (joined by '\n' in the
// invalid_argument message). Includes Markdown errors (invalid UTF-8, too large ...), unknown
// section or topic, a station that is not a police station, end before start.
Result<void> validate_input(store::Session& s, const Settings& st, const ArticleInput& in);

Result<Saved> save_article(store::Session& s, const Settings& st, const ArticleInput& in,
                           const workflow::By& by, Instant now);
// A new version with the content of version_id (summary "第N版を復元").
Result<Saved> restore_version(store::Session& s, const Settings& st, ArticleId article, VersionId version,
                              const workflow::By& by, Instant now);

Result<Article> get_article(store::Session& s, ArticleId id);
Result<Version> get_version(store::Session& s, VersionId id);
// Newest first.
Result<std::vector<Version>> versions_of(store::Session& s, ArticleId id);

struct ListFilter {
  std::optional<std::string> state{};  // draft review approved (work) | scheduled published closed deleted (pub)
  std::optional<std::string> section{};
  std::optional<org::UnitId> unit{};
  std::optional<ArticleId> before_id{};  // keyset paging: ids below this
  int limit = 50;                         // 1..200
};
bool valid_list_state(std::string_view s);
// Newest first. units_visible nullopt = every unit.
Result<std::vector<Article>> list_articles(store::Session& s, const ListFilter& f,
                                           const std::optional<std::vector<org::UnitId>>& units_visible);

// Files (article_files.cc) -----------------------------------------------------------------

struct File {
  std::int64_t id = 0;
  ArticleId article_id = 0;
  std::string kind;         // "image" | "pdf"
  std::string sha256;       // hex
  std::string stored_name;  // "<sha256>.png"
  std::string original_name;
  std::string media_type;   // image/png, image/jpeg, image/gif, image/webp, application/pdf
  std::uint64_t size = 0;
  std::string alt;          // images: the alternative text (required); PDFs: the link text
  Instant created_at{};
  std::string url() const { return "/uploads/" + stored_name; }
};

struct FileUpload {
  std::filesystem::path path;  // the uploaded temp file (copied; the caller removes it)
  std::string original_name;
  std::string alt;
};

// Sniffs the first bytes: image/png, image/jpeg, image/gif, image/webp, application/pdf, or "".
std::string sniff_media_type(std::string_view head);

// Checks the magic bytes (the name and the declared type are not trusted) and the size limit,
// stores the file as DATA/uploads/<sha256>.<ext> (same content, same file) and records it.
// Needs write on the article's unit. invalid_argument / too_large with Japanese messages.
Result<File> add_file(store::Session& s, const Settings& st, ArticleId article, const FileUpload& up,
                      const workflow::By& by, Instant now);
Result<std::vector<File>> files_of(store::Session& s, ArticleId article);

// Rendering and checks of one version, with the article's images as the only allowed images.
markdown::RenderOptions render_options(const Settings& st, const std::vector<File>& files);
Result<markdown::Rendered> render_version(const Settings& st, const Version& v, const std::vector<File>& files);
std::vector<checks::Finding> check_version(const Settings& st, const Version& v, const std::vector<File>& files);

}  // namespace koban::site::articles

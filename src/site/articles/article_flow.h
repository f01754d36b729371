// Publication and deletion of articles through the approval engine (issue 5 item 5;
// SITE-2..6): kind "site.publish" (記事公開依頼, 様式1) and "site.delete" (記事削除依頼), both
// with the chain {unit head or stand-in (website), 広報課 review}. Pre-publication checks
// (site/checks) block the review step until every blocking finding is overridden with a reason
// (kept in article_overrides). On carrying out (広報課, SITE-6) the version goes live, or is
// scheduled when its start is in the future: a job at the start publishes it, a job at the end
// (公開期限) closes it.
//
//   KOBAN_TRY(articles::register_article_kinds(kinds, settings));     // at start-up
//   articles::request_publication(s, kinds, st, id, by, now);          // the newest version
//   articles::approve_article(s, kinds, st, id, by, {.comment = "", .overrides = {...}}, now);
//   articles::remand_article(s, kinds, id, by, "写真を差し替えてください", now);
//   articles::carry_out_article(s, kinds, st, hooks, id, by_koho, now);        // live or scheduled
//   articles::register_article_jobs(worker, db, st, hooks, clock);    // site.publish_due/close_due
//
// Hooks run after the transaction commits (store::Session::after_commit), so the static output
// (another part) only ever sees committed state.
#pragma once

#include <functional>

#include "site/articles/articles.h"
#include "store/jobs.h"
#include "store/worker.h"
#include "workflow/kinds.h"

namespace koban::site::articles {

inline constexpr const char* kPublishKind = "site.publish";
inline constexpr const char* kDeleteKind = "site.delete";
inline constexpr const char* kPublishDueJob = "site.publish_due";
inline constexpr const char* kCloseDueJob = "site.close_due";

struct Hooks {
  std::function<void(ArticleId)> on_published;  // a version went live (or replaced the live one)
  std::function<void(ArticleId)> on_closed;     // the article left the public site
};

Result<void> register_article_kinds(workflow::KindRegistry& kinds, const Settings& st);

// The newest version, for publication: needs submit on the article's unit, a version not yet
// live, a body that renders, an end (公開期限) still in the future. A remanded request is sent
// again (a new round), otherwise a new request is made.
Result<workflow::RequestId> request_publication(store::Session& s, const workflow::KindRegistry& kinds,
                                                const Settings& st, ArticleId id, const workflow::By& by,
                                                Instant now);
// Deletion of a published or scheduled article (SITE-5).
Result<workflow::RequestId> request_deletion(store::Session& s, const workflow::KindRegistry& kinds,
                                             ArticleId id, const workflow::By& by, std::string reason,
                                             Instant now);

struct Override {
  std::string code;  // the finding's code
  int line = 0;      // and line
  std::string reason;
};
struct Review {
  std::string comment{};
  std::vector<Override> overrides{};  // the review step of a publication: one per blocking finding
};

// The open step of the article's request. At the 広報課 step of a publication every blocking
// finding of the pending version needs an override with a reason (invalid_argument otherwise,
// listing them); the overrides are recorded with the approval.
Result<void> approve_article(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st, ArticleId id,
                     const workflow::By& by, const Review& review, Instant now);
Result<void> remand_article(store::Session& s, const workflow::KindRegistry& kinds, ArticleId id, const workflow::By& by,
                    std::string comment, Instant now);
Result<void> withdraw_article(store::Session& s, const workflow::KindRegistry& kinds, ArticleId id, const workflow::By& by,
                      Instant now);
// Whether the person may carry out (publish/delete): website publish on the reviewer unit.
Result<bool> may_carry_out(store::Session& s, const Settings& st, org::PersonId person);
// 広報課 carries out an approved request: publication (now or scheduled) or deletion.
Result<void> carry_out_article(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                       const Hooks& hooks, ArticleId id, const workflow::By& by, Instant now);

// The job handlers' work, for tests and `koban worker`: publish a scheduled version whose start
// has come, close a live version whose end has come. Stale jobs (the version changed) do nothing.
Result<void> publish_due(store::Session& s, const Hooks& hooks, ArticleId id, VersionId version, Instant now);
Result<void> close_due(store::Session& s, const Hooks& hooks, ArticleId id, VersionId version, Instant now);
void register_article_jobs(store::Worker& worker, store::Database& db, const Hooks& hooks, const Clock& clock);

struct OverrideRecord {
  VersionId version_id = 0;
  workflow::RequestId request_id = 0;
  std::string code, message, excerpt, reason;
  int line = 0;
  org::PersonId person = 0;
  Instant at{};
};
Result<std::vector<OverrideRecord>> overrides_of(store::Session& s, ArticleId id);

}  // namespace koban::site::articles

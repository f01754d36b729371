#include "site/articles/article_flow.h"

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "http/forms/utf8.h"
#include "org/permissions.h"
#include "org/units.h"
#include "site/articles/article_rows.h"
#include "workflow/approver_rules.h"

namespace koban::site::articles {
namespace {

constexpr std::size_t kMaxReasonChars = 500;

// The newest version has nothing new to publish when it is what is live or scheduled.
const char* idle_work_state(const Article& a) {
  return a.latest_version_id == a.live_version_id || a.latest_version_id == a.scheduled_version_id ? "none"
                                                                                                  : "draft";
}

Result<void> set_work_state(store::Session& s, ArticleId id, const char* st, Instant now) {
  KOBAN_TRY(s.exec("UPDATE articles SET work_state = ?, updated_at = ? WHERE id = ?", st, to_unix(now), id));
  return ok();
}

Result<workflow::Request> open_request(store::Session& s, const Article& a) {
  if (!a.request_id) return Error::conflict("この記事には依頼がありません。");
  return workflow::get_request(s, *a.request_id);
}

std::string payload(ArticleId id, VersionId v) {
  return nlohmann::json{{"article_id", id}, {"version_id", v}}.dump();
}

Result<void> make_live(store::Session& s, const Hooks& hooks, const Article& a, const Version& v, Instant now) {
  KOBAN_TRY(s.exec("UPDATE articles SET live_version_id = ?, scheduled_version_id = NULL, pub_state = 'published',"
                   " published_at = ?, closed_at = NULL, updated_at = ? WHERE id = ?",
                   v.id, to_unix(now), to_unix(now), a.id));
  if (v.publish_end)
    KOBAN_TRY(store::enqueue(s, {.kind = kCloseDueJob, .payload = payload(a.id, v.id), .run_at = *v.publish_end,
                                 .dedupe_key = std::string(kCloseDueJob) + ":" + std::to_string(v.id)},
                             now));
  KOBAN_TRY(audit_article(s, {}, "published", a.id, "第" + std::to_string(v.version_no) + "版を公開", now));
  if (hooks.on_published) s.after_commit([h = hooks.on_published, id = a.id] { h(id); });
  return ok();
}

Result<void> close_article(store::Session& s, const Hooks& hooks, const Article& a, const char* state,
                           const std::string& summary, Instant now) {
  KOBAN_TRY(s.exec("UPDATE articles SET pub_state = ?, scheduled_version_id = NULL, closed_at = ?, updated_at = ?"
                   " WHERE id = ?",
                   state, to_unix(now), to_unix(now), a.id));
  KOBAN_TRY(audit_article(s, {}, std::string(state) == "deleted" ? "deleted" : "closed", a.id, summary, now));
  if (hooks.on_closed) s.after_commit([h = hooks.on_closed, id = a.id] { h(id); });
  return ok();
}

}  // namespace

Result<void> register_article_kinds(workflow::KindRegistry& kinds, const Settings& st) {
  auto chain = [&] {
    return std::vector<workflow::ChainStep>{
        {"unit_head", workflow::unit_head_or_stand_in(org::Purpose::website, st.calendar)},
        {"hq_review", workflow::hq_reviewer(org::Purpose::website, st.reviewer_unit_code)}};
  };
  KOBAN_TRY(kinds.add({.kind = kPublishKind, .label = "記事公開依頼", .purpose = org::Purpose::website,
                       .chain = chain()}));
  return kinds.add({.kind = kDeleteKind, .label = "記事削除依頼", .purpose = org::Purpose::website,
                    .chain = chain()});
}

Result<workflow::RequestId> request_publication(store::Session& s, const workflow::KindRegistry& kinds,
                                                const Settings& st, ArticleId id, const workflow::By& by,
                                                Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  if (a.pub_state == "deleted") return Error::conflict("削除済みの記事です。");
  if (a.work_state == "review" || a.work_state == "approved") return Error::conflict("すでに依頼中です。");
  if (!a.latest_version_id || a.latest_version_id == a.live_version_id ||
      a.latest_version_id == a.scheduled_version_id)
    return Error::conflict("公開を依頼する新しい版がありません。記事を編集してから依頼してください。");
  KOBAN_ASSIGN(auto v, get_version(s, *a.latest_version_id));
  KOBAN_ASSIGN(auto files, files_of(s, id));
  if (auto r = render_version(st, v, files); !r) return Error::invalid("本文: " + r.error().message);
  if (v.publish_end && *v.publish_end <= now) return Error::invalid("公開期限が過ぎています。公開期限を直してください。");
  const std::string title = "記事公開依頼: " + v.title;
  workflow::RequestId rid = 0;
  std::optional<workflow::Request> prev;
  if (a.request_id) {
    KOBAN_ASSIGN(prev, workflow::get_request(s, *a.request_id));
  }
  if (prev && prev->kind == kPublishKind && prev->state == workflow::RequestState::remanded) {
    rid = prev->id;  // sent again after the remand: a new round of the same request
  } else {
    KOBAN_ASSIGN(rid, workflow::create_draft(s, kinds, {.kind = kPublishKind, .object_type = "article",
                                                        .object_id = std::to_string(id), .unit_id = a.unit_id,
                                                        .title = title},
                                             by, now));
  }
  KOBAN_TRY(workflow::submit(s, kinds, rid, by, now));
  KOBAN_TRY(s.exec("UPDATE articles SET request_id = ?, request_kind = ?, pending_version_id = ?,"
                   " work_state = 'review', updated_at = ? WHERE id = ?",
                   rid, kPublishKind, v.id, to_unix(now), id));
  return rid;
}

Result<workflow::RequestId> request_deletion(store::Session& s, const workflow::KindRegistry& kinds,
                                             ArticleId id, const workflow::By& by, std::string reason,
                                             Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  if (a.pub_state != "published" && a.pub_state != "scheduled")
    return Error::conflict("公開中または公開予約の記事だけ削除を依頼できます。");
  if (a.work_state == "review" || a.work_state == "approved") return Error::conflict("すでに依頼中です。");
  const std::string r = strip(reason);
  if (r.empty() || !http::forms::is_valid_utf8(r) || http::forms::utf8_length(r) > kMaxReasonChars)
    return Error::invalid("削除の理由を500文字以内で入力してください。");
  KOBAN_ASSIGN(auto rid, workflow::create_draft(s, kinds, {.kind = kDeleteKind, .object_type = "article",
                                                           .object_id = std::to_string(id), .unit_id = a.unit_id,
                                                           .title = "記事削除依頼: " + a.title + "（" + r + "）"},
                                                by, now));
  KOBAN_TRY(workflow::submit(s, kinds, rid, by, now));
  KOBAN_TRY(s.exec("UPDATE articles SET request_id = ?, request_kind = ?, pending_version_id = NULL,"
                   " work_state = 'review', updated_at = ? WHERE id = ?",
                   rid, kDeleteKind, to_unix(now), id));
  return rid;
}

Result<void> approve_article(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st, ArticleId id,
                     const workflow::By& by, const Review& review, Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  if (a.work_state != "review") return Error::conflict("審査中の依頼がありません。");
  KOBAN_ASSIGN(auto req, open_request(s, a));
  if (!req.current_step) return Error::conflict("審査中の依頼がありません。");
  KOBAN_ASSIGN(auto step, workflow::get_step(s, *req.current_step));
  if (req.kind == kPublishKind && step.rule_name == "hq_review" && a.pending_version_id) {
    KOBAN_ASSIGN(auto v, get_version(s, *a.pending_version_id));
    KOBAN_ASSIGN(auto files, files_of(s, id));
    const auto findings = check_version(st, v, files);
    std::vector<std::string> missing;
    std::vector<std::pair<const checks::Finding*, std::string>> kept;
    for (const auto& f : findings) {
      if (f.severity != checks::Severity::block) continue;
      const Override* o = nullptr;
      for (const auto& x : review.overrides)
        if (x.code == f.code && x.line == f.line) o = &x;
      const std::string reason = o ? strip(o->reason) : "";
      if (reason.empty() || !http::forms::is_valid_utf8(reason) || http::forms::utf8_length(reason) > kMaxReasonChars) {
        missing.push_back((f.line ? std::to_string(f.line) + "行目: " : std::string("タイトル: ")) + f.message);
        continue;
      }
      kept.emplace_back(&f, reason);
    }
    if (!missing.empty()) {
      std::string m = "公開前チェックで止まっている項目があります。差し戻して直してもらうか、項目ごとに理由を書いて承認してください。";
      for (const auto& x : missing) m += "\n" + x;
      return Error::invalid(m);
    }
    // Decide first (the engine checks that this person may), then keep the overrides with it.
    KOBAN_TRY(workflow::approve(s, kinds, req.id, by, review.comment, now));
    for (const auto& [f, reason] : kept)
      KOBAN_TRY(s.exec("INSERT INTO article_overrides (article_id, version_id, request_id, code, line, message, excerpt,"
                       " reason, person_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       id, v.id, req.id, f->code, f->line, f->message, f->excerpt, reason, by.person, to_unix(now)));
    if (!kept.empty())
      KOBAN_TRY(audit_article(s, by, "override", id, std::to_string(kept.size()) + "件のチェック結果を理由付きで承認", now));
  } else {
    KOBAN_TRY(workflow::approve(s, kinds, req.id, by, review.comment, now));
  }
  KOBAN_ASSIGN(auto after, workflow::get_request(s, req.id));
  if (after.state == workflow::RequestState::approved) KOBAN_TRY(set_work_state(s, id, "approved", now));
  return ok();
}

Result<void> remand_article(store::Session& s, const workflow::KindRegistry& kinds, ArticleId id, const workflow::By& by,
                    std::string comment, Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  if (a.work_state != "review") return Error::conflict("審査中の依頼がありません。");
  KOBAN_ASSIGN(auto req, open_request(s, a));
  KOBAN_TRY(workflow::remand(s, kinds, req.id, by, std::move(comment), now));
  return set_work_state(s, id, idle_work_state(a), now);
}

Result<void> withdraw_article(store::Session& s, const workflow::KindRegistry& kinds, ArticleId id, const workflow::By& by,
                      Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  KOBAN_ASSIGN(auto req, open_request(s, a));
  KOBAN_TRY(workflow::withdraw(s, kinds, req.id, by, now));
  return set_work_state(s, id, idle_work_state(a), now);
}

Result<bool> may_carry_out(store::Session& s, const Settings& st, org::PersonId person) {
  KOBAN_ASSIGN(auto unit, org::find_unit_by_code(s, st.reviewer_unit_code));
  if (!unit) return false;
  KOBAN_ASSIGN(auto actor, org::load_actor(s, person));
  return org::can(actor, org::Purpose::website, org::Action::publish, unit->id);
}

Result<void> carry_out_article(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                       const Hooks& hooks, ArticleId id, const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  if (a.work_state != "approved") return Error::conflict("承認済みの依頼がありません。");
  KOBAN_ASSIGN(bool koho, may_carry_out(s, st, by.person));
  if (!koho) return Error::denied("記事の公開・削除は広報課が行います。");
  KOBAN_ASSIGN(auto req, open_request(s, a));
  KOBAN_TRY(workflow::carry_out(s, kinds, req.id, by, now));
  if (req.kind == kDeleteKind) {
    KOBAN_TRY(close_article(s, hooks, a, "deleted", "削除依頼により削除", now));
    return set_work_state(s, id, "none", now);
  }
  if (!a.pending_version_id) return Error::internal("publication request without a version");
  KOBAN_ASSIGN(auto v, get_version(s, *a.pending_version_id));
  if (v.publish_end && *v.publish_end <= now) return Error::conflict("公開期限を過ぎているため公開できません。");
  KOBAN_TRY(s.exec("UPDATE articles SET work_state = 'none', pending_version_id = NULL WHERE id = ?", id));
  if (v.publish_start && *v.publish_start > now) {
    // Scheduled: the live version (if any) stays until the start.
    KOBAN_TRY(s.exec("UPDATE articles SET scheduled_version_id = ?, pub_state = CASE WHEN live_version_id IS NULL"
                     " OR pub_state <> 'published' THEN 'scheduled' ELSE pub_state END, updated_at = ? WHERE id = ?",
                     v.id, to_unix(now), id));
    KOBAN_TRY(store::enqueue(s, {.kind = kPublishDueJob, .payload = payload(id, v.id), .run_at = *v.publish_start,
                                 .dedupe_key = std::string(kPublishDueJob) + ":" + std::to_string(v.id)},
                             now));
    return audit_article(s, by, "scheduled", id, "第" + std::to_string(v.version_no) + "版を公開予約", now);
  }
  return make_live(s, hooks, a, v, now);
}

Result<void> publish_due(store::Session& s, const Hooks& hooks, ArticleId id, VersionId version, Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  if (a.scheduled_version_id != version || a.pub_state == "deleted") return ok();  // superseded or deleted
  KOBAN_ASSIGN(auto v, get_version(s, version));
  if (v.publish_start && *v.publish_start > now) return Error::unavailable("公開開始前です");  // retried later
  return make_live(s, hooks, a, v, now);
}

Result<void> close_due(store::Session& s, const Hooks& hooks, ArticleId id, VersionId version, Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, id));
  if (a.live_version_id != version || a.pub_state != "published") return ok();  // replaced or gone already
  KOBAN_ASSIGN(auto v, get_version(s, version));
  if (!v.publish_end) return ok();
  if (*v.publish_end > now) return Error::unavailable("公開期限前です");
  return close_article(s, hooks, a, "closed", "公開期限により公開終了", now);
}

void register_article_jobs(store::Worker& worker, store::Database& db, const Hooks& hooks, const Clock& clock) {
  auto handler = [&db, hooks, &clock](bool publish) {
    return [&db, hooks, &clock, publish](const store::Job& job) -> Result<void> {
      auto j = nlohmann::json::parse(job.payload, nullptr, false);
      if (j.is_discarded() || !j.contains("article_id") || !j.contains("version_id") ||
          !j["article_id"].is_number_integer() || !j["version_id"].is_number_integer())
        return Error::invalid("bad payload");
      const ArticleId id = j["article_id"].get<std::int64_t>();
      const VersionId v = j["version_id"].get<std::int64_t>();
      return db.write([&](store::Session& s) -> Result<void> {
        return publish ? publish_due(s, hooks, id, v, clock.now()) : close_due(s, hooks, id, v, clock.now());
      });
    };
  };
  worker.handle(kPublishDueJob, handler(true));
  worker.handle(kCloseDueJob, handler(false));
}

Result<std::vector<OverrideRecord>> overrides_of(store::Session& s, ArticleId id) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT version_id, request_id, code, message, excerpt, reason, line, person_id,"
                                  " created_at FROM article_overrides WHERE article_id = ? ORDER BY id LIMIT 1000",
                                  id));
  std::vector<OverrideRecord> out;
  for (const auto& r : rows)
    out.push_back({.version_id = r.int64(0), .request_id = r.int64(1), .code = r.text(2), .message = r.text(3),
                   .excerpt = r.text(4), .reason = r.text(5), .line = static_cast<int>(r.int64(6)),
                   .person = r.int64(7), .at = from_unix(r.int64(8))});
  return out;
}

}  // namespace koban::site::articles

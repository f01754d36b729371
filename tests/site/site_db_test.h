// The shared set-up of the website's database tests (both backends): the schema the site
// module needs (store, org, audit, workflow, site, plus whatever a test adds in
// add_migrations), the demo force, look-ups by login and unit code, and the publication flow
// of an article (writer → unit head → 広報課 → carried out, which runs `hooks`).
//
//   class SearchIndexTest : public site::test_support::SiteDbTest {
//     void add_migrations(store::MigrationRegistry& reg) override { reg.add("site_search", ...); }
//   };
//   const auto id = save_draft(input("題名")); go_live(id);   // hooks.on_published(id) ran
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "audit/audit_log.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "org/units.h"
#include "site/articles/article_flow.h"
#include "site/site_migrations.h"
#include "store/migrations.h"
#include "store/test_db.h"
#include "workflow/workflow_migrations.h"

namespace koban::site::test_support {

// Tuesday 2026-11-24 10:00 JST: office hours, so the unit head approves in person.
inline const Instant kTue10 = from_jst({{2026, 11, 24}, 10, 0, 0});

class SiteDbTest : public store::testing::BackendTest {
 protected:
  virtual void add_migrations(store::MigrationRegistry&) {}

  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::MigrationRegistry reg;
    ASSERT_TRUE(reg.add("store", store::store_migrations()).ok());
    ASSERT_TRUE(reg.add("org", org::org_migrations()).ok());
    ASSERT_TRUE(reg.add("audit", audit::audit_migrations()).ok());
    ASSERT_TRUE(reg.add("workflow", workflow::workflow_migrations()).ok());
    ASSERT_TRUE(reg.add("site", site_migrations()).ok());
    add_migrations(reg);
    auto m = store::migrate(*db_, reg, kTue10);
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto demo = db_->write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(org::fill_demo(s, kTue10 - std::chrono::hours(24 * 800)));
      return ok();
    });
    ASSERT_TRUE(demo.ok()) << demo.error().message;
    st.upload_dir = std::filesystem::path(dir_) / "uploads";
    ASSERT_TRUE(articles::register_article_kinds(kinds, st).ok());
  }

  org::PersonId pid(const std::string& login) {
    org::PersonId id = 0;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
      if (!p) return Error::not_found(login);
      id = p->id;
      return ok();
    }).ok()) << login;
    return id;
  }
  org::UnitId unit(const std::string& code) {
    org::UnitId id = 0;
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto u, org::find_unit_by_code(s, code));
      if (!u) return Error::not_found(code);
      id = u->id;
      return ok();
    }).ok()) << code;
    return id;
  }
  Result<void> w(const std::function<Result<void>(store::Session&)>& f) { return db_->write(f); }

  // A new article (or a new version of `in.article_id`) saved by 中央警察署's writer.
  articles::ArticleId save_draft(const articles::ArticleInput& in, Instant at = kTue10) {
    articles::ArticleId id = 0;
    auto r = w([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto saved, articles::save_article(s, st, in, {.person = pid("chuo.tanto")}, at));
      id = saved.article_id;
      return ok();
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return id;
  }
  // The newest version (or, with deletion, the removal) requested by the writer, approved by
  // the unit head and 広報課, and carried out by 広報課: the hooks run.
  void go_live(articles::ArticleId id, Instant at = kTue10, bool deletion = false) {
    auto approved = w([&](store::Session& s) -> Result<void> {
      if (deletion) {
        KOBAN_TRY(articles::request_deletion(s, kinds, id, {.person = pid("chuo.tanto")}, "掲載期間の終了", at));
      } else {
        KOBAN_TRY(articles::request_publication(s, kinds, st, id, {.person = pid("chuo.tanto")}, at));
      }
      KOBAN_TRY(articles::approve_article(s, kinds, st, id, {.person = pid("chuo.shocho")}, {}, at));
      return articles::approve_article(s, kinds, st, id, {.person = pid("koho.kacho")}, {}, at);
    });
    ASSERT_TRUE(approved.ok()) << approved.error().message;
    auto carried = w([&](store::Session& s) {
      return articles::carry_out_article(s, kinds, st, hooks, id, {.person = pid("koho.kacho")}, at);
    });
    ASSERT_TRUE(carried.ok()) << carried.error().message;
  }

  articles::Settings st;
  workflow::KindRegistry kinds;
  articles::Hooks hooks;
};

}  // namespace koban::site::test_support

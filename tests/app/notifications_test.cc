// Notification jobs become mails in the outbox, one per recipient with an address, with a
// link and never a secret.
#include "app/notifications.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/audit_log.h"
#include "mail/message_view.h"
#include "mail/outbox.h"
#include "org/demo.h"
#include "org/org_migrations.h"
#include "org/people.h"
#include "store/migrations.h"
#include "workflow/workflow_migrations.h"

namespace koban::app {
namespace {

namespace fs = std::filesystem;

TEST(Notifications, LedgerChangeMailsTheOtherManagersWithoutTheSecret) {
  const fs::path dir = fs::temp_directory_path() / ("koban-notify-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto db = store::Database::open({.sqlite_path = (dir / "koban.db").string()});
  ASSERT_TRUE(db);
  store::MigrationRegistry registry;
  ASSERT_TRUE(registry.add("store", store::store_migrations()));
  ASSERT_TRUE(registry.add("org", org::org_migrations()));
  ASSERT_TRUE(registry.add("audit", audit::audit_migrations()));
  ASSERT_TRUE(registry.add("workflow", workflow::workflow_migrations()));
  ASSERT_TRUE(registry.add("mail", mail::outbox_migrations()));
  const Instant now = from_unix(1790000000);
  ASSERT_TRUE(store::migrate(**db, registry, now));
  std::int64_t koho = 0, retired = 0;
  ASSERT_TRUE((*db)->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(org::fill_demo(s, now));
    KOBAN_ASSIGN(auto a, org::find_person_by_login(s, "koho.kacho"));
    KOBAN_ASSIGN(auto b, org::find_person_by_login(s, "chuo.tanto"));
    koho = a->id;
    retired = b->id;
    return org::retire(s, retired, now);
  }));

  NotificationSettings settings{.base_url = "https://police.example.jp", .transport = "catcher",
                                .from = "noreply@police.example.jp", .from_name = "サンプル県警察"};
  store::Job job;
  job.id = 7;
  job.kind = "ledger.notify";
  job.payload = R"({"entry_id":3,"service_name":"公式X","event":"secret_changed","by":1,"recipients":[)" +
                std::to_string(koho) + "," + std::to_string(retired) + "]}";
  auto queued = deliver_notification(**db, settings, job, now);
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(*queued, 1);  // the retired person gets nothing

  auto list = mail::list_mail(**db, {});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).recipient, "koho.kacho@police.example.jp");
  auto full = mail::get_mail(**db, list->at(0).id);
  ASSERT_TRUE(full);
  const auto view = mail::view_message(full->message);
  EXPECT_NE(view.subject.find("公式X"), std::string::npos);
  EXPECT_NE(view.text.find("https://police.example.jp/admin/ledger/3"), std::string::npos);
  EXPECT_NE(view.text.find("パスワードは書きません"), std::string::npos);

  job.kind = "nobody.knows";
  EXPECT_FALSE(deliver_notification(**db, settings, job, now));
  job.kind = "ledger.notify";
  job.payload = "not json";
  EXPECT_FALSE(deliver_notification(**db, settings, job, now));
  db->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace koban::app

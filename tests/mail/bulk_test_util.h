// Shared by the bulk_*_test.cc files: a fixture with the bulk tables and a table of fake
// subscribers, and a renderer that writes one small message per item to u<id>@example.jp.
#pragma once

#include <string>

#include "../store/test_db.h"
#include "mail/bulk/bulk.h"
#include "store/migrations.h"

namespace koban::mail::bulk::testing {

inline std::string address_of(std::int64_t id) { return "u" + std::to_string(id) + "@example.jp"; }

inline Renderer simple_renderer() {
  return [](std::span<const std::int64_t> ids, std::vector<RenderedItem>& out) -> Result<void> {
    for (auto id : ids) {
      const std::string to = address_of(id);
      out.push_back({id, to,
                     "From: noreply@police.example.jp\r\nTo: " + to + "\r\nSubject: test\r\n\r\nitem " +
                         std::to_string(id) + "\r\nhttps://example.jp/u/" + std::to_string(id) + "\r\n"});
    }
    return ok();
  };
}

inline store::MigrationRegistry bulk_registry() {
  store::MigrationRegistry reg;
  (void)reg.add("store", store::store_migrations());
  (void)reg.add("mail_bulk", bulk_migrations());
  (void)reg.add("test_subscribers",
                {{1, "fake_subscribers",
                  "CREATE TABLE fake_subscribers (id {{BIGINT}} PRIMARY KEY, confirmed INTEGER NOT NULL)"}});
  return reg;
}

// Inserts subscribers 1..n; every one with (id % unconfirmed_every) == 0 is unconfirmed.
inline Result<void> add_subscribers(store::Database& db, std::int64_t n, std::int64_t unconfirmed_every = 0) {
  return db.write([&](store::Session& s) -> Result<void> {
    for (std::int64_t i = 1; i <= n; ++i)
      KOBAN_TRY(s.exec("INSERT INTO fake_subscribers (id, confirmed) VALUES (?, ?)", i,
                       unconfirmed_every > 0 && i % unconfirmed_every == 0 ? 0 : 1));
    return ok();
  });
}

inline Result<std::int64_t> new_run(store::Database& db) {
  std::int64_t id = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(id, create_run(s, "test", "1", from_unix(1'800'000'000),
                                "SELECT id FROM fake_subscribers WHERE confirmed = ?", 1));
    return ok();
  }));
  return id;
}

}  // namespace koban::mail::bulk::testing

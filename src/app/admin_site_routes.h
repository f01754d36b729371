// Staff pages of the website's articles (issue 5 items 4, 5, 7): list, write with preview
// (rendered Markdown and the pre-publication checks), images and PDFs, history with diff and
// restore, the publication and deletion requests (様式1, printable), review with explicit
// overrides of blocking findings, carrying out by 広報課, and the inspections (様式2).
//
//   articles::Settings st{.upload_dir = data_dir / "uploads"};
//   KOBAN_TRY(articles::register_article_kinds(*kinds, st));      // the app's one registry
//   add_site_routes(router, db, staff, kinds, {.settings = st, .hooks = hooks}, clock);
//
// Pages (staff login; website permissions checked per unit for every action):
//   GET  /admin/site[?state=&section=&unit=&before=]     list (keyset paging), waiting for me, to publish
//   GET  /admin/site/new                                  new article
//   POST /admin/site                                      action=preview | save
//   GET  /admin/site/:id                                  article, preview, findings, files, steps, actions
//   GET  /admin/site/:id/edit        POST /admin/site/:id (action=preview | save)
//   POST /admin/site/:id/files                            multipart: image or PDF with alt text
//   GET  /admin/site/:id/history     GET /admin/site/:id/diff?from=&to=     POST /admin/site/:id/restore
//   POST /admin/site/:id/{request,request-delete,approve,remand,withdraw,publish}
//   GET  /admin/site/:id/form1                            様式1 記事公開・削除依頼書 (printable)
//   GET  /admin/site/inspections[?round=YYYY-MM-DD]       progress per unit, overdue units, stale articles
//   GET  /admin/site/inspections/:unit[?round=]           様式2 点検結果報告書 with the marking form
//   POST /admin/site/inspections/items/:id                keep / update / delete
// Refusals are audited (site.article.<verb>, outcome refused) and answered in Japanese with no change.
#pragma once

#include <memory>

#include "app/staff_auth.h"
#include "core/time.h"
#include "http/router.h"
#include "site/articles/article_flow.h"
#include "site/articles/inspections.h"
#include "store/database.h"
#include "workflow/kinds.h"

namespace koban::app {

struct SiteRoutesOptions {
  site::articles::Settings settings{};
  site::articles::InspectionSettings inspections{};
  site::articles::Hooks hooks{};
};

void add_site_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                     std::shared_ptr<const workflow::KindRegistry> kinds, SiteRoutesOptions options,
                     const Clock& clock);

}  // namespace koban::app

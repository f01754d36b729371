// Demo articles for `koban serve --demo` (issue 5, Demo): at least 60 articles across every
// section, sub-topic and police station, written by the demo force's writers and taken
// through the real flow (request, unit head, 広報課 review, carry out), so that lists, history,
// review queues and inspections show real content at once: drafts, requests at either step,
// scheduled and published articles (some with a generated PNG and PDF, some not updated for a
// year, one with a replacement draft), and a past inspection round that some units have not
// finished. Idempotent: does nothing when any article exists. Needs org::fill_demo first.
//
//   KOBAN_ASSIGN(auto n, articles::fill_demo_articles(s, kinds, settings, clock.now()));
#pragma once

#include "site/articles/article_flow.h"
#include "site/articles/inspections.h"

namespace koban::site::articles {

struct DemoReport {
  int articles = 0;
  int published = 0;
  int scheduled = 0;
  int awaiting_review = 0;
  int drafts = 0;
};

Result<DemoReport> fill_demo_articles(store::Session& s, const workflow::KindRegistry& kinds, const Settings& st,
                                      const InspectionSettings& ins, Instant now);

// Small valid files for demos and tests: a 1×1 PNG and a one-page PDF.
std::string demo_png();
std::string demo_pdf(std::string_view title);

}  // namespace koban::site::articles

// Internal to the website's staff pages (admin_site_*.cc): the shared page class.
#pragma once

#include <map>
#include <nlohmann/json.hpp>

#include "app/admin_site_routes.h"
#include "http/forms/form_fields.h"

namespace koban::app::site_pages {

namespace articles = site::articles;
using nlohmann::json;

class SitePages {
 public:
  SitePages(store::Database& db, StaffAuth& staff, std::shared_ptr<const workflow::KindRegistry> kinds,
            SiteRoutesOptions o, const Clock& clock)
      : db_(db), staff_(staff), kinds_(std::move(kinds)), o_(std::move(o)), clock_(clock) {}

  http::Response list(http::Request& req, StaffContext& who);
  http::Response new_form(http::Request& req, StaffContext& who);
  http::Response create(http::Request& req, StaffContext& who);
  http::Response show(http::Request& req, StaffContext& who);
  http::Response edit_form(http::Request& req, StaffContext& who);
  http::Response update(http::Request& req, StaffContext& who);
  http::Response upload(http::Request& req, StaffContext& who);
  http::Response history(http::Request& req, StaffContext& who);
  http::Response diff(http::Request& req, StaffContext& who);
  http::Response restore(http::Request& req, StaffContext& who);
  http::Response act(http::Request& req, StaffContext& who, const std::string& verb);
  http::Response form1(http::Request& req, StaffContext& who);
  // admin_site_inspections.cc
  http::Response inspections(http::Request& req, StaffContext& who);
  http::Response inspection_report(http::Request& req, StaffContext& who);
  http::Response mark(http::Request& req, StaffContext& who);

  store::Database& db() { return db_; }

 private:
  friend struct Helpers;
  workflow::By by(const StaffContext& who, const http::Request& req) const {
    return {.person = who.actor.person, .address = req.remote_addr};
  }
  http::Response refuse(const StaffContext& who, const http::Request& req, const std::string& verb, std::int64_t id,
                        const Error& e, const std::string& back);
  // The writing form again: what was typed, the errors, the preview when asked.
  http::Response form_page(const StaffContext& who, const articles::ArticleInput& in,
                           const std::vector<std::string>& errors, bool preview, int status);
  Result<std::string> name_of(store::Session& s, org::PersonId id, std::map<org::PersonId, std::string>& cache) const;
  Result<json> steps_json(store::Session& s, const articles::Article& a, std::map<org::PersonId, std::string>& names) const;

  store::Database& db_;
  StaffAuth& staff_;
  std::shared_ptr<const workflow::KindRegistry> kinds_;
  SiteRoutesOptions o_;
  const Clock& clock_;
};

// "2026-11-24T10:00" for <input type="datetime-local"> (JST).
std::string local_input(Instant t);
// Lines of a multi-line error message.
std::vector<std::string> lines_of(const std::string& m);

}  // namespace koban::app::site_pages

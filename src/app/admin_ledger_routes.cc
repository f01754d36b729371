#include "app/admin_ledger_routes.h"
#include "app/page_helpers.h"

#include <map>

#include "http/forms/urlencoded.h"
#include "org/people.h"

namespace koban::app {
namespace {

using nlohmann::json;

const http::forms::FormLimits kFormLimits{.max_fields = 16, .max_name_bytes = 32, .max_value_bytes = 8192,
                                          .max_total_bytes = 32 * 1024};
const http::forms::FormLimits kQueryLimits{.max_fields = 4, .max_name_bytes = 16, .max_value_bytes = 32,
                                           .max_total_bytes = 256};
constexpr std::size_t kMaxManagerNames = 20;  // login names in the new-entry form

using pages::parse_id;

using pages::jst_text;

int status_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::invalid_argument: return 422;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::permission_denied: return 403;
    default: return 0;
  }
}

class LedgerPages {
 public:
  LedgerPages(store::Database& db, StaffAuth& staff, std::shared_ptr<const ledger::Ledger> ledger)
      : db_(db), staff_(staff), ledger_(std::move(ledger)) {}

  http::Response list(http::Request& req, StaffContext& who);
  http::Response new_form(http::Request& req, StaffContext& who);
  http::Response create(http::Request& req, StaffContext& who);
  http::Response show(http::Request& req, StaffContext& who);
  http::Response reveal(http::Request& req, StaffContext& who);
  http::Response change(http::Request& req, StaffContext& who);
  http::Response add_manager(http::Request& req, StaffContext& who);
  http::Response remove_manager(http::Request& req, StaffContext& who);

 private:
  ledger::Who who_of(const StaffContext& c, const http::Request& req) const {
    return {.actor = c.actor, .unit_name = c.unit_name, .address = req.remote_addr};
  }
  // A refusal: audited in its own transaction (the refused one wrote nothing), then the page.
  http::Response refuse(const StaffContext& who, const http::Request& req, const std::string& action,
                        ledger::EntryId id, const Error& e, const std::string& back) {
    const int status = status_for(e);
    if (status == 0) return http::response_for(e);
    (void)db_.write([&](store::Session& s) { return ledger::audit_refusal(s, who_of(who, req), action, id, e.message, clock_.now()); });
    auto res = staff_.page(who, "admin/people_error",
                           {{"title", "操作できません"}, {"message", e.message}, {"back", back.empty() ? json() : json(back)}});
    if (res.status == 200) res.status = status;
    return res;
  }
  http::Response new_page(const StaffContext& who, const json& values, const std::string& error, int status);

  store::Database& db_;
  StaffAuth& staff_;
  std::shared_ptr<const ledger::Ledger> ledger_;
  SystemClock clock_;
};

http::Response LedgerPages::list(http::Request&, StaffContext& who) {
  std::vector<ledger::EntrySummary> entries;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(entries, ledger_->list(s, who.actor));
    return ok();
  });
  if (!r) return http::response_for(r.error());
  json rows = json::array();
  for (const auto& e : entries) rows.push_back({{"id", e.id}, {"service", e.service_name}, {"is_manager", e.is_manager}});
  return staff_.page(who, "admin/ledger_list",
                     {{"title", "パスワード等管理簿"}, {"has_entries", !rows.empty()}, {"entries", rows},
                      {"may_administer", ledger::Ledger::may_administer(who.actor)}});
}

http::Response LedgerPages::new_page(const StaffContext& who, const json& values, const std::string& error, int status) {
  json data = values;
  data["title"] = "管理簿に項目を追加";
  data["error"] = error.empty() ? json() : json(error);
  const auto& rules = ledger_->rules();
  data["min_length"] = rules.min_length;
  auto res = staff_.page(who, "admin/ledger_new", std::move(data));
  if (res.status == 200) res.status = status;
  return res;
}

http::Response LedgerPages::new_form(http::Request& req, StaffContext& who) {
  if (!ledger::Ledger::may_administer(who.actor))
    return refuse(who, req, "ledger.entry.create", 0, Error::denied("パスワード等管理簿に項目を追加する権限がありません。"),
                  "/admin/ledger");
  return new_page(who, json::object(), "", 200);
}

http::Response LedgerPages::create(http::Request& req, StaffContext& who) {
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "ledger.entry.create", 0, Error::invalid("送信内容を読み取れませんでした。"), "/admin/ledger");
  ledger::NewEntry e{.service_name = form->get("service_name").value_or(""),
                     .account_name = form->get("account_name").value_or(""),
                     .url = form->get("url").value_or(""),
                     .secret = form->get("secret").value_or(""),
                     .notes = form->get("notes").value_or("")};
  const std::string managers_text = form->get("managers").value_or("");
  // Sent back into the form on an error: never the secret.
  const json values = {{"service_name", e.service_name}, {"account_name", e.account_name}, {"url", e.url},
                       {"notes", e.notes}, {"managers", managers_text}};
  if (!ledger::Ledger::may_administer(who.actor))
    return refuse(who, req, "ledger.entry.create", 0, Error::denied("パスワード等管理簿に項目を追加する権限がありません。"),
                  "/admin/ledger");
  if (e.secret != form->get("secret_confirm").value_or(""))
    return new_page(who, values, "確認のために入力したパスワードが一致しません。", 422);
  ledger::EntryId id = 0;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    // Managers by login name, separated by spaces, commas or new lines.
    std::string name;
    auto flush = [&]() -> Result<void> {
      if (name.empty()) return ok();
      if (e.managers.size() >= kMaxManagerNames) return Error::invalid("管理者が多すぎます。");
      KOBAN_ASSIGN(auto p, org::find_person_by_login(s, name));
      if (!p) return Error::invalid("職員「" + name.substr(0, 64) + "」は見つかりません。");
      e.managers.push_back(p->id);
      name.clear();
      return ok();
    };
    for (char c : managers_text) {
      if (c == ' ' || c == ',' || c == '\n' || c == '\r' || c == '\t') KOBAN_TRY(flush());
      else name += c;
    }
    KOBAN_TRY(flush());
    KOBAN_ASSIGN(id, ledger_->create(s, who_of(who, req), e, clock_.now()));
    return ok();
  });
  if (!r) {
    if (r.error().code == ErrorCode::invalid_argument) return new_page(who, values, r.error().message, 422);
    return refuse(who, req, "ledger.entry.create", 0, r.error(), "/admin/ledger");
  }
  return http::Response::redirect("/admin/ledger/" + std::to_string(id) + "?done=create", 303);
}

http::Response LedgerPages::show(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "ledger.entry.view", 0, Error::not_found("指定された管理簿の項目は見つかりません。"), "/admin/ledger");
  static const std::map<std::string, std::string, std::less<>> kDone = {
      {"create", "項目を追加しました。"}, {"secret", "パスワードを変更し、他のパスワード管理者に通知しました。"},
      {"add", "パスワード管理者を指定しました。"}, {"remove", "パスワード管理者の指定を外しました。"}};
  auto query = http::forms::parse_urlencoded(req.query, kQueryLimits);
  if (!query) return http::Response::html(400, "");
  const std::string done = query->get("done").value_or("");
  if (!done.empty() && !kDone.count(done)) return http::Response::html(400, "");
  std::optional<ledger::EntryDetails> d;
  auto r = db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(d, ledger_->details(s, who.actor, *id));
    return ok();
  });
  if (!r) return refuse(who, req, "ledger.entry.view", *id, r.error(), "/admin/ledger");
  const bool admin = ledger::Ledger::may_administer(who.actor);
  json managers = json::array();
  for (const auto& m : d->managers)
    managers.push_back({{"id", m.person}, {"name", m.display_name}, {"login", m.login_name},
                        {"added", jst_text(m.added_at)}, {"may_remove", admin}});
  return staff_.page(who, "admin/ledger_show",
                     {{"title", d->service_name},
                      {"entry", {{"id", d->id}, {"service", d->service_name}, {"account", d->account_name},
                                 {"url", d->url.empty() ? json() : json(d->url)}, {"created", jst_text(d->created_at)},
                                 {"changed", jst_text(d->secret_changed_at)}, {"changed_by", d->secret_changed_by}}},
                      {"has_managers", !managers.empty()}, {"managers", managers},
                      {"is_manager", d->is_manager}, {"may_administer", admin},
                      {"min_length", ledger_->rules().min_length},
                      {"flash", done.empty() ? json() : json(kDone.at(done))}});
}

http::Response LedgerPages::reveal(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "ledger.secret.view", 0, Error::not_found("指定された管理簿の項目は見つかりません。"), "/admin/ledger");
  std::optional<ledger::Revealed> shown;
  std::string service;
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(shown, ledger_->reveal(s, who_of(who, req), *id, clock_.now()));
    KOBAN_ASSIGN(auto d, ledger_->details(s, who.actor, *id));
    service = d.service_name;
    return ok();
  });
  const std::string back = "/admin/ledger/" + std::to_string(*id);
  if (!r) return refuse(who, req, "ledger.secret.view", *id, r.error(), back);
  auto res = staff_.page(who, "admin/ledger_reveal",
                         {{"title", service + " のパスワード"}, {"service", service}, {"secret", shown->secret},
                          {"notes", shown->notes.empty() ? json() : json(shown->notes)}, {"back", back}});
  // Shown once: no cache, no history copy, no referrer carrying anything away.
  res.set("cache-control", "no-store");
  res.set("pragma", "no-cache");
  res.set("referrer-policy", "no-referrer");
  return res;
}

http::Response LedgerPages::change(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "ledger.secret.change", 0, Error::not_found("指定された管理簿の項目は見つかりません。"), "/admin/ledger");
  const std::string back = "/admin/ledger/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "ledger.secret.change", *id, Error::invalid("送信内容を読み取れませんでした。"), back);
  const std::string secret = form->get("secret").value_or("");
  if (secret != form->get("secret_confirm").value_or(""))
    return refuse(who, req, "ledger.secret.change", *id, Error::invalid("確認のために入力したパスワードが一致しません。"), back);
  auto r = db_.write([&](store::Session& s) { return ledger_->change_secret(s, who_of(who, req), *id, secret, clock_.now()); });
  if (!r) return refuse(who, req, "ledger.secret.change", *id, r.error(), back);
  return http::Response::redirect(back + "?done=secret", 303);
}

http::Response LedgerPages::add_manager(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  if (!id) return refuse(who, req, "ledger.manager.add", 0, Error::not_found("指定された管理簿の項目は見つかりません。"), "/admin/ledger");
  const std::string back = "/admin/ledger/" + std::to_string(*id);
  auto form = http::forms::parse_urlencoded(req.body, kFormLimits);
  if (!form) return refuse(who, req, "ledger.manager.add", *id, Error::invalid("送信内容を読み取れませんでした。"), back);
  const std::string login = form->get("login_name").value_or("");
  auto r = db_.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto p, org::find_person_by_login(s, login));
    if (!p) return Error::invalid("指定された職員は見つかりません。");
    return ledger_->add_manager(s, who_of(who, req), *id, p->id, clock_.now());
  });
  if (!r) return refuse(who, req, "ledger.manager.add", *id, r.error(), back);
  return http::Response::redirect(back + "?done=add", 303);
}

http::Response LedgerPages::remove_manager(http::Request& req, StaffContext& who) {
  const auto id = parse_id(req.param("id"));
  const auto person = parse_id(req.param("person"));
  if (!id || !person)
    return refuse(who, req, "ledger.manager.remove", 0, Error::not_found("指定された管理簿の項目は見つかりません。"), "/admin/ledger");
  const std::string back = "/admin/ledger/" + std::to_string(*id);
  auto r = db_.write([&](store::Session& s) { return ledger_->remove_manager(s, who_of(who, req), *id, *person, clock_.now()); });
  if (!r) return refuse(who, req, "ledger.manager.remove", *id, r.error(), back);
  return http::Response::redirect(back + "?done=remove", 303);
}

}  // namespace

void add_ledger_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                       std::shared_ptr<const ledger::Ledger> ledger) {
  auto pages = std::make_shared<LedgerPages>(db, staff, std::move(ledger));
  const http::RouteOptions small{.max_body = 32 * 1024};
  // Any logged-in person may ask; the ledger service refuses whoever is not designated.
  auto on = [&](auto method) {
    return staff.guard([pages, method](http::Request& req, StaffContext& who) { return ((*pages).*method)(req, who); },
                       std::nullopt);
  };
  router.get("/admin/ledger", on(&LedgerPages::list));
  router.get("/admin/ledger/new", on(&LedgerPages::new_form));
  router.post("/admin/ledger/new", on(&LedgerPages::create), small);
  router.get("/admin/ledger/:id", on(&LedgerPages::show));
  router.post("/admin/ledger/:id/reveal", on(&LedgerPages::reveal), small);
  router.post("/admin/ledger/:id/secret", on(&LedgerPages::change), small);
  router.post("/admin/ledger/:id/managers", on(&LedgerPages::add_manager), small);
  router.post("/admin/ledger/:id/managers/:person/remove", on(&LedgerPages::remove_manager), small);
}

}  // namespace koban::app

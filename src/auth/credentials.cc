#include "auth/credentials.h"

#include <algorithm>
#include <cstdio>

#include "auth/random_bytes.h"
#include "core/text.h"

namespace koban::auth {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace

std::string LoginResult::message() const {
  switch (outcome) {
    case LoginOutcome::ok: return "ログインしました。";
    case LoginOutcome::wrong: return "ログインIDまたはパスワードが違います。";
    case LoginOutcome::locked: {
      std::string m = "ログインの失敗が続いたため、しばらくログインできません。";
      if (locked_until) {
        auto t = to_jst(*locked_until);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%02d時%02d分以降に", t.hour, t.minute);
        m += std::string(buf) + "もう一度お試しください。";
      }
      return m;
    }
    case LoginOutcome::expired: return "パスワードの有効期限が切れています。新しいパスワードを設定してください。";
  }
  return {};
}

Result<std::vector<std::string>> Credentials::history(store::Session& s,
                                                      std::int64_t person_id) const {
  std::vector<std::string> out;
  if (config_.policy.history_count <= 0) return out;
  KOBAN_ASSIGN(auto rows, s.query("SELECT hash FROM password_history WHERE person_id = ?"
                                  " ORDER BY id DESC LIMIT ?",
                                  person_id, config_.policy.history_count));
  for (const auto& r : rows) out.push_back(r.text(0));
  return out;
}

Result<std::vector<std::string>> Credentials::check_password(store::Session& s,
                                                             std::int64_t person_id,
                                                             std::string_view login_name,
                                                             std::string_view password) const {
  KOBAN_ASSIGN(auto hist, history(s, person_id));
  return config_.policy.check(password, login_name, hist);
}

Result<void> Credentials::set_password(store::Session& s, std::int64_t person_id,
                                       std::string_view login_name, std::string_view password,
                                       Instant now, const SetPasswordOptions& options) {
  if (options.check_policy) {
    KOBAN_ASSIGN(auto broken, check_password(s, person_id, login_name, password));
    if (!broken.empty()) return Error::invalid(join_lines(broken));
  } else if (password.empty() || password.size() > kMaxPasswordBytes) {
    return Error::invalid("パスワードの長さが不正です。");
  }
  KOBAN_ASSIGN(std::string hash, hash_password(password, config_.hash));
  KOBAN_TRY(s.exec("INSERT INTO credentials (person_id, hash, changed_at, must_change)"
                   " VALUES (?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET"
                   " hash = excluded.hash, changed_at = excluded.changed_at,"
                   " must_change = excluded.must_change",
                   person_id, hash, to_unix(now), options.must_change));
  KOBAN_TRY(s.exec("INSERT INTO password_history (person_id, hash, changed_at) VALUES (?, ?, ?)",
                   person_id, hash, to_unix(now)));
  // Keep only what the policy compares against (at least the current one).
  const int keep = std::max(1, config_.policy.history_count);
  KOBAN_TRY(s.exec("DELETE FROM password_history WHERE person_id = ? AND id NOT IN"
                   " (SELECT id FROM password_history WHERE person_id = ? ORDER BY id DESC LIMIT ?)",
                   person_id, person_id, keep));
  return ok();
}

Result<void> Credentials::require_change(store::Session& s, std::int64_t person_id) {
  KOBAN_ASSIGN(auto n, s.exec("UPDATE credentials SET must_change = 1 WHERE person_id = ?", person_id));
  if (n == 0) return Error::not_found("パスワードが設定されていません。");
  return ok();
}

void Credentials::spend_dummy_time(std::string_view password) {
  std::call_once(dummy_once_, [&] {
    auto h = hash_password(base64url_encode(random_bytes(16)), config_.hash);
    dummy_hash_ = h ? *h : std::string();
  });
  (void)verify_password(dummy_hash_, password);
}

Result<LoginResult> Credentials::login(store::Database& db, std::optional<std::int64_t> person_id,
                                       std::string_view password, std::string_view address,
                                       Instant now, std::string_view login_name) {
  const Lockout account_lock(config_.account_lockout);
  const Lockout address_lock(config_.address_lockout);
  const std::string addr_key = address_key(address);
  // Unknown names lock like real accounts, so that a lock does not reveal who exists.
  std::optional<std::string> acct_key;
  if (person_id)
    acct_key = account_key(*person_id);
  else if (!login_name.empty())
    acct_key = "name:" + text::to_lower(login_name.substr(0, 128));

  // 1. Is this address or account locked? Read the stored hash in the same snapshot.
  std::optional<Instant> locked;
  std::optional<std::string> hash;
  bool must_change = false;
  Instant changed_at{};
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto a, address_lock.locked_until(s, addr_key, now));
    locked = a;
    if (acct_key) {
      KOBAN_ASSIGN(auto p, account_lock.locked_until(s, *acct_key, now));
      if (p && (!locked || *p > *locked)) locked = p;
    }
    if (person_id) {
      KOBAN_ASSIGN(auto rows, s.query("SELECT hash, changed_at, must_change FROM credentials"
                                      " WHERE person_id = ?", *person_id));
      if (!rows.empty()) {
        hash = rows[0].text(0);
        changed_at = from_unix(rows[0].int64(1));
        must_change = rows[0].int64(2) != 0;
      }
    }
    return ok();
  }));

  if (locked) {
    spend_dummy_time(password);  // a locked account answers as slowly as any other
    return LoginResult{LoginOutcome::locked, locked};
  }

  // 2. Verify (slow, outside any transaction). Unknown people and people without a password
  //    verify against the dummy hash and fail.
  bool good = false;
  if (hash) {
    good = verify_password(*hash, password);
  } else {
    spend_dummy_time(password);
  }

  // 3. Record the outcome.
  LoginResult result;
  std::optional<std::string> rehash;
  if (good && needs_rehash(*hash, config_.hash)) {
    KOBAN_ASSIGN(auto h, hash_password(password, config_.hash));
    rehash = std::move(h);
  }
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    result = LoginResult{};
    if (good) {
      KOBAN_TRY(account_lock.reset(s, account_key(*person_id)));
      if (rehash)
        KOBAN_TRY(s.exec("UPDATE credentials SET hash = ? WHERE person_id = ? AND hash = ?",
                         *rehash, *person_id, *hash));
      const bool expired = must_change || config_.policy.expired(changed_at, now);
      result.outcome = expired ? LoginOutcome::expired : LoginOutcome::ok;
      return ok();
    }
    result.outcome = LoginOutcome::wrong;
    KOBAN_ASSIGN(auto by_addr, address_lock.record_failure(s, addr_key, now));
    std::optional<Instant> by_account;
    if (acct_key) {
      KOBAN_ASSIGN(auto u, account_lock.record_failure(s, *acct_key, now));
      by_account = u;
    }
    for (const auto& u : {by_addr, by_account}) {
      if (u && (!result.locked_until || *u > *result.locked_until)) {
        result.outcome = LoginOutcome::locked;
        result.locked_until = u;
      }
    }
    return ok();
  }));
  return result;
}

Result<std::int64_t> Credentials::purge_lockouts(store::Session& s, Instant now) const {
  // One table holds both kinds of key: purge with the longer window so neither loses a count.
  const auto& longer = config_.account_lockout.window >= config_.address_lockout.window ? config_.account_lockout
                                                                                      : config_.address_lockout;
  return Lockout(longer).purge(s, now);
}

}  // namespace koban::auth

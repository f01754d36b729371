// The password ledger (パスワード等管理簿, ORG-7, seed 004 §15): credentials of external services
// such as the official X account. The secret and the notes are sealed with auth::SecretBox
// (the app derives it with purpose "ledger"); only an entry's designated password managers may
// read or change its secret. Every call that changes something or reveals a secret appends its
// audit event — and, on a change, a "ledger.notify" job for the other managers — in the
// caller's write transaction, so the record commits with the change or not at all.
//
//   Ledger ledger(box);                                         // default SecretRules
//   Who who{.actor = actor, .unit_name = "総務課", .address = req.remote_addr};
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto id, ledger.create(s, who, {.service_name = "X", .account_name = "@pref_police",
//                                                   .secret = "...", .managers = {a, b}}, now));
//     KOBAN_ASSIGN(auto revealed, ledger.reveal(s, who, id, now));   // managers only, audited
//     return ok();
//   });
//
// Who may do what:
// - the list of managers, and new entries: administration:administer on the whole force
//   (system administrators, the overall manager) — may_administer();
// - reveal and change a secret: the entry's designated managers only (not administrators);
// - list and details (never the secret): the entry's managers and administrators; everyone
//   else sees no entry at all.
// Refusals come back as permission_denied / invalid_argument / conflict with a Japanese
// message and change nothing; the caller records them with audit_refusal() in a transaction
// of its own (the refused transaction rolls back).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/secret_box.h"
#include "core/result.h"
#include "core/time.h"
#include "ledger/secret_rules.h"
#include "org/permissions.h"
#include "store/database.h"

namespace koban::ledger {

using EntryId = std::int64_t;

inline constexpr std::size_t kMaxServiceBytes = 200;
inline constexpr std::size_t kMaxAccountBytes = 300;
inline constexpr std::size_t kMaxUrlBytes = 1000;
inline constexpr std::size_t kMaxNotesBytes = 4000;
inline constexpr std::size_t kMaxManagers = 50;
inline constexpr int kMaxEntries = 1000;  // list() returns at most this many

// The person acting, as the audit trail names them.
struct Who {
  org::Actor actor;
  std::string unit_name;
  std::string address;
};

struct NewEntry {
  std::string service_name{};
  std::string account_name{};
  std::string url{};  // "" or http(s)://...
  std::string secret{};
  std::string notes{};
  std::vector<org::PersonId> managers{};
};

struct Manager {
  org::PersonId person = 0;
  std::string login_name;
  std::string display_name;
  Instant added_at{};
};

// What list and details show: never the secret or the notes.
struct EntrySummary {
  EntryId id = 0;
  std::string service_name;
  std::string account_name;
  bool is_manager = false;  // the viewer is one of its managers
};
struct EntryDetails {
  EntryId id = 0;
  std::string service_name;
  std::string account_name;
  std::string url;
  Instant created_at{};
  Instant secret_changed_at{};
  std::string secret_changed_by;  // display name
  std::vector<Manager> managers;
  bool is_manager = false;
};

struct Revealed {
  std::string secret;
  std::string notes;
};

class Ledger {
 public:
  explicit Ledger(auth::SecretBox box, SecretRules rules = {}) : box_(std::move(box)), rules_(rules) {}

  const SecretRules& rules() const { return rules_; }
  static bool may_administer(const org::Actor& actor);

  Result<EntryId> create(store::Session& s, const Who& who, const NewEntry& entry, Instant now) const;
  // Entries the viewer may see (all for administrators, their own for managers), by service name.
  Result<std::vector<EntrySummary>> list(store::Session& s, const org::Actor& viewer) const;
  Result<EntryDetails> details(store::Session& s, const org::Actor& viewer, EntryId id) const;
  // The secret and notes, audited as "ledger.secret.view".
  Result<Revealed> reveal(store::Session& s, const Who& who, EntryId id, Instant now) const;
  // A new secret (checked against rules()); audited, other managers notified.
  Result<void> change_secret(store::Session& s, const Who& who, EntryId id, const std::string& secret,
                             Instant now) const;
  Result<void> add_manager(store::Session& s, const Who& who, EntryId id, org::PersonId person, Instant now) const;
  Result<void> remove_manager(store::Session& s, const Who& who, EntryId id, org::PersonId person,
                              Instant now) const;

 private:
  auth::SecretBox box_;
  SecretRules rules_;
};

// Appends a refused attempt (outcome refused) for entry `id` (0: none) with the reason.
Result<void> audit_refusal(store::Session& s, const Who& who, const std::string& action, EntryId id,
                           const std::string& why, Instant now);

// The payload of a "ledger.notify" job: {"entry_id", "service_name", "event", "by", "recipients"}.
// It never carries the secret: recipients open the ledger to read it.
inline constexpr const char* kNotifyJobKind = "ledger.notify";

}  // namespace koban::ledger

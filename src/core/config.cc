#include "core/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

extern char** environ;

namespace koban {
namespace {

// The one list of settings. Keep descriptions short; docs/CONFIGURATION.md is made from it.
const std::vector<SettingSpec> kSettings = {
    {"data.dir", "./data", "Data directory: the SQLite database, uploads, published site, logs."},
    {"server.listen", "127.0.0.1:8080", "Address and port to listen on (HOST:PORT)."},
    {"server.base_url", "", "Public URL of the site for links in mail and feeds; empty: http://LISTEN."},
    {"server.io_threads", "0", "Threads for network I/O; 0 = one per core."},
    {"server.handler_threads", "8", "Threads for request handlers that use the database."},
    {"server.max_header_bytes", "16384", "Largest request header accepted; larger gets 431."},
    {"server.max_body_bytes", "1048576", "Default largest request body; routes may allow more (uploads)."},
    {"server.max_requests_per_connection", "1000", "Keep-alive requests on one connection before it is closed."},
    {"server.max_connections", "10000", "Open connections at most; more are refused."},
    {"server.request_timeout_ms", "10000", "Time to receive a request header once it starts (slow clients are dropped)."},
    {"server.idle_timeout_ms", "60000", "Keep-alive time between requests."},
    {"server.shutdown_grace_ms", "20000", "On SIGTERM, time that in-flight requests get to finish."},
    {"server.access_log", "", "Access log (JSON lines): empty = DATA/logs/access.log, '-' = stdout, 'off' = none."},
    {"database.url", "", "Empty: SQLite in DATA/koban.db. 'sqlite:/path/file.db' or a PostgreSQL URL 'postgresql://user@host/db'.", true},
    {"database.pool_size", "8", "PostgreSQL connections in the pool."},
    {"jobs.workers", "2", "Job worker threads in this process (serve and worker)."},
    {"jobs.poll_ms", "500", "How often an idle worker looks for due jobs."},
    {"jobs.max_attempts", "8", "Attempts before a failing job is dead-lettered."},
    {"mail.transport", "catcher", "'catcher' keeps mail in the database (shown at /admin/mail); 'smtp' relays it."},
    {"mail.from", "noreply@police.example.jp", "Sender address of koban's mail."},
    {"mail.from_name", "サンプル県警察", "Sender display name."},
    {"mail.smtp_host", "127.0.0.1", "SMTP relay host (transport smtp)."},
    {"mail.smtp_port", "25", "SMTP relay port."},
    {"mail.smtp_starttls", "auto", "STARTTLS: 'auto' (when offered), 'require' or 'off'."},
    {"mail.smtp_verify_tls", "true", "Verify the relay's TLS certificate."},
    {"mail.smtp_user", "", "SMTP AUTH user (empty: no AUTH)."},
    {"mail.smtp_password", "", "SMTP AUTH password.", true},
    {"mail.helo_name", "koban.localdomain", "Name sent in EHLO."},
    {"mail.sessions", "20", "SMTP sessions open at once towards the relay."},
    {"mail.domain_policies", "docomo.ne.jp:sessions=4,recipients=100;ezweb.ne.jp:sessions=4,recipients=100;au.com:sessions=4,recipients=100;softbank.ne.jp:sessions=4,recipients=100;i.softbank.jp:sessions=4,recipients=100",
     "Per destination domain: sessions at once and recipients per session (DOMAIN:sessions=N,recipients=N;...)."},
    {"alerts.max_body_chars", "1000", "Longest safety-alert text in characters (old phones cut long mails)."},
    {"alerts.register_keep_years", "1", "The alert register (配信簿) is kept for the calendar year plus this many years, then purged (ALERT-7)."},
    {"alerts.unresolved_days", "7", "Alerts of categories 1-3 without a resolution (解除) are listed on the dashboard after this many days (ALERT-9)."},
    {"alerts.docomo_rate", "50", "Safety-alert mail to docomo.ne.jp: messages per second at most (0 = unlimited)."},
    {"alerts.carrier_rate", "100", "Safety-alert mail to au and SoftBank (ezweb.ne.jp, au.com, softbank.ne.jp, i.softbank.jp): messages per second at most (0 = unlimited)."},
    {"alerts.confirm_ttl_hours", "24", "Safety-alert sign-up: the confirmation link expires after this many hours."},
    {"alerts.resend_interval_minutes", "10", "Safety-alert sign-up: at most one mail per address in this many minutes (repeated sign-ups send nothing)."},
    {"alerts.signups_per_ip_per_hour", "30", "Safety-alert sign-up attempts per client address and hour (0 = no limit)."},
    {"alerts.hard_failure_limit", "3", "Consecutive permanent delivery failures after which an address is suspended and shown to staff."},
    {"calendar.office_hours", "08:30-17:15", "Office hours on business days (JST); everything else is duty hours."},
    {"calendar.alert_hours", "06:00-22:00", "Hours in which safety alerts are sent (JST)."},
    {"calendar.closures", "12-29..01-03", "Yearly office closures (MM-DD..MM-DD, comma separated)."},
    {"calendar.extra_closed_dates", "", "Other closed dates (YYYY-MM-DD, comma separated)."},
    {"site.force_name", "サンプル県警察", "Name of the force shown on every page."},
    {"site.parent_site_name", "サンプル県", "Parent site (the prefecture) shown in the header; empty: none."},
    {"site.parent_site_url", "https://www.pref.example.jp/", "Link to the parent site."},
    {"site.contact", "代表電話 000-000-0000（24時間）", "Contact line in the footer."},
    {"site.verify_schedule", "every 10 minutes", "When the published files are checked against the signed manifest (SITE-8); a change raises an incident for 広報課."},
    {"site.integrity_reporter", "", "Login in whose name a tamper incident is filed; empty: the first active system administrator."},
    {"mailbox.retention_days", "365", "Public mailbox (けんけいメールボックス): closed messages are purged this many days after closing (nightly job)."},
    {"mailbox.max_text_chars", "4000", "Longest mailbox message text in characters (at least 100)."},
    {"mailbox.ip_limit_per_hour", "5", "Mailbox messages per client address and hour (0: no limit)."},
    {"mailbox.urgent_words", "死にたい,自殺,消えたい,首をつ,首を吊,飛び降り,殺す,殺して,殺害,爆破,爆弾,放火,火をつけ,襲う,襲撃,刺す,刺し殺,ぶっ殺,皆殺し,テロ",
     "Words that flag a mailbox message urgent (suicide or crime announced), comma separated; the HQ duty desk and the cyber-crime division are mailed at once."},
    {"mailbox.pr_unit", "koho", "Unit code of the PR division, whose queue takes mailbox messages in office hours."},
    {"mailbox.duty_unit", "honbu-toku", "Unit code of the HQ duty desk, whose queue takes mailbox messages outside office hours."},
    {"mailbox.urgent_notify_units", "honbu-toku,cyber", "Unit codes whose people are mailed at once about an urgent mailbox message, comma separated."},
    {"auth.password_min_length", "8", "Shortest staff password in characters (8 to 64: the seeds' 8 is the floor)."},
    {"auth.password_require_letter", "true", "A staff password must contain a letter."},
    {"auth.password_require_digit", "true", "A staff password must contain a digit."},
    {"auth.password_require_mixed_case", "true", "A staff password must contain upper- and lower-case letters."},
    {"auth.password_max_age_days", "90", "Days after which a password must be changed at the next login (0: never)."},
    {"auth.password_history", "5", "Earlier passwords that may not be used again (0: reuse allowed)."},
    {"auth.lockout_threshold", "5", "Failed logins of one account before it is locked for a while."},
    {"auth.lockout_window_minutes", "15", "Failures older than this no longer count."},
    {"auth.lockout_max_delay_minutes", "60", "Longest lock; each further failure doubles the lock from one minute up to this."},
    {"auth.address_lockout_threshold", "30", "Failed logins from one address (a station's NAT) before the address is locked."},
    {"auth.session_idle_minutes", "30", "A staff session ends after this long without a request."},
    {"auth.session_absolute_hours", "12", "A staff session ends this long after login, however active."},
    {"security.totp_required_roles", "", "Roles whose holders must use a one-time code (TOTP) at login, comma separated (e.g. system_admin,overall_manager)."},
    {"security.secret_key", "", "Key for encryption at rest (64 hex digits); empty: generated into DATA/secret.key.", true},
};

const SettingSpec* find_spec(std::string_view key) {
  for (const auto& s : kSettings)
    if (s.key == key) return &s;
  return nullptr;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

bool parse_int(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  bool neg = s.front() == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = neg ? -v : v;
  return true;
}

bool is_integer_setting(std::string_view key) {
  const auto* s = find_spec(key);
  if (!s || s->default_value.empty()) return false;
  std::int64_t v;
  return parse_int(s->default_value, v);
}

}  // namespace

const std::vector<SettingSpec>& all_settings() { return kSettings; }

Config::Config() {
  for (const auto& s : kSettings) values_.emplace(std::string(s.key), std::string(s.default_value));
}

std::string Config::env_name(std::string_view key) {
  std::string out = "KOBAN_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

Result<Config> Config::parse(std::string_view text, const std::map<std::string, std::string>& env,
                             std::string_view source) {
  Config c;
  std::string section;
  int line_no = 0;
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string line = trim(raw);
    const auto where = std::string(source) + ":" + std::to_string(line_no) + ": ";
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return Error::invalid(where + "section header must end with ']'");
      section = trim(std::string_view(line).substr(1, line.size() - 2));
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) return Error::invalid(where + "expected 'key = value'");
    std::string key = trim(std::string_view(line).substr(0, eq));
    std::string value = trim(std::string_view(line).substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    const std::string full = section.empty() ? key : section + "." + key;
    if (!find_spec(full)) return Error::invalid(where + "unknown setting '" + full + "'");
    c.values_[full] = value;
  }
  for (const auto& s : kSettings) {
    auto it = env.find(env_name(s.key));
    if (it != env.end()) c.values_[std::string(s.key)] = it->second;
  }
  for (const auto& s : kSettings) {
    if (!is_integer_setting(s.key)) continue;
    std::int64_t v;
    const auto& value = c.values_[std::string(s.key)];
    if (!parse_int(value, v) || v < 0)
      return Error::invalid(std::string(s.key) + " must be a whole number >= 0, not '" + value + "'");
  }
  return c;
}

Result<Config> Config::load(const std::string& path, const std::map<std::string, std::string>& env) {
  if (path.empty()) return parse("", env);
  std::ifstream in(path);
  if (!in) return Error::invalid("cannot read configuration file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (1 << 20)) return Error::invalid("configuration file is too large: " + path);
  return parse(ss.str(), env, path);
}

const std::string& Config::text(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) {
    std::fprintf(stderr, "koban: internal error: unknown setting %.*s\n", static_cast<int>(key.size()), key.data());
    std::abort();
  }
  return it->second;
}

Result<std::int64_t> Config::integer_checked(std::string_view key) const {
  std::int64_t v;
  if (!parse_int(text(key), v)) return Error::invalid(std::string(key) + " must be a whole number");
  return v;
}

std::int64_t Config::integer(std::string_view key) const {
  auto r = integer_checked(key);
  return r ? *r : 0;
}

bool Config::boolean(std::string_view key) const {
  const auto& v = text(key);
  return v == "true" || v == "yes" || v == "on" || v == "1";
}

void Config::set(std::string_view key, std::string value) { values_[std::string(key)] = std::move(value); }

std::string Config::defaults_file() {
  std::string out = "# koban configuration. Every setting with its default.\n"
                    "# Environment variables override the file: section.key -> KOBAN_SECTION_KEY.\n";
  std::string section;
  for (const auto& s : kSettings) {
    const auto dot = s.key.find('.');
    const std::string sec(s.key.substr(0, dot));
    if (sec != section) {
      out += "\n[" + sec + "]\n";
      section = sec;
    }
    out += "# " + std::string(s.description) + "\n";
    if (s.secret) out += "# Secret: set " + env_name(s.key) + " in the environment instead.\n";
    out += "# " + std::string(s.key.substr(dot + 1)) + " = " + std::string(s.default_value) + "\n";
  }
  return out;
}

std::string Config::markdown_reference() {
  std::string out = "| setting | default | environment | meaning |\n|---|---|---|---|\n";
  for (const auto& s : kSettings) {
    out += "| `" + std::string(s.key) + "` | `" + std::string(s.default_value) + "` | `" +
           env_name(s.key) + "` | " + std::string(s.description) + (s.secret ? " (secret)" : "") + " |\n";
  }
  return out;
}

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos && kv.starts_with("KOBAN_"))
      env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace koban

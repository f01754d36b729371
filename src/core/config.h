// Configuration: a file of `key = value` lines under [section] headers, every setting listed
// (with its default and a description) in one table in config.cc — `koban config defaults`
// prints that table as a commented file and docs/CONFIGURATION.md is generated from it.
// Environment variables override the file: section.key → KOBAN_SECTION_KEY (e.g.
// KOBAN_DATABASE_URL, KOBAN_MAIL_SMTP_PASSWORD); secrets belong there, not in the file.
//
//   KOBAN_ASSIGN(auto config, Config::load("koban.conf", environ_map()));
//   int threads = config.integer("server.handler_threads");
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban {

struct SettingSpec {
  std::string_view key;          // "section.name"
  std::string_view default_value;
  std::string_view description;  // English, one line
  bool secret = false;           // never printed; set it through the environment
};

// Every setting koban knows, in the order they are documented.
const std::vector<SettingSpec>& all_settings();

class Config {
 public:
  // Defaults only.
  Config();
  // path empty: defaults + environment. Unknown keys and malformed lines are errors that name
  // the line.
  static Result<Config> load(const std::string& path, const std::map<std::string, std::string>& env);
  static Result<Config> parse(std::string_view text, const std::map<std::string, std::string>& env,
                              std::string_view source_name = "config");

  const std::string& text(std::string_view key) const;     // unknown keys abort in tests
  Result<std::int64_t> integer_checked(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;        // value already validated by load
  bool boolean(std::string_view key) const;
  void set(std::string_view key, std::string value);      // for CLI flags (--listen, --data)

  // The environment variable that overrides a key: "mail.smtp_password" → KOBAN_MAIL_SMTP_PASSWORD.
  static std::string env_name(std::string_view key);
  // A commented configuration file with every setting at its default.
  static std::string defaults_file();
  // docs/CONFIGURATION.md body.
  static std::string markdown_reference();

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// The process environment as a map (for Config::load).
std::map<std::string, std::string> environment_map();

}  // namespace koban

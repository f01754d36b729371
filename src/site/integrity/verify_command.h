// `koban site verify [--dir DIR | --url URL] [--manifest FILE] [--public-key FILE|HEX]`:
// compares the publish directory (default) or a live site with the signed manifest and prints
// each finding and a summary in English for operators. Exit status: 0 clean, 1 findings
// (including a manifest whose signature fails), 2 usage error or a check that could not run.
//
//   // src/app/commands.cc, after loading the configuration:
//   return site::integrity::cmd_site_verify(rest, {.data_dir = data, .pinned_public_key = key.public_key()});
//
// --data and --config are accepted and skipped (the caller reads them). Without --public-key
// the key is the pinned one (derived from the data key by the caller) or else the .pub file
// beside the manifest; when both exist and differ, that is a finding (someone replaced the
// manifest and its key).
#pragma once

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace koban::site::integrity {

struct VerifyContext {
  std::filesystem::path data_dir = "data";    // DATA: public/ and site/manifest.json below it
  std::optional<std::string> pinned_public_key{};  // raw 32 bytes, from the data key
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

int cmd_site_verify(const std::vector<std::string>& args, const VerifyContext& ctx);

}  // namespace koban::site::integrity

#include "site/integrity/verify_command.h"

#include <chrono>

#include "core/hex.h"
#include "site/integrity/manifest.h"
#include "site/integrity/url_verify.h"
#include "site/integrity/verify.h"

namespace koban::site::integrity {
namespace fs = std::filesystem;
namespace {

constexpr const char* kHelp =
    "usage: koban site verify [--dir DIR | --url http://HOST:PORT[/PREFIX]] [--manifest FILE]\n"
    "                         [--public-key FILE|HEX] [--data DIR] [--config FILE]\n"
    "\nCompares the published site with its signed manifest (DATA/site/manifest.json) and lists\n"
    "every changed, added and removed file. Without --url the publish directory is read\n"
    "(default DATA/public); with --url every file of the manifest is fetched over HTTP (added\n"
    "files cannot be seen that way). Exit status: 0 clean, 1 findings, 2 usage error or the\n"
    "check could not run.\n";

int usage(const VerifyContext& ctx, const std::string& message) {
  std::fprintf(ctx.err, "koban site verify: %s\n%s", message.c_str(), kHelp);
  return 2;
}

}  // namespace

int cmd_site_verify(const std::vector<std::string>& args, const VerifyContext& ctx) {
  std::optional<std::string> dir, url, manifest_file, key_arg;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, ctx.out);
      return 0;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (name != "--dir" && name != "--url" && name != "--manifest" && name != "--public-key" && name != "--data" &&
        name != "--config")
      return usage(ctx, "unknown argument " + a);
    if (!has_value) {
      if (i + 1 >= args.size()) return usage(ctx, name + " needs a value");
      value = args[++i];
    }
    if (value.empty()) return usage(ctx, name + " needs a value");
    if (name == "--dir") dir = value;
    else if (name == "--url") url = value;
    else if (name == "--manifest") manifest_file = value;
    else if (name == "--public-key") key_arg = value;
  }
  if (dir && url) return usage(ctx, "give --dir or --url, not both");

  const fs::path mfile = manifest_file ? fs::path(*manifest_file) : ctx.data_dir / "site" / "manifest.json";
  std::vector<Finding> findings;

  // Which key to believe: an explicit one, else the pinned one; the .pub file beside the
  // manifest is only a fallback, since whoever can replace the manifest can replace it too.
  std::optional<std::string> key;
  if (key_arg) {
    key = hex::decode(*key_arg);
    if (!key || key->size() != SigningKey::kPublicKeyBytes) key = read_public_key(*key_arg);
    if (!key) return usage(ctx, "--public-key is neither 64 hex digits nor a readable key file");
  } else if (ctx.pinned_public_key) {
    key = ctx.pinned_public_key;
    auto beside = read_public_key(public_key_path(mfile));
    if (beside && *beside != *key)
      findings.push_back({FindingKind::manifest, public_key_path(mfile).string(),
                          "the public key file differs from the key of this installation"});
  } else {
    key = read_public_key(public_key_path(mfile));
    if (!key) {
      std::fprintf(ctx.err, "koban site verify: no public key (%s); give --public-key\n",
                   public_key_path(mfile).string().c_str());
      return 2;
    }
  }

  ManifestRead m = read_manifest(mfile, *key);
  if (m.problem == ManifestProblem::unreadable || m.problem == ManifestProblem::missing) {
    std::fprintf(ctx.err, "koban site verify: %s\n", m.detail.c_str());
    return 2;
  }
  if (m.problem != ManifestProblem::none) {
    findings.push_back({FindingKind::manifest, mfile.string(), m.detail});
    for (const auto& f : findings) std::fprintf(ctx.out, "%s\n", describe(f).c_str());
    std::fprintf(ctx.out, "summary: the manifest cannot be trusted (%s); nothing else was compared\n",
                 to_string(m.problem));
    return 1;
  }

  const auto started = std::chrono::steady_clock::now();
  Result<VerifyReport> report = Error::internal("not run");
  std::string where;
  if (url) {
    where = *url;
    report = verify_url(*url, m.data.files, {});
  } else {
    const fs::path d = dir ? fs::path(*dir) : ctx.data_dir / "public";
    where = d.string();
    report = verify_directory(d, m.data.files);
  }
  if (!report) {
    if (report.error().code == ErrorCode::invalid_argument) return usage(ctx, report.error().message);
    std::fprintf(ctx.err, "koban site verify: %s\n", report.error().message.c_str());
    return 2;
  }
  findings.insert(findings.end(), report->findings.begin(), report->findings.end());
  std::size_t changed = 0, added = 0, removed = 0, errors = 0;
  for (const auto& f : findings) {
    std::fprintf(ctx.out, "%s\n", describe(f).c_str());
    switch (f.kind) {
      case FindingKind::changed: ++changed; break;
      case FindingKind::added: ++added; break;
      case FindingKind::removed: ++removed; break;
      default: ++errors; break;
    }
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (url)
    std::fprintf(ctx.out, "note: over HTTP added files cannot be detected (a site cannot be listed); "
                          "run without --url on the server for those\n");
  std::fprintf(ctx.out,
               "summary: %s: %zu files in the manifest (signed %s), %zu changed, %zu added, %zu removed, "
               "%zu errors, %lld ms\n",
               where.c_str(), m.data.files.size(), format_rfc3339_utc(m.data.generated_at).c_str(), changed, added,
               removed, errors, static_cast<long long>(ms));
  return findings.empty() ? 0 : 1;
}

}  // namespace koban::site::integrity

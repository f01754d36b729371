// `koban site verify`: the live site over HTTP (a koban::http::Server serving the publish
// directory with StaticFiles on 127.0.0.1:0) and the command's output and exit status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/hex.h"
#include "core/metrics.h"
#include "http/server.h"
#include "http/static_files.h"
#include "site/integrity/manifest.h"
#include "site/integrity/url_verify.h"
#include "site/integrity/verify_command.h"
#include "store/test_db.h"

namespace koban::site::integrity {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

class SiteVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = store::testing::make_temp_dir();
    pub = fs::path(root) / "public";
    mfile = fs::path(root) / "site" / "manifest.json";
    write(pub / "index.html", "<h1>トップ</h1>");
    write(pub / "news" / "index.html", "<ul><li>お知らせ</li></ul>");
    write(pub / "news" / "お知らせ 1.html", "<p>名前に空白と日本語</p>");
    write(pub / "static" / "site.css", std::string(5000, 'c'));  // compressible: gzip only when asked
    for (int i = 0; i < 40; ++i) write(pub / "bulk" / (std::to_string(i) + ".html"), "<p>" + std::to_string(i) + "</p>");
    manifest = std::make_unique<Manifest>(mfile, SigningKey::from_secret(std::string(32, 'k')).value(), clock);
    ASSERT_OK(manifest->rebuild(pub));
  }
  void TearDown() override {
    if (server) server->stop();
    fs::remove_all(root);
  }
  void serve() {
    files = std::make_unique<http::StaticFiles>(http::StaticFilesConfig{.root = pub});
    router.get("/site/*path", [this](http::Request& r) { return files->serve(r, r.param("path")); });
    server = std::make_unique<http::Server>(
        http::ServerConfig{.host = "127.0.0.1", .port = 0, .io_threads = 2, .handler_threads = 2}, router, &metrics);
    ASSERT_OK(server->start());
    url = "http://127.0.0.1:" + std::to_string(server->port()) + "/site";
  }
  std::vector<std::string> lines(const VerifyReport& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(std::string(to_string(f.kind)) + ":" + f.path);
    return out;
  }
  // Runs the command, returning its exit status and what it printed.
  int run(std::vector<std::string> args, std::string& out, std::optional<std::string> pinned = std::nullopt) {
    std::FILE* o = std::tmpfile();
    std::FILE* e = std::tmpfile();
    int rc = cmd_site_verify(args, {.data_dir = root, .pinned_public_key = pinned, .out = o, .err = e});
    out.clear();
    for (std::FILE* f : {o, e}) {
      std::rewind(f);
      char buf[4096];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      std::fclose(f);
    }
    return rc;
  }

  std::string root, url;
  fs::path pub, mfile;
  FixedClock clock{from_unix(1795000000)};
  std::unique_ptr<Manifest> manifest;
  Metrics metrics;
  http::Router router;
  std::unique_ptr<http::StaticFiles> files;
  std::unique_ptr<http::Server> server;
};

TEST(BaseUrlTest, OnlyPlainHttp) {
  auto b = parse_base_url("http://example.jp:8080/sub/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "example.jp");
  EXPECT_EQ(b->port, "8080");
  EXPECT_EQ(b->prefix, "/sub");
  auto v6 = parse_base_url("http://[::1]");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "80");
  for (const char* bad : {"https://example.jp", "ftp://x", "http://", "http://x:99999", "http://x:8a",
                          "http://u@x", "http://x/?q=1"})
    EXPECT_FALSE(parse_base_url(bad).ok()) << bad;
  EXPECT_EQ(encode_path("news/お 1.html"), "news/%E3%81%8A%201.html");
}

TEST_F(SiteVerifyTest, LiveSiteMatchesThenAChangedFileIsFound) {
  serve();
  auto clean = verify_url(url, *manifest->files(), {});
  ASSERT_TRUE(clean.ok()) << clean.error().message;
  EXPECT_TRUE(clean->clean()) << ::testing::PrintToString(lines(*clean));
  EXPECT_EQ(clean->checked, 44u);

  write(pub / "news" / "index.html", "<ul><li>改ざん</li></ul>");
  fs::remove(pub / "bulk" / "7.html");
  files->invalidate();
  auto found = verify_url(url, *manifest->files(), {});
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_THAT(lines(*found), ElementsAre("removed:bulk/7.html", "changed:news/index.html"));
}

TEST_F(SiteVerifyTest, UnreachableSiteIsAnErrorFindingNotClean) {
  serve();
  const std::string dead = url;
  server->stop();
  server.reset();
  FileMap one{{"index.html", manifest->files()->at("index.html")}};
  auto r = verify_url(dead, one, {.timeout = std::chrono::milliseconds(2000)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].kind, FindingKind::error);
}

TEST_F(SiteVerifyTest, CommandExitStatusAndOutput) {
  std::string out;
  EXPECT_EQ(run({}, out), 0) << out;
  EXPECT_THAT(out, HasSubstr("0 changed, 0 added, 0 removed"));

  write(pub / "news" / "index.html", "<ul><li>改ざん</li></ul>");
  write(pub / "extra.html", "x");
  EXPECT_EQ(run({"--dir", pub.string()}, out), 1);
  EXPECT_THAT(out, HasSubstr("changed: news/index.html"));
  EXPECT_THAT(out, HasSubstr("added: extra.html"));
  EXPECT_THAT(out, HasSubstr("1 changed, 1 added, 0 removed"));

  serve();
  files->invalidate();
  EXPECT_EQ(run({"--url", url}, out), 1);
  EXPECT_THAT(out, HasSubstr("changed: news/index.html"));
  EXPECT_THAT(out, Not(HasSubstr("added: extra.html")));
  EXPECT_THAT(out, HasSubstr("added files cannot be detected"));

  EXPECT_EQ(run({"--url"}, out), 2);
  EXPECT_EQ(run({"--bogus"}, out), 2);
  EXPECT_EQ(run({"--dir", "a", "--url", "http://x"}, out), 2);
  EXPECT_EQ(run({"--url", "https://example.jp"}, out), 2);
  EXPECT_THAT(out, HasSubstr("https"));
  EXPECT_EQ(run({"--help"}, out), 0);
  EXPECT_THAT(out, HasSubstr("usage: koban site verify"));
}

TEST_F(SiteVerifyTest, CommandReportsAForgedManifestAndKey) {
  std::string out;
  const auto real_key = SigningKey::from_secret(std::string(32, 'k')).value().public_key();
  // The attacker changes a page, re-signs the manifest with their own key and puts their public
  // key beside it: with the installation's key pinned, both are findings.
  write(pub / "index.html", "<h1>改ざん</h1>");
  auto forger = SigningKey::from_secret(std::string(32, 'f')).value();
  Manifest forged(mfile, forger, clock);
  ASSERT_OK(forged.rebuild(pub));
  EXPECT_EQ(run({}, out, real_key), 1);
  EXPECT_THAT(out, HasSubstr("manifest: " + (fs::path(root) / "site" / "manifest.pub").string()));
  EXPECT_THAT(out, HasSubstr("signed with another key"));
  EXPECT_THAT(out, HasSubstr("cannot be trusted"));
  // Without the pinned key the forger's .pub file is believed: why the app pins it.
  EXPECT_EQ(run({}, out), 0) << out;
  // An explicit --public-key (hex) wins.
  EXPECT_EQ(run({"--public-key", hex::encode(real_key)}, out), 1);
  EXPECT_EQ(run({"--public-key", "nonsense"}, out), 2);
  // A broken signature.
  std::string text;
  {
    std::ifstream in(mfile, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  text[text.size() - 5] ^= 1;
  write(mfile, text);
  EXPECT_EQ(run({"--public-key", hex::encode(forger.public_key())}, out), 1);
  EXPECT_THAT(out, HasSubstr("signature does not verify"));
  fs::remove(mfile);
  EXPECT_EQ(run({}, out, real_key), 2);
}

}  // namespace
}  // namespace koban::site::integrity

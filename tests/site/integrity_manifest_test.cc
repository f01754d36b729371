// The signed manifest of the published site and the directory check (src/site/integrity):
// rebuild → clean; a changed byte, an added file, a deleted file, a symbolic link are each
// reported; update() after a legitimate publish → clean again; a tampered or re-signed
// manifest is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "audit/chain_hash.h"
#include "core/hex.h"
#include "site/integrity/manifest.h"
#include "site/integrity/verify.h"
#include "store/test_db.h"

namespace koban::site::integrity {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kDataKey(32, 'k');

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = store::testing::make_temp_dir();
    pub = fs::path(root) / "public";
    mfile = fs::path(root) / "site" / "manifest.json";
    write(pub / "index.html", "<h1>トップ</h1>");
    write(pub / "news" / "index.html", "<ul><li>お知らせ</li></ul>");
    write(pub / "news" / "2026" / "a1.html", "<p>記事1</p>");
    write(pub / "feeds" / "news.atom", "<feed/>");
    write(pub / "files" / "report.pdf", std::string(200000, 'x'));
  }
  void TearDown() override { fs::remove_all(root); }

  SigningKey key() { return SigningKey::from_secret(kDataKey).value(); }
  VerifyReport check(const Manifest& m) {
    auto r = verify_directory(pub, *m.files());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value_or(VerifyReport{});
  }
  std::vector<std::string> lines(const VerifyReport& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(std::string(to_string(f.kind)) + ":" + f.path);
    return out;
  }

  std::string root;
  fs::path pub, mfile;
  FixedClock clock{from_unix(1795000000)};
};

TEST(SigningKeyTest, DerivedFromTheDataKeyAndVerifiable) {
  auto a = SigningKey::from_secret(kDataKey);
  auto b = SigningKey::from_secret(kDataKey);
  auto c = SigningKey::from_secret(std::string(32, 'z'));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->public_key(), b->public_key());
  EXPECT_NE(a->public_key(), c->public_key());
  EXPECT_EQ(a->public_key().size(), 32u);
  const std::string sig = a->sign("本文");
  EXPECT_TRUE(verify_signature(a->public_key(), "本文", sig).ok());
  EXPECT_FALSE(verify_signature(a->public_key(), "本文!", sig).ok());
  EXPECT_FALSE(verify_signature(c->public_key(), "本文", sig).ok());
  EXPECT_FALSE(SigningKey::from_secret("short").ok());
  EXPECT_EQ(hex::decode(hex::encode(sig)), sig);
  EXPECT_FALSE(hex::decode("abc").has_value());
  EXPECT_FALSE(hex::decode("zz").has_value());
}

TEST(FileHashTest, Sha256AndSafePaths) {
  EXPECT_EQ(audit::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(is_safe_relative_path("news/2026/a1.html"));
  EXPECT_TRUE(is_safe_relative_path("お知らせ/一覧.html"));
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "a\\b", "a/", "a\nb"})
    EXPECT_FALSE(is_safe_relative_path(bad)) << bad;
}

TEST_F(ManifestTest, RebuildThenVerifyIsClean) {
  Manifest m(mfile, key(), clock);
  ASSERT_OK(m.rebuild(pub));
  ASSERT_TRUE(m.files());
  EXPECT_EQ(m.files()->size(), 5u);
  EXPECT_EQ(m.files()->at("files/report.pdf").size, 200000u);
  EXPECT_EQ(m.files()->at("index.html").sha256, audit::sha256_hex("<h1>トップ</h1>"));
  auto r = check(m);
  EXPECT_TRUE(r.clean()) << ::testing::PrintToString(lines(r));
  EXPECT_EQ(r.checked, 5u);
  // The public key is beside the manifest, outside the served directory.
  EXPECT_EQ(read_public_key(fs::path(root) / "site" / "manifest.pub"), key().public_key());
  EXPECT_FALSE(fs::exists(pub / "manifest.json"));
  // A second Manifest (a restart) loads and checks the same file.
  Manifest again(mfile, key(), clock);
  ASSERT_OK(again.load());
  EXPECT_EQ(*again.files(), *m.files());
}

TEST_F(ManifestTest, ChangedAddedRemovedAreEachReported) {
  Manifest m(mfile, key(), clock);
  ASSERT_OK(m.rebuild(pub));
  // One byte changed, same size: only the hash can tell.
  write(pub / "news" / "index.html", "<ul><li>お知らせ</li></ul!");
  write(pub / "news" / "evil.html", "<script>");
  fs::remove(pub / "feeds" / "news.atom");
  write(pub / "index.html", "<h1>改ざん</h1>more");  // size differs
  auto r = check(m);
  EXPECT_THAT(lines(r), ElementsAre("removed:feeds/news.atom", "changed:index.html", "added:news/evil.html",
                                    "changed:news/index.html"));
  EXPECT_EQ(describe(r.findings[3]), "changed: news/index.html (content differs)");
}

TEST_F(ManifestTest, SymbolicLinksAreFindingsNeverFollowed) {
  Manifest m(mfile, key(), clock);
  ASSERT_OK(m.rebuild(pub));
  fs::remove(pub / "news" / "2026" / "a1.html");
  fs::create_symlink("/etc/hostname", pub / "news" / "2026" / "a1.html");
  fs::create_directory_symlink("/etc", pub / "etc");
  auto r = check(m);
  EXPECT_THAT(lines(r), ElementsAre("added:etc", "changed:news/2026/a1.html"));
  // A rebuild does not take a link in either.
  ASSERT_OK(m.rebuild(pub));
  EXPECT_EQ(m.files()->count("news/2026/a1.html"), 0u);
  EXPECT_EQ(m.files()->count("etc"), 0u);
}

TEST_F(ManifestTest, UpdateAfterAPublishMakesItCleanAgain) {
  Manifest m(mfile, key(), clock);
  ASSERT_OK(m.rebuild(pub));
  const auto generation = m.generation();
  // The publisher writes an article and the lists it touches, and removes a closed one.
  write(pub / "news" / "2026" / "a2.html", "<p>記事2</p>");
  write(pub / "news" / "index.html", "<ul><li>記事2</li><li>お知らせ</li></ul>");
  fs::remove(pub / "news" / "2026" / "a1.html");
  EXPECT_FALSE(check(m).clean());
  write(pub / ".koban-publish", "koban-publish 1\nnews/2026/a2.html\n");  // the publisher's own list
  ASSERT_OK(m.update(pub, {"news/2026/a2.html", "news/index.html", ".koban-publish"}, {"news/2026/a1.html"}));
  EXPECT_EQ(m.files()->count(".koban-publish"), 0u);
  EXPECT_GT(m.generation(), generation);
  auto r = check(m);
  EXPECT_TRUE(r.clean()) << ::testing::PrintToString(lines(r));
  EXPECT_EQ(r.checked, 5u);
  // And the file on disk says the same, signed.
  auto disk = read_manifest(mfile, key().public_key());
  ASSERT_EQ(disk.problem, ManifestProblem::none) << disk.detail;
  EXPECT_EQ(disk.data.files, *m.files());
  // A written path that is gone again is dropped; unsafe paths change nothing.
  ASSERT_OK(m.update(pub, {"news/2026/gone.html"}, {}));
  EXPECT_EQ(m.files()->count("news/2026/gone.html"), 0u);
  auto bad = m.update(pub, {"../site/manifest.json"}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(read_manifest(mfile, key().public_key()).data.files, *m.files());
}

TEST_F(ManifestTest, UpdateNeedsALoadedManifest) {
  Manifest m(mfile, key(), clock);
  auto r = m.load();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_FALSE(m.update(pub, {"index.html"}, {}).ok());
}

TEST_F(ManifestTest, TamperedManifestFailsItsSignature) {
  Manifest m(mfile, key(), clock);
  ASSERT_OK(m.rebuild(pub));
  write(pub / "index.html", "<h1>改ざん</h1>");
  // The attacker puts the new hash in the manifest to hide the change.
  std::string text = slurp(mfile);
  const std::string old_hash = m.files()->at("index.html").sha256;
  auto at = text.find(old_hash);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, old_hash.size(), audit::sha256_hex("<h1>改ざん</h1>"));
  write(mfile, text);
  auto r = read_manifest(mfile, key().public_key());
  EXPECT_EQ(r.problem, ManifestProblem::bad_signature);
  EXPECT_TRUE(r.data.files.empty());
  Manifest restarted(mfile, key(), clock);
  auto loaded = restarted.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.error().message, HasSubstr("bad signature"));
  EXPECT_FALSE(restarted.loaded());

  // Re-signed with the attacker's own key (and their .pub beside it): named as such.
  auto other = SigningKey::from_secret(std::string(40, 'a')).value();
  write(mfile, serialize_manifest(clock.now(), {{"index.html", {audit::sha256_hex("x"), 1}}}, other));
  EXPECT_EQ(read_manifest(mfile, key().public_key()).problem, ManifestProblem::wrong_key);
  EXPECT_EQ(read_manifest(mfile, other.public_key()).problem, ManifestProblem::none);

  write(mfile, "not a manifest");
  EXPECT_EQ(read_manifest(mfile, key().public_key()).problem, ManifestProblem::malformed);
  fs::remove(mfile);
  EXPECT_EQ(read_manifest(mfile, key().public_key()).problem, ManifestProblem::missing);
}

TEST_F(ManifestTest, ManifestRoundTripsItsFields) {
  FileMap files{{"a b/日本語.html", {audit::sha256_hex("1"), 1}}, {"q\"uote.html", {audit::sha256_hex("22"), 2}}};
  const std::string text = serialize_manifest(clock.now(), files, key());
  auto r = parse_manifest(text, key().public_key());
  ASSERT_EQ(r.problem, ManifestProblem::none) << r.detail;
  EXPECT_EQ(r.data.files, files);
  EXPECT_EQ(r.data.generated_at, clock.now());
  EXPECT_EQ(r.data.public_key, key().public_key());
  // What a third party checks: the header names the SHA-256 of the rest and signs that line.
  const auto nl = text.find('\n');
  const std::string header = text.substr(0, nl);
  EXPECT_EQ(header.rfind(std::string(kHeaderPrefix) + audit::sha256_hex(text.substr(nl + 1)) + " ed25519=", 0), 0u);
  const auto at = header.find(" ed25519=");
  EXPECT_TRUE(verify_signature(key().public_key(), header.substr(0, at), *hex::decode(header.substr(at + 9))).ok());
  // A name that is not UTF-8 still gives valid JSON (and then never matches the disk).
  auto odd = parse_manifest(serialize_manifest(clock.now(), {{"\xff.html", {audit::sha256_hex(""), 0}}}, key()),
                            key().public_key());
  ASSERT_EQ(odd.problem, ManifestProblem::none) << odd.detail;
  EXPECT_EQ(odd.data.files.begin()->first, "\xef\xbf\xbd.html");
}

TEST_F(ManifestTest, ManyFilesHashedInParallelAllCompared) {
  for (int i = 0; i < 600; ++i) write(pub / "bulk" / std::to_string(i % 7) / (std::to_string(i) + ".html"), std::to_string(i));
  Manifest m(mfile, key(), clock);
  ASSERT_OK(m.rebuild(pub));
  EXPECT_EQ(m.files()->size(), 605u);
  write(pub / "bulk" / "3" / "304.html", "999");  // same size, other content
  auto r = check(m);
  EXPECT_THAT(lines(r), ElementsAre("changed:bulk/3/304.html"));
  EXPECT_EQ(r.checked, 605u);
  EXPECT_EQ(r.hashed, 605u);
}

TEST(FindingsKeyTest, SameFindingsSameKeyInAnyOrder) {
  std::vector<Finding> a{{FindingKind::changed, "x.html", "size 1 -> 2"}, {FindingKind::added, "y.html", ""}};
  std::vector<Finding> b{{FindingKind::added, "y.html", ""}, {FindingKind::changed, "x.html", "content differs"}};
  std::vector<Finding> c{{FindingKind::added, "y.html", ""}};
  EXPECT_EQ(findings_key(a), findings_key(b));
  EXPECT_NE(findings_key(a), findings_key(c));
}

}  // namespace
}  // namespace koban::site::integrity

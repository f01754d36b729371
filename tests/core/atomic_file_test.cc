// write_file_atomically: new and replaced files, folders made on the way, nothing left behind,
// and a clear error when the target cannot be written. hex: round trip and refusals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/hex.h"

namespace koban {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AtomicFile, WritesReplacesAndLeavesNoTemporaryFile) {
  const fs::path dir = fs::temp_directory_path() / ("koban-atomic-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path file = dir / "a" / "b" / "index.html";
  ASSERT_TRUE(write_file_atomically(file, "first", {.mode = 0640, .sync = false, .new_dir_perms = 0750}).ok());
  EXPECT_EQ(read(file), "first");
  const auto perms = fs::status(file).permissions();
  EXPECT_NE(perms & fs::perms::owner_read, fs::perms::none);
  EXPECT_EQ(perms & (fs::perms::others_all | fs::perms::group_write), fs::perms::none);  // 0640 at most
  EXPECT_EQ(fs::status(file.parent_path()).permissions() & fs::perms::all, fs::perms(0750));
  ASSERT_TRUE(write_file_atomically(file, std::string(100000, 'x')).ok());
  EXPECT_EQ(read(file), std::string(100000, 'x'));
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(file.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);  // no ".index.html.tmp..." left
  // A folder where the file should be: refused, the folder untouched, no temporary file left.
  fs::create_directories(dir / "taken");
  auto refused = write_file_atomically(dir / "taken", "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::unavailable);
  EXPECT_TRUE(fs::is_directory(dir / "taken"));
  entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2);  // a/ and taken/
  fs::remove_all(dir);
}

TEST(Hex, RoundTripAndRefusals) {
  EXPECT_EQ(hex::encode(std::string("\x01\xab\xff", 3)), "01abff");
  EXPECT_EQ(hex::decode(" 01ABff\n"), std::string("\x01\xab\xff", 3));
  EXPECT_EQ(hex::decode(""), std::string());
  EXPECT_FALSE(hex::decode("abc").has_value());
  EXPECT_FALSE(hex::decode("zz").has_value());
  EXPECT_FALSE(hex::decode("0 1").has_value());
}

}  // namespace
}  // namespace koban

#include "http/forms/temp_file.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace koban::http::forms {
namespace {

namespace fs = std::filesystem;

class FormsTempFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "koban-tempfile-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(FormsTempFile, CreatesPrivateFilesAndRemovesThem) {
  fs::path p1, p2;
  {
    auto a = TempFile::create(dir_);
    auto b = TempFile::create(dir_);
    ASSERT_TRUE(a.ok() && b.ok());
    p1 = a->path();
    p2 = b->path();
    EXPECT_NE(p1, p2);
    EXPECT_EQ(p1.parent_path(), dir_);
    struct stat st {};
    ASSERT_EQ(::stat(p1.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_TRUE(a->write("hello ").ok());
    ASSERT_TRUE(a->write("world").ok());
    ASSERT_TRUE(a->close().ok());
    ASSERT_TRUE(a->close().ok());   // idempotent
    EXPECT_FALSE(a->write("late").ok());
    EXPECT_EQ(read_all(p1), "hello world");

    TempFile moved = std::move(*a);   // ownership moves; the moved-from object owns nothing
    EXPECT_EQ(moved.path(), p1);
    EXPECT_FALSE(a->owns_file());
    moved = std::move(*b);            // assigning over an owner removes its old file
    EXPECT_FALSE(fs::exists(p1));
    EXPECT_TRUE(fs::exists(p2));
  }
  EXPECT_FALSE(fs::exists(p2));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(FormsTempFile, ReleaseAndMoveToKeepTheFile) {
  fs::path released;
  const fs::path dest = dir_ / "final.bin";
  {
    auto a = TempFile::create(dir_);
    auto b = TempFile::create(dir_);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(a->write("A").ok());
    ASSERT_TRUE(b->write("B").ok());
    released = a->release();
    EXPECT_FALSE(a->owns_file());
    ASSERT_TRUE(b->move_to(dest).ok());
    EXPECT_FALSE(b->owns_file());
    EXPECT_FALSE(b->move_to(dest).ok());  // nothing left to move
  }
  EXPECT_EQ(read_all(released), "A");
  EXPECT_EQ(read_all(dest), "B");
}

TEST_F(FormsTempFile, MissingDirectoryIsAnError) {
  auto r = TempFile::create(dir_ / "no" / "such");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
}

}  // namespace
}  // namespace koban::http::forms

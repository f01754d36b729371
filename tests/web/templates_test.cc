// Templates: escaping by default, partials found by name (nested ones too), a layout around
// page content, and clear errors for unknown templates.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "web/templates.h"

namespace koban::web {
namespace {

namespace fs = std::filesystem;

class TemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("koban-templates-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    write("layout/page", "<main>{{{content}}}</main><footer>{{site}}</footer>");
    write("public/outer", "outer[{{> public/middle}}]");
    write("public/middle", "middle({{> public/inner}})");
    write("public/inner", "inner {{name}}");
    write("public/plain", "plain {{name}}");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / (name + ".mustache")) << text;
  }
  fs::path dir_;
};

TEST_F(TemplatesTest, NestedPartialsRenderAndValuesAreEscaped) {
  auto t = Templates::load(dir_);
  ASSERT_TRUE(t) << t.error().message;
  auto out = (*t)->render("public/outer", {{"name", "<b>太郎</b>"}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "outer[middle(inner &lt;b&gt;太郎&lt;/b&gt;)]");
  auto plain = (*t)->render("public/plain", {{"name", "x"}});
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "plain x");
}

TEST_F(TemplatesTest, PageWrapsContentInTheLayout) {
  auto t = Templates::load(dir_);
  ASSERT_TRUE(t);
  auto out = (*t)->page("layout/page", "public/outer", {{"name", "a"}, {"site", "県警"}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "<main>outer[middle(inner a)]</main><footer>県警</footer>");
}

TEST_F(TemplatesTest, UnknownTemplatesAndBrokenOnesAreErrors) {
  auto t = Templates::load(dir_);
  ASSERT_TRUE(t);
  EXPECT_FALSE((*t)->render("public/missing", {}));
  write("public/broken", "{{#open}}never closed");
  EXPECT_FALSE(Templates::load(dir_));
}

TEST(TemplatesRepository, EveryShippedTemplateParses) {
  auto t = Templates::load(Templates::default_dir());
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE((*t)->has("layout/public"));
  EXPECT_TRUE((*t)->has("layout/staff"));
}

}  // namespace
}  // namespace koban::web

// The multipart parser must reach the same outcome (fields, files and their bytes, or the
// same error) however the body is cut into feed() calls.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "http/forms/multipart_parser.h"

namespace koban::http::forms {
namespace {

namespace fs = std::filesystem;

const std::string kB = "xYz-Bnd";

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Everything observable about one parse, as text that can be compared.
std::string describe(Result<MultipartForm> r) {
  if (!r) return "error " + std::string(to_string(r.error().code)) + ": " + r.error().message;
  std::string out = "ok\n";
  for (const auto& [n, v] : r->fields) out += "field [" + n + "]=[" + v + "]\n";
  for (const auto& f : r->files) {
    out += "file [" + f.field_name + "] [" + f.filename + "] [" + f.content_type + "] " + std::to_string(f.size) +
           " [" + read_all(f.temp_path()) + "]\n";
  }
  return out;
}

class FormsMultipartSplit : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "koban-split-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Feeds `body` in the pieces that start at `cuts` (ascending offsets).
  std::string run(std::string_view body, const std::vector<std::size_t>& cuts, const MultipartLimits& limits) {
    MultipartParser p(kB, limits, dir_);
    std::size_t prev = 0;
    for (std::size_t c : cuts) {
      if (!p.feed(body.substr(prev, c - prev))) return describe(p.finish());
      prev = c;
    }
    if (!p.feed(body.substr(prev))) return describe(p.finish());
    return describe(p.finish());
  }

  void expect_split_invariant(const std::string& name, const std::string& body, const MultipartLimits& limits) {
    const std::string whole = run(body, {}, limits);
    // Every fixed chunk size 1..64 (and the whole body, above).
    for (std::size_t k = 1; k <= 64 && k < body.size(); ++k) {
      std::vector<std::size_t> cuts;
      for (std::size_t c = k; c < body.size(); c += k) cuts.push_back(c);
      ASSERT_EQ(run(body, cuts, limits), whole) << name << ", chunks of " << k;
    }
    // Every single cut point.
    for (std::size_t c = 1; c < body.size(); ++c) {
      ASSERT_EQ(run(body, {c}, limits), whole) << name << ", cut at " << c;
    }
    // Random cuts, reproducible.
    std::mt19937 rng(12345);
    for (int round = 0; round < 50; ++round) {
      std::vector<std::size_t> cuts;
      for (std::size_t c = 1 + rng() % 7; c < body.size(); c += 1 + rng() % 23) cuts.push_back(c);
      ASSERT_EQ(run(body, cuts, limits), whole) << name << ", random round " << round;
    }
    EXPECT_TRUE(fs::is_empty(dir_)) << name;
    expected_outcomes_.push_back(whole);
  }

  fs::path dir_;
  std::vector<std::string> expected_outcomes_;
};

std::string part(std::string_view headers, std::string_view data) {
  return "--" + kB + "\r\n" + std::string(headers) + "\r\n\r\n" + std::string(data) + "\r\n";
}
std::string close_delim() { return "--" + kB + "--\r\n"; }

TEST_F(FormsMultipartSplit, SameOutcomeForEverySplit) {
  const std::string tricky = "a\r\n--xYz-Bn\r\r\n-\r\n--xYz-B";
  const std::string valid =
      "preamble\r\n" + part("Content-Disposition: form-data; name=\"名前\"", "山田 太郎") +
      part("Content-Disposition: form-data; name=t", tricky) +
      part("Content-Disposition: form-data; name=f; filename=\"a/b/写真.jpg\"\r\nContent-Type: image/jpeg",
           std::string("\xFF\xD8\0\r\n\r", 6) + tricky) +
      part("Content-Disposition: form-data; name=e; filename=\"\"", "") +
      part("Content-Disposition: form-data; name=g; filename*=UTF-8''%E5%B1%8A.txt", "") +
      "--" + kB + "--  \r\nepilogue";
  MultipartLimits limits;
  expect_split_invariant("valid", valid, limits);
  EXPECT_EQ(expected_outcomes_.back().substr(0, 3), "ok\n");
  const std::string file_desc = "[写真.jpg] [image/jpeg] " + std::to_string(6 + tricky.size());
  EXPECT_NE(expected_outcomes_.back().find(file_desc), std::string::npos) << expected_outcomes_.back();
  EXPECT_NE(expected_outcomes_.back().find("[届.txt] [] 0 []"), std::string::npos);
  EXPECT_EQ(expected_outcomes_.back().find("file [e]"), std::string::npos);  // empty file input

  // Malformed bodies: the same error wherever the cuts fall.
  expect_split_invariant("bad header", part("Content-Disposition: form-data; name=a\r\nBad Header", "x") + close_delim(),
                         limits);
  expect_split_invariant("garbage after delimiter", part("Content-Disposition: form-data; name=a", "x") + "--" + kB +
                                                        "?\r\n" + close_delim(),
                         limits);
  expect_split_invariant("truncated", part("Content-Disposition: form-data; name=a; filename=x", "data") + "--" + kB,
                         limits);
  expect_split_invariant("bad utf-8", part("Content-Disposition: form-data; name=a", "\xE3\x81") + close_delim(), limits);
}

TEST_F(FormsMultipartSplit, LimitsHitTheSameWayForEverySplit) {
  const std::string body = part("Content-Disposition: form-data; name=a", "0123456789") +
                           part("Content-Disposition: form-data; name=f; filename=f.bin", std::string(40, 'F')) +
                           part("Content-Disposition: form-data; name=b", "abc") + close_delim();
  MultipartLimits l;
  l.max_file_bytes = 39;
  expect_split_invariant("file limit", body, l);
  l = {};
  l.max_field_value_bytes = 9;
  expect_split_invariant("field limit", body, l);
  l = {};
  l.max_field_value_bytes = 9;
  l.max_fields_total_bytes = 5;  // two limits crossed by the same data: the earlier one wins
  expect_split_invariant("field total before field value", body, l);
  EXPECT_NE(expected_outcomes_.back().find("全体"), std::string::npos) << expected_outcomes_.back();
  l = {};
  l.max_parts = 2;
  expect_split_invariant("part limit", body, l);
  l = {};
  l.max_total_bytes = 150;  // inside the file's data
  expect_split_invariant("total limit", body, l);
  l = {};
  l.max_total_bytes = 150;
  l.max_file_bytes = 4;     // both limits: whichever is found first, the same for every split
  expect_split_invariant("file and total", body, l);
  for (const auto& outcome : expected_outcomes_) {
    EXPECT_EQ(outcome.rfind("error too_large", 0), 0u) << outcome;
  }
}

}  // namespace
}  // namespace koban::http::forms

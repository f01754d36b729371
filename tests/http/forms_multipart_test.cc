#include "http/forms/multipart_parser.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "http/forms/multipart_boundary.h"

namespace koban::http::forms {
namespace {

namespace fs = std::filesystem;

const std::string kB = "----kobanTestBoundary7MA4YWxk";

std::string field(std::string_view name, std::string_view value) {
  return "--" + kB + "\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" +
         std::string(value) + "\r\n";
}

std::string file_part(std::string_view name, std::string_view filename, std::string_view type,
                      std::string_view content) {
  return "--" + kB + "\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"; filename=\"" +
         std::string(filename) + "\"\r\nContent-Type: " + std::string(type) + "\r\n\r\n" + std::string(content) +
         "\r\n";
}

std::string close_delim() { return "--" + kB + "--\r\n"; }

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class FormsMultipart : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "koban-forms-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::size_t files_in_dir() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}));
  }

  Result<MultipartForm> parse(std::string_view body, const MultipartLimits& limits = {}) {
    return parse_multipart(body, kB, limits, dir_);
  }

  Error parse_error(std::string_view body, const MultipartLimits& limits = {}) {
    auto r = parse(body, limits);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error{} : r.error();
  }

  fs::path dir_;
};

TEST_F(FormsMultipart, ParsesFieldsAndFiles) {
  const std::string body = field("subject", "落とし物") + field("tag", "a") +
                           file_part("photo", "写真.jpg", "image/jpeg", std::string("\xFF\xD8\x00\r\n--x", 8)) +
                           field("tag", "b") + close_delim();
  auto r = parse(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->fields.size(), 3u);
  EXPECT_EQ(r->fields.get("subject"), "落とし物");
  EXPECT_EQ(r->fields.all("tag"), (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(r->files.size(), 1u);
  const UploadedFile& f = r->files[0];
  EXPECT_EQ(f.field_name, "photo");
  EXPECT_EQ(f.filename, "写真.jpg");
  EXPECT_EQ(f.content_type, "image/jpeg");
  EXPECT_EQ(f.size, 8u);
  EXPECT_EQ(f.temp_path().parent_path(), dir_);
  EXPECT_EQ(read_all(f.temp_path()), std::string("\xFF\xD8\x00\r\n--x", 8));
  struct stat st {};
  ASSERT_EQ(::stat(f.temp_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(FormsMultipart, AcceptsPreambleEpiloguePaddingAndEmptyForms) {
  const std::string body = "This is a preamble.\r\n--" + kB + " \t\r\nContent-Disposition: form-data; name=a\r\n"
                           "X-Other: ignored\r\n\r\n1\r\n--" + kB + "--  trailing epilogue\r\n junk";
  auto r = parse(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->fields.get("a"), "1");

  auto empty = parse("--" + kB + "--");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->fields.empty());
  EXPECT_TRUE(empty->files.empty());
}

TEST_F(FormsMultipart, EmptyFileInputIsNoFileButAnEmptyFileIsOne) {
  auto r = parse(file_part("none", "", "application/octet-stream", "") +
                 file_part("zero", "empty.txt", "text/plain", "") + close_delim());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files[0].field_name, "zero");
  EXPECT_EQ(r->files[0].size, 0u);
  EXPECT_TRUE(fs::exists(r->files[0].temp_path()));
}

TEST_F(FormsMultipart, SanitisesFileNamesAndDecodesFilenameStar) {
  const std::string body =
      "--" + kB + "\r\nContent-Disposition: form-data; name=\"a\"; filename=\"C:\\Users\\x\\..\\evil.txt\"\r\n\r\nA\r\n" +
      "--" + kB + "\r\nContent-Disposition: form-data; name=\"b\"; filename=\"fallback.pdf\"; "
      "filename*=UTF-8''%E5%B1%8A%E5%87%BA%E6%9B%B8.pdf\r\n\r\nB\r\n" +
      "--" + kB + "\r\ncontent-disposition: form-data; name=\"c\"; filename*=utf-8''..%2F..%2Fetc%2Fpasswd\r\n\r\nC\r\n" +
      "--" + kB + "\r\nContent-Disposition: form-data; name=\"d\"; filename*=\"iso-8859-1'en'%A3.txt\"\r\n\r\nD\r\n" +
      close_delim();
  auto r = parse(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->files.size(), 4u);
  EXPECT_EQ(r->files[0].filename, "evil.txt");
  EXPECT_EQ(r->files[1].filename, "届出書.pdf");   // filename* wins over filename
  EXPECT_EQ(r->files[2].filename, "passwd");
  EXPECT_EQ(r->files[3].filename, "£.txt");
  EXPECT_EQ(r->files[1].content_type, "");         // none sent

  for (const char* bad : {"UTF-8''%E5%B1", "UTF-8''%ZZ", "EUC-JP''%A4%A2", "noquotes"}) {
    const std::string b = "--" + kB + "\r\nContent-Disposition: form-data; name=\"a\"; filename*=" + bad +
                          "\r\n\r\nA\r\n" + close_delim();
    EXPECT_EQ(parse_error(b).code, ErrorCode::invalid_argument) << bad;
  }
}

TEST_F(FormsMultipart, RejectsMalformedBodies) {
  const auto cd = [](std::string headers, std::string data = "v") {
    return "--" + kB + "\r\n" + headers + "\r\n\r\n" + data + "\r\n" + close_delim();
  };
  struct Case { std::string name, body; };
  const std::vector<Case> cases = {
      {"no delimiter at all", "just some text"},
      {"wrong boundary", "--other\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--other--"},
      {"no headers", "--" + kB + "\r\n\r\nv\r\n" + close_delim()},
      {"no Content-Disposition", cd("Content-Type: text/plain")},
      {"not form-data", cd("Content-Disposition: attachment; name=a")},
      {"no name", cd("Content-Disposition: form-data; filename=a.txt")},
      {"header without colon", cd("Content-Disposition form-data; name=a")},
      {"empty header name", cd(": x\r\nContent-Disposition: form-data; name=a")},
      {"space before colon", cd("Content-Disposition : form-data; name=a")},
      {"folded header", cd("Content-Disposition: form-data;\r\n name=a")},
      {"bare LF in header", cd("Content-Disposition: form-data; name=a\nX: y")},
      {"bare CR in header", cd("Content-Disposition: form-data; name=a\rX: y")},
      {"control char in header", cd("Content-Disposition: form-data; name=a\x01")},
      {"duplicate disposition", cd("Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b")},
      {"duplicate param", cd("Content-Disposition: form-data; name=a; name=b")},
      {"duplicate filename", cd("Content-Disposition: form-data; name=a; filename=x; filename=y")},
      {"unterminated quote", cd("Content-Disposition: form-data; name=\"a")},
      {"invalid UTF-8 field name", cd("Content-Disposition: form-data; name=\"\xC0\xAF\"")},
      {"invalid UTF-8 value", cd("Content-Disposition: form-data; name=a", "\xED\xA0\x80")},
      {"NUL in value", cd("Content-Disposition: form-data; name=a", std::string("x\0y", 3))},
      {"garbage after delimiter", "--" + kB + "x\r\n"},
      {"dash then garbage", "--" + kB + "-x"},
      {"padding then close", field("a", "1") + "--" + kB + " --"},
      {"boundary-like text in data", field("a", "x\r\n--" + kB + "X more") + close_delim()},
  };
  for (const auto& c : cases) {
    auto r = parse(c.body);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << c.name << ": " << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_EQ(files_in_dir(), 0u);
}

TEST_F(FormsMultipart, BoundaryLikeTextThatIsNotADelimiterIsData) {
  // "--boundary" not at a line start, a CRLF-- prefix of the boundary, and the boundary
  // without its leading CRLF are all plain data.
  const std::string tricky = "--" + kB + " in text\r\n--" + kB.substr(0, 10) + "\r\n-" + kB + "\n--" + kB + "\r";
  auto r = parse(field("a", tricky) + file_part("f", "f.bin", "application/octet-stream", tricky) + close_delim());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->fields.get("a"), tricky);
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(read_all(r->files[0].temp_path()), tricky);
}

TEST_F(FormsMultipart, TruncatedBodiesFailAtFinish) {
  const std::string full = field("a", "1") + file_part("f", "f.txt", "text/plain", "data") + close_delim();
  const std::size_t close_start = full.size() - close_delim().size();
  // Every prefix that stops before the "--" of the close delimiter is truncated.
  for (std::size_t len = 0; len < close_start + 2 + kB.size() + 2; ++len) {
    MultipartParser p(kB, {}, dir_);
    ASSERT_TRUE(p.feed(full.substr(0, len)).ok()) << len;
    auto r = p.finish();
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(r.error().message.find("途中で終わって"), std::string::npos);
    EXPECT_EQ(files_in_dir(), 0u) << len;
  }
  EXPECT_TRUE(parse(full.substr(0, close_start + 2 + kB.size() + 2)).ok());  // the CRLF after "--" is optional
}

TEST_F(FormsMultipart, InvalidBoundaryFailsFirstFeed) {
  MultipartParser p("bad;boundary", {}, dir_);
  auto r = p.feed("--bad;boundary--");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(p.finish().ok());
}

TEST_F(FormsMultipart, EachLimitGivesTooLarge) {
  const auto expect_limit = [&](const std::string& what, const std::string& ok_body, const std::string& bad_body,
                                const MultipartLimits& l) {
    {
      auto good = parse(ok_body, l);
      EXPECT_TRUE(good.ok()) << what << ": " << (good.ok() ? "" : good.error().message);
    }
    auto bad = parse(bad_body, l);
    ASSERT_FALSE(bad.ok()) << what;
    EXPECT_EQ(bad.error().code, ErrorCode::too_large) << what << ": " << bad.error().message;
    EXPECT_EQ(files_in_dir(), 0u) << what;
  };
  {
    MultipartLimits l;
    l.max_parts = 2;
    expect_limit("parts", field("a", "1") + field("b", "2") + close_delim(),
                 field("a", "1") + field("b", "2") + file_part("c", "c", "x/y", "3") + close_delim(), l);
  }
  {
    MultipartLimits l;
    // Padded past the parser's minimum header limit (64 bytes).
    const std::string head = "Content-Disposition: form-data; name=a\r\nX-Pad: " + std::string(60, 'p') + "\r\n";
    l.max_header_bytes = head.size() + 2;  // the header block includes the blank line's CRLF
    expect_limit("header", "--" + kB + "\r\n" + head + "\r\n1\r\n" + close_delim(),
                 "--" + kB + "\r\n" + head + "Y: z\r\n\r\n1\r\n" + close_delim(), l);
    l.max_header_bytes = 64;  // also when the terminator never comes
    expect_limit("header, unterminated", field("a", "1") + close_delim(),
                 "--" + kB + "\r\nContent-Disposition: form-data; name=a\r\nX-Long: " + std::string(100, 'x'), l);
  }
  {
    MultipartLimits l;
    l.max_field_value_bytes = 5;
    expect_limit("field value", field("a", "12345") + close_delim(), field("a", "123456") + close_delim(), l);
  }
  {
    MultipartLimits l;
    l.max_fields_total_bytes = 8;
    expect_limit("fields total", field("a", "1234") + field("b", "5678") + close_delim(),
                 field("a", "1234") + field("b", "56789") + close_delim(), l);
  }
  {
    MultipartLimits l;
    l.max_file_bytes = 10;
    expect_limit("file", file_part("f", "f.bin", "x/y", std::string(10, 'z')) + close_delim(),
                 file_part("f", "f.bin", "x/y", std::string(10, 'z')) +
                     file_part("g", "g.bin", "x/y", std::string(11, 'z')) + close_delim(),
                 l);
  }
  {
    const std::string body = field("a", "1") + file_part("f", "f.bin", "x/y", "hello") + close_delim();
    MultipartLimits l;
    l.max_total_bytes = body.size();
    expect_limit("total", body, body + "x", l);
  }
}

TEST_F(FormsMultipart, TempFilesAreRemovedOnErrorAndDestruction) {
  const std::string start = file_part("f", "a.bin", "x/y", std::string(5000, 'a')) +
                            "--" + kB + "\r\nContent-Disposition: form-data; name=g; filename=b.bin\r\n\r\n" +
                            std::string(3000, 'b');
  {  // destroyed in the middle of the second file
    MultipartParser p(kB, {}, dir_);
    ASSERT_TRUE(p.feed(start).ok());
    EXPECT_EQ(files_in_dir(), 2u);
  }
  EXPECT_EQ(files_in_dir(), 0u);

  {  // an error in the middle
    MultipartParser p(kB, {}, dir_);
    ASSERT_TRUE(p.feed(start).ok());
    auto r = p.feed("\r\n--" + kB + "garbage");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(files_in_dir(), 0u);
    auto again = p.feed("more");   // the error sticks
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().message, r.error().message);
  }

  {  // handed out but not taken: removed with the form
    MultipartParser p(kB, {}, dir_);
    ASSERT_TRUE(p.feed(start + "\r\n" + close_delim()).ok());
    auto form = p.finish();
    ASSERT_TRUE(form.ok());
    ASSERT_EQ(form->files.size(), 2u);
    EXPECT_EQ(files_in_dir(), 2u);
    EXPECT_FALSE(p.feed("x").ok());   // finished
  }
  EXPECT_EQ(files_in_dir(), 0u);

  fs::path kept, moved = dir_ / "stored.bin";
  {  // taken: one released, one moved
    auto form = parse(start + "\r\n" + close_delim());
    ASSERT_TRUE(form.ok());
    kept = form->files[0].temp.release();
    ASSERT_TRUE(form->files[1].temp.move_to(moved).ok());
  }
  EXPECT_TRUE(fs::exists(kept));
  EXPECT_EQ(read_all(kept), std::string(5000, 'a'));
  EXPECT_EQ(read_all(moved), std::string(3000, 'b'));
  EXPECT_EQ(files_in_dir(), 2u);
}

TEST_F(FormsMultipart, MissingTempDirIsUnavailable) {
  auto r = parse_multipart(file_part("f", "a.bin", "x/y", "data") + close_delim(), kB, {}, dir_ / "missing");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
}

// A 20 MB upload streams to disk: the parser's own buffer stays small however the body is
// chunked, and the file arrives intact.
TEST_F(FormsMultipart, TwentyMegabyteFileStreamsWithABoundedBuffer) {
  constexpr std::size_t kSize = 20 * 1024 * 1024;
  constexpr std::size_t kBound = 64 * 1024;
  const auto byte_at = [](std::size_t i) { return static_cast<char>((i * 7 + i / 4099) & 0xFF); };
  MultipartLimits limits;
  limits.max_file_bytes = kSize;
  limits.max_total_bytes = kSize + 4096;
  MultipartParser p(kB, limits, dir_);
  std::size_t max_buffered = p.buffered_bytes();
  const auto feed = [&](std::string_view s) {
    ASSERT_TRUE(p.feed(s).ok());
    max_buffered = std::max(max_buffered, p.buffered_bytes());
  };
  feed(field("note", "大きいファイル"));
  feed("--" + kB + "\r\nContent-Disposition: form-data; name=\"big\"; filename=\"big.bin\"\r\n\r\n");
  // Chunks of odd sizes, one of them 3 MB at once.
  std::string chunk;
  std::size_t sent = 0, step = 0;
  while (sent < kSize) {
    const std::size_t n = std::min(kSize - sent, step == 5 ? std::size_t{3 << 20} : std::size_t{65536 + 17 * step});
    chunk.resize(n);
    for (std::size_t i = 0; i < n; ++i) chunk[i] = byte_at(sent + i);
    feed(chunk);
    sent += n;
    ++step;
  }
  chunk.clear();
  chunk.shrink_to_fit();
  feed("\r\n" + close_delim());
  EXPECT_LT(max_buffered, kBound);
  auto form = p.finish();
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_EQ(form->fields.get("note"), "大きいファイル");
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(form->files[0].size, kSize);
  ASSERT_EQ(fs::file_size(form->files[0].temp_path()), kSize);
  std::ifstream in(form->files[0].temp_path(), std::ios::binary);
  std::string buf(1 << 20, '\0');
  std::size_t pos = 0, mismatches = 0;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i, ++pos) mismatches += buf[i] != byte_at(pos);
  }
  EXPECT_EQ(pos, kSize);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace koban::http::forms

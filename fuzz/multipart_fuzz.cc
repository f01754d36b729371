// libFuzzer target: the streaming multipart parser (and multipart_boundary).
//
// Input: byte 0 seeds the chunk split, byte 1 picks the limits, the rest is the body, with the
// boundary fixed to "bnd" (see multipart.dict and the seed corpus). Each body is parsed twice,
// once in one feed() and once in chunks chosen from the seed, and the two outcomes (fields,
// files and their bytes, or error code and message) must be identical. It also checks the
// limits on success, that the parser's buffer stays bounded, and that no temp file survives
// the parse once the results are dropped.
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/forms/multipart_boundary.h"
#include "http/forms/multipart_parser.h"
#include "http/forms/safe_file_name.h"
#include "http/forms/utf8.h"

using namespace koban;
using namespace koban::http::forms;

namespace {

constexpr std::string_view kBoundary = "bnd";

const std::filesystem::path& temp_dir() {
  static const std::filesystem::path dir = [] {
    // /dev/shm keeps the per-input file creation cheap; any writable directory works.
    std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::filesystem::temp_directory_path().string();
    std::string templ = base + "/koban-multipart-fuzz-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) std::abort();
    std::atexit([] { std::filesystem::remove_all(temp_dir()); });
    return std::filesystem::path(templ);
  }();
  return dir;
}

bool dir_is_empty(const std::filesystem::path& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return false;
  bool empty = true;
  while (dirent* e = readdir(d)) {
    const std::string_view n = e->d_name;
    if (n != "." && n != "..") { empty = false; break; }
  }
  closedir(d);
  return empty;
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

MultipartLimits pick_limits(std::uint8_t sel) {
  MultipartLimits l;
  l.max_parts = 1 + (sel & 7);
  l.max_header_bytes = (sel & 8) ? 64 : 512;
  l.max_field_value_bytes = (sel & 16) ? 16 : 256;
  l.max_fields_total_bytes = (sel & 32) ? 40 : 1024;
  l.max_file_bytes = (sel & 64) ? 24 : 1024;
  l.max_total_bytes = (sel & 128) ? 300 : 8192;
  return l;
}

std::string describe(Result<MultipartForm> r, const MultipartLimits& l) {
  if (!r) {
    const ErrorCode c = r.error().code;
    FUZZ_CHECK(c == ErrorCode::too_large || c == ErrorCode::invalid_argument, "error code");
    FUZZ_CHECK(!r.error().message.empty(), "error message");
    return "error " + std::string(to_string(c)) + ": " + r.error().message;
  }
  FUZZ_CHECK(r->fields.size() + r->files.size() <= l.max_parts, "part count");
  std::size_t field_bytes = 0;
  std::string out = "ok\n";
  for (const auto& [n, v] : r->fields) {
    FUZZ_CHECK(is_valid_utf8(n) && is_valid_utf8(v), "field UTF-8");
    FUZZ_CHECK(v.find('\0') == std::string::npos, "field NUL");
    FUZZ_CHECK(v.size() <= l.max_field_value_bytes, "field size");
    field_bytes += v.size();
    out += "field [" + n + "]=[" + v + "]\n";
  }
  FUZZ_CHECK(field_bytes <= l.max_fields_total_bytes, "fields total");
  for (const auto& f : r->files) {
    FUZZ_CHECK(f.size <= l.max_file_bytes, "file size limit");
    FUZZ_CHECK(safe_file_name(f.filename) == f.filename, "file name is sanitised");
    FUZZ_CHECK(f.temp_path().parent_path() == temp_dir(), "temp file in the temp dir");
    const std::string content = read_all(f.temp_path());
    FUZZ_CHECK(content.size() == f.size, "file size matches the bytes on disk");
    out += "file [" + f.field_name + "] [" + f.filename + "] [" + f.content_type + "] " + std::to_string(f.size) +
           " [" + content + "]\n";
  }
  return out;
}

std::string parse_in_chunks(std::string_view body, const MultipartLimits& l, std::uint8_t seed) {
  MultipartParser p(kBoundary, l, temp_dir());
  // A tiny xorshift generator: the split depends only on the input, so crashes reproduce.
  std::uint32_t state = 0x9E3779B9u ^ (seed * 0x01000193u);
  const std::size_t max_chunk = 1 + (seed % 32);
  while (!body.empty()) {
    state ^= state << 13; state ^= state >> 17; state ^= state << 5;
    const std::size_t n = std::min<std::size_t>(body.size(), 1 + state % max_chunk);
    const bool ok = p.feed(body.substr(0, n)).ok();
    FUZZ_CHECK(p.buffered_bytes() <= 4 * (MultipartParser::kFeedSlice + l.max_header_bytes + l.max_field_value_bytes + 64),
               "parser buffer stays bounded");
    body.remove_prefix(n);
    if (!ok) break;
  }
  return describe(p.finish(), l);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t seed = data[0];
  const MultipartLimits limits = pick_limits(data[1]);
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

  // The same bytes as a Content-Type value: the boundary helper must never misbehave.
  const std::string_view first_line = body.substr(0, std::min<std::size_t>(body.find('\n'), 256));
  if (auto b = multipart_boundary(first_line)) FUZZ_CHECK(is_valid_boundary(*b), "boundary is valid");

  std::string whole, split;
  {
    MultipartParser p(kBoundary, limits, temp_dir());
    (void)p.feed(body);
    whole = describe(p.finish(), limits);
  }
  FUZZ_CHECK(dir_is_empty(temp_dir()), "temp files removed after the one-shot parse");
  split = parse_in_chunks(body, limits, seed);
  FUZZ_CHECK(dir_is_empty(temp_dir()), "temp files removed after the chunked parse");
  if (whole != split) {
    std::fprintf(stderr, "one feed:\n%s\nchunked:\n%s\n", whole.c_str(), split.c_str());
  }
  FUZZ_CHECK(whole == split, "same outcome for every split");
  return 0;
}

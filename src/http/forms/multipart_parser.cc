#include "http/forms/multipart_parser.h"

#include "core/text.h"

#include <algorithm>
#include <utility>

#include "http/forms/header_params.h"
#include "http/forms/multipart_boundary.h"
#include "http/forms/safe_file_name.h"
#include "http/forms/utf8.h"

namespace koban::http::forms {
namespace {

// RFC 2046 allows "transport padding" (spaces, tabs) after a delimiter; nobody sends much.
constexpr std::size_t kMaxPadding = 64;
constexpr std::size_t kMinHeaderBytes = 64;

Error too_large(std::string m) { return {ErrorCode::too_large, std::move(m)}; }

std::string size_text(std::uint64_t bytes) {
  constexpr std::uint64_t kKiB = 1024, kMiB = 1024 * 1024;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MB";
  if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KB";
  return std::to_string(bytes) + " バイト";
}

using text::iequals;

std::string_view trim_ows(std::string_view s) { return text::trim(s); }

Error bad_header() { return Error::invalid("フォームの項目のヘッダーの形式が正しくありません。"); }
Error bad_utf8() { return Error::invalid("入力に UTF-8 として正しくない文字が含まれています。"); }

}  // namespace

MultipartParser::MultipartParser(std::string_view boundary, const MultipartLimits& limits,
                                 std::filesystem::path temp_dir)
    : delimiter_("\r\n--" + std::string(boundary)), limits_(limits), temp_dir_(std::move(temp_dir)) {
  limits_.max_header_bytes = std::max(limits_.max_header_bytes, kMinHeaderBytes);
  if (!is_valid_boundary(boundary)) {
    error_ = Error::invalid("multipart/form-data の区切り文字列（boundary）が正しくありません。");
  }
  // RFC 2046: a delimiter is CRLF "--" boundary, and the first one may open the body without
  // a CRLF before it. Starting the buffer with a virtual CRLF makes every delimiter alike.
  pending_ = "\r\n";
}

MultipartParser::~MultipartParser() = default;  // Part and UploadedFile remove their temp files

std::size_t MultipartParser::buffered_bytes() const {
  return pending_.capacity() + (part_ ? part_->value.capacity() : 0);
}

Error MultipartParser::fail(Error e) {
  error_ = e;
  part_.reset();
  files_.clear();   // removes their temp files
  fields_ = {};
  pending_.clear();
  pending_.shrink_to_fit();
  return e;
}

Result<void> MultipartParser::feed(std::string_view chunk) {
  if (error_) return *error_;
  if (state_ == State::finished) return Error::internal("multipart parser already finished");
  while (!chunk.empty()) {
    // Slices bound the buffer. The total limit is applied at the exact byte, after the bytes
    // before it were parsed, so that the first error found does not depend on the chunking.
    const std::uint64_t room = limits_.max_total_bytes - received_;
    std::size_t take = std::min(chunk.size(), kFeedSlice);
    const bool over = take > room;
    if (over) take = static_cast<std::size_t>(room);
    pending_.append(chunk.data(), take);
    received_ += take;
    chunk.remove_prefix(take);
    if (auto r = process(); !r) return fail(r.error());
    if (over) {
      return fail(too_large("送信されたデータが大きすぎます（上限 " + size_text(limits_.max_total_bytes) + "）。"));
    }
  }
  return {};
}

Result<MultipartForm> MultipartParser::finish() {
  if (error_) return *error_;
  if (state_ == State::finished) return Error::internal("multipart parser already finished");
  if (state_ != State::epilogue) {
    return fail(Error::invalid("フォームのデータが途中で終わっています。もう一度送信してください。"));
  }
  state_ = State::finished;
  MultipartForm form{std::move(fields_), std::move(files_)};
  fields_ = {};
  files_.clear();
  return form;
}

Result<void> MultipartParser::process() {
  consumed_ = 0;
  Result<void> r = [&]() -> Result<void> {
    for (;;) {
      std::string_view buf(pending_);
      buf.remove_prefix(consumed_);
      switch (state_) {
        case State::preamble:
        case State::body: {
          const std::size_t pos = buf.find(delimiter_);
          if (pos == std::string_view::npos) {
            // Keep what could be the start of a delimiter; the rest is data (or preamble).
            const std::size_t keep = std::min(buf.size(), delimiter_.size() - 1);
            if (state_ == State::body) KOBAN_TRY(part_data(buf.substr(0, buf.size() - keep)));
            consumed_ += buf.size() - keep;
            return {};
          }
          if (state_ == State::body) {
            KOBAN_TRY(part_data(buf.substr(0, pos)));
            KOBAN_TRY(end_part());
          }
          consumed_ += pos + delimiter_.size();
          state_ = State::after_delimiter;
          padding_ = 0;
          break;
        }
        case State::after_delimiter: {
          if (buf.empty()) return {};
          const char c = buf[0];
          if ((c == '-' && padding_ == 0) || c == '\r') {
            if (buf.size() < 2) return {};
            if (buf[1] != (c == '-' ? '-' : '\n')) {
              return Error::invalid("フォームのデータの区切りが正しくありません。");
            }
            consumed_ += 2;
            if (c == '-') {
              state_ = State::epilogue;  // the close delimiter; what follows is ignored
            } else {
              KOBAN_TRY(start_part());
              state_ = State::headers;
              header_scanned_ = 0;
            }
            break;
          }
          if ((c == ' ' || c == '\t') && padding_ < kMaxPadding) {
            ++padding_;
            ++consumed_;
            break;
          }
          // Also what "boundary-like" data looks like: CRLF--boundary followed by more text.
          return Error::invalid("フォームのデータの区切りが正しくありません。");
        }
        case State::headers: {
          if (buf.size() >= 2 && buf[0] == '\r' && buf[1] == '\n') {
            return parse_part_headers({});  // no headers at all: no Content-Disposition
          }
          const std::string_view window = buf.substr(0, limits_.max_header_bytes);
          // Resume where the last search stopped: a client sending one byte at a time must
          // not make each byte cost a scan of the whole header block.
          const std::size_t end = window.find("\r\n\r\n", std::min(header_scanned_, window.size()));
          if (end == std::string_view::npos) {
            if (buf.size() >= limits_.max_header_bytes) {
              return too_large("フォームの項目のヘッダーが大きすぎます（上限 " +
                               size_text(limits_.max_header_bytes) + "）。");
            }
            header_scanned_ = window.size() >= 3 ? window.size() - 3 : 0;
            return {};
          }
          KOBAN_TRY(parse_part_headers(buf.substr(0, end)));
          consumed_ += end + 4;
          state_ = State::body;
          break;
        }
        case State::epilogue:
        case State::finished:
          consumed_ = pending_.size();
          return {};
      }
    }
  }();
  pending_.erase(0, consumed_);
  consumed_ = 0;
  return r;
}

Result<void> MultipartParser::start_part() {
  if (parts_ >= limits_.max_parts) {
    return too_large("フォームの項目が多すぎます（上限 " + std::to_string(limits_.max_parts) + " 個）。");
  }
  ++parts_;
  part_.emplace();
  return {};
}

Result<void> MultipartParser::parse_part_headers(std::string_view block) {
  Part& part = *part_;
  bool have_disposition = false, have_type = false;
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = block.size();
    const std::string_view line = block.substr(pos, eol - pos);
    pos = eol + 2;
    // Folded lines (obsolete) and bare CR or LF are refused: they are how header injection
    // and parser disagreements start.
    if (line.empty() || line[0] == ' ' || line[0] == '\t') return bad_header();
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return bad_header();
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) return bad_header();
    const std::string_view value = trim_ows(line.substr(colon + 1));
    for (char ch : value) {
      const auto u = static_cast<unsigned char>(ch);
      if ((u < 0x20 && ch != '\t') || u == 0x7F) return bad_header();
    }
    if (iequals(name, "Content-Disposition")) {
      if (have_disposition) return Error::invalid("フォームの項目に同じヘッダーが重複しています。");
      have_disposition = true;
      auto cd = parse_header_value(value);
      if (!cd) return cd.error();
      if (cd->value != "form-data") {
        return Error::invalid("フォームの項目の Content-Disposition が form-data ではありません。");
      }
      const std::string* field_name = cd->param("name");
      if (field_name == nullptr) return Error::invalid("フォームの項目に名前（name）がありません。");
      if (!is_valid_utf8(*field_name)) return bad_utf8();
      part.name = *field_name;
      const std::string* ext = cd->param("filename*");
      const std::string* plain = cd->param("filename");
      if (ext != nullptr) {
        // RFC 6266: filename* wins over filename when a client sends both.
        KOBAN_ASSIGN(part.filename, decode_ext_value(*ext));
        part.is_file = true;
      } else if (plain != nullptr) {
        part.filename = *plain;  // possibly not UTF-8 (old clients): safe_file_name mends that
        part.is_file = true;
      }
    } else if (iequals(name, "Content-Type")) {
      if (have_type) return Error::invalid("フォームの項目に同じヘッダーが重複しています。");
      have_type = true;
      if (!is_valid_utf8(value)) return bad_utf8();
      part.content_type = value;
    }
    // Other headers (Content-Transfer-Encoding, ...) carry nothing we use.
  }
  if (!have_disposition) {
    return Error::invalid("フォームの項目に Content-Disposition ヘッダーがありません。");
  }
  return {};
}

Result<void> MultipartParser::part_data(std::string_view data) {
  if (data.empty()) return {};
  Part& part = *part_;
  if (part.is_file) {
    if (data.size() > limits_.max_file_bytes - part.size) {
      return too_large("ファイルが大きすぎます（上限 " + size_text(limits_.max_file_bytes) + "）。");
    }
    if (!part.temp) {
      KOBAN_ASSIGN(TempFile temp, TempFile::create(temp_dir_));
      part.temp.emplace(std::move(temp));
    }
    KOBAN_TRY(part.temp->write(data));
    part.size += data.size();
    return {};
  }
  // Two limits: report the one the data crosses first, as a byte-by-byte feed would see it,
  // so that the error does not depend on how much data arrived at once.
  const std::size_t value_room = limits_.max_field_value_bytes - part.value.size();
  const std::size_t total_room = limits_.max_fields_total_bytes - fields_bytes_;
  if (data.size() > std::min(value_room, total_room)) {
    if (value_room <= total_room) {
      return too_large("入力された値が長すぎます（上限 " + size_text(limits_.max_field_value_bytes) + "）。");
    }
    return too_large("入力された内容が全体として大きすぎます（上限 " +
                     size_text(limits_.max_fields_total_bytes) + "）。");
  }
  part.value.append(data);
  fields_bytes_ += data.size();
  return {};
}

Result<void> MultipartParser::end_part() {
  Part part = std::move(*part_);
  part_.reset();
  if (!part.is_file) {
    if (!is_valid_utf8(part.value)) return bad_utf8();
    if (part.value.find('\0') != std::string::npos) return Error::invalid("入力にヌル文字が含まれています。");
    fields_.add(std::move(part.name), std::move(part.value));
    return {};
  }
  // A file input left empty is sent as filename="" with no content: nothing was uploaded.
  if (!part.temp && part.filename.empty()) return {};
  if (!part.temp) {
    KOBAN_ASSIGN(TempFile temp, TempFile::create(temp_dir_));
    part.temp.emplace(std::move(temp));
  }
  KOBAN_TRY(part.temp->close());
  UploadedFile f;
  f.field_name = std::move(part.name);
  f.filename = safe_file_name(part.filename);
  f.content_type = std::move(part.content_type);
  f.size = part.size;
  f.temp = std::move(*part.temp);
  files_.push_back(std::move(f));
  return {};
}

Result<MultipartForm> parse_multipart(std::string_view body, std::string_view boundary,
                                      const MultipartLimits& limits, const std::filesystem::path& temp_dir) {
  MultipartParser parser(boundary, limits, temp_dir);
  KOBAN_TRY(parser.feed(body));
  return parser.finish();
}

}  // namespace koban::http::forms

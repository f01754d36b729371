// A streaming multipart/form-data parser (RFC 7578 on RFC 2046 framing).
//
//   KOBAN_ASSIGN(std::string boundary, multipart_boundary(content_type));
//   MultipartParser parser(boundary, MultipartLimits{}, "/var/lib/koban/tmp");
//   while (auto chunk = read_some())          // any chunk size, down to one byte
//     KOBAN_TRY(parser.feed(*chunk));         // stop reading at the first error
//   KOBAN_ASSIGN(MultipartForm form, parser.finish());   // error unless the body was closed
//   form.fields.get("subject");
//   for (UploadedFile& f : form.files)
//     KOBAN_TRY(f.temp.move_to(store_dir / generated_name));   // or leave it: it is removed
//
// Text parts are kept in memory (bounded by the limits); parts with a filename stream into a
// TempFile (mode 0600, O_EXCL) in temp_dir and are never held whole in memory: the parser
// buffers at most about kFeedSlice + max_header_bytes + the boundary (see buffered_bytes()).
// The outcome (fields, files, or the error and its message) is the same however the body is
// split into feed() calls. After an error every temp file is removed and feed()/finish()
// return that error again; temp files still held by the parser are removed by its destructor,
// and those handed out in MultipartForm by UploadedFile's destructor unless taken.
//
// Errors: too_large for every limit, invalid_argument for a malformed body, unavailable when
// a temp file cannot be written. Messages are Japanese and can be shown to the user.
//
// Not supported, by design: nested multipart/mixed parts (RFC 2388, no browser sends them)
// and Content-Transfer-Encoding (deprecated by RFC 7578; the header is ignored).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/forms/form_fields.h"
#include "http/forms/temp_file.h"

namespace koban::http::forms {

struct MultipartLimits {
  std::size_t max_parts = 128;                      // fields and files together
  std::size_t max_header_bytes = 4 * 1024;          // one part's header block, CRLFs included
  std::size_t max_field_value_bytes = 64 * 1024;    // one text field
  std::size_t max_fields_total_bytes = 1024 * 1024; // all text fields together
  std::uint64_t max_file_bytes = 25ull * 1024 * 1024;   // one file
  std::uint64_t max_total_bytes = 64ull * 1024 * 1024;  // the whole body as received
};

struct UploadedFile {
  std::string field_name;
  std::string filename;      // safe_file_name() of what the client sent ("file" if nothing usable)
  std::string content_type;  // the part's Content-Type as sent; empty when absent. Not trusted.
  std::uint64_t size = 0;
  TempFile temp;             // owns the file on disk: removed with this object unless taken

  const std::filesystem::path& temp_path() const { return temp.path(); }
};

struct MultipartForm {
  FormFields fields;
  std::vector<UploadedFile> files;
};

namespace detail {
// The part being read. Outside the parser class because clang rejects optional<Part> for a
// nested class with default member initializers while the enclosing class is incomplete.
struct MultipartPart {
  std::string name;
  bool is_file = false;
  std::string filename;
  std::string content_type;
  std::uint64_t size = 0;
  std::string value;              // text parts
  std::optional<TempFile> temp;   // file parts, created on the first byte
};
}  // namespace detail

class MultipartParser {
 public:
  // How much of a fed chunk is scanned at once; bounds the parser's own buffer.
  static constexpr std::size_t kFeedSlice = 16 * 1024;

  // An invalid boundary makes the first feed()/finish() fail with invalid_argument.
  MultipartParser(std::string_view boundary, const MultipartLimits& limits, std::filesystem::path temp_dir);
  ~MultipartParser();
  MultipartParser(const MultipartParser&) = delete;
  MultipartParser& operator=(const MultipartParser&) = delete;

  Result<void> feed(std::string_view chunk);
  // Succeeds only once the closing delimiter has been seen; hands over fields and files.
  Result<MultipartForm> finish();

  // Bytes the parser itself holds for parsing: its input buffer and the text field being
  // read (finished fields and file contents are not counted; files go straight to disk).
  std::size_t buffered_bytes() const;
  std::uint64_t bytes_received() const { return received_; }
  bool failed() const { return error_.has_value(); }

 private:
  enum class State { preamble, after_delimiter, headers, body, epilogue, finished };

  using Part = detail::MultipartPart;

  Result<void> process();
  Result<void> start_part();
  Result<void> parse_part_headers(std::string_view block);
  Result<void> part_data(std::string_view data);
  Result<void> end_part();
  Error fail(Error e);

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartLimits limits_;
  std::filesystem::path temp_dir_;

  State state_ = State::preamble;
  std::string pending_;     // received but not yet consumed
  std::size_t consumed_ = 0;  // of pending_, during process()
  std::size_t padding_ = 0;   // whitespace after the current delimiter
  std::size_t header_scanned_ = 0;  // header bytes already searched for the blank line
  std::uint64_t received_ = 0;
  std::size_t parts_ = 0;
  std::size_t fields_bytes_ = 0;
  std::optional<Part> part_;
  FormFields fields_;
  std::vector<UploadedFile> files_;
  std::optional<Error> error_;
};

// Convenience for bodies already in memory (tests, small requests).
Result<MultipartForm> parse_multipart(std::string_view body, std::string_view boundary,
                                      const MultipartLimits& limits, const std::filesystem::path& temp_dir);

}  // namespace koban::http::forms

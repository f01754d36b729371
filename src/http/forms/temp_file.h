// TempFile: a file created for this process alone (mkostemp: O_EXCL, mode 0600) that is
// removed when the TempFile is destroyed, unless the caller takes it.
//
//   KOBAN_ASSIGN(TempFile f, TempFile::create(dir));
//   KOBAN_TRY(f.write(bytes));
//   KOBAN_TRY(f.close());
//   KOBAN_TRY(f.move_to(final_path));      // rename(2): same file system; now yours
//   // or: std::filesystem::path p = f.release();   // stays on disk, you remove it
//
// Move-only. Uploads are written through this, so that an error, an exception or a forgotten
// upload never leaves files behind.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace koban::http::forms {

class TempFile {
 public:
  // Creates "<dir>/koban-upload-XXXXXX" (random suffix), open for writing.
  static Result<TempFile> create(const std::filesystem::path& dir);

  TempFile() = default;
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  Result<void> write(std::string_view bytes);
  Result<void> close();  // idempotent; the file stays (and stays owned) until destroyed

  const std::filesystem::path& path() const { return path_; }
  bool owns_file() const { return owned_; }

  std::filesystem::path release();                         // keep the file; no longer removed
  Result<void> move_to(const std::filesystem::path& dest);  // rename; on success released
  void remove();                                            // now rather than at destruction

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  bool owned_ = false;
};

}  // namespace koban::http::forms

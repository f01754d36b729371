// Replacing a file so that a reader sees the old content or the new, never half of it: the
// bytes go to a hidden temporary file in the same folder (".<name>.tmp.<pid>.<n>", never
// served by StaticFiles), which is then renamed over the target. Missing folders are created.
//
//   KOBAN_TRY(write_file_atomically(dir / "index.html", html, {.mode = 0644, .sync = false}));
//   KOBAN_TRY(write_file_atomically(manifest, text, {.mode = 0640, .new_dir_perms = 0750}));
//
// sync: fsync the file before the rename and the folder after it, so the new content also
// survives a power loss (slower; the published site's pages rebuild instead).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace koban {

struct AtomicWriteOptions {
  unsigned mode = 0644;                       // of the new file
  bool sync = true;
  std::optional<unsigned> new_dir_perms{};  // given to the file's folder when it is created here
};

// unavailable (with the reason) when the folder, the file or the rename fails; the temporary
// file is removed then.
Result<void> write_file_atomically(const std::filesystem::path& file, std::string_view bytes,
                                   const AtomicWriteOptions& options = {});

}  // namespace koban

// Uploaded images and PDFs of articles, and the rendering/checks that know about them.
#include <openssl/evp.h>

#include <fstream>

#include "http/forms/utf8.h"
#include "core/text.h"
#include "org/permissions.h"
#include "site/articles/article_rows.h"
#include "site/articles/articles.h"

namespace koban::site::articles {
namespace fs = std::filesystem;
namespace {

struct Kind {
  const char* media_type;
  const char* ext;
  bool image;
};
constexpr Kind kKinds[] = {{"image/png", "png", true},  {"image/jpeg", "jpg", true}, {"image/gif", "gif", true},
                           {"image/webp", "webp", true}, {"application/pdf", "pdf", false}};

const Kind* kind_of(std::string_view media_type) {
  for (const auto& k : kKinds)
    if (media_type == k.media_type) return &k;
  return nullptr;
}

// SHA-256 of a file, read in slices (uploads can be megabytes).
Result<std::string> file_sha256(const fs::path& p, std::uint64_t& size) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error::unavailable("アップロードされたファイルを読めませんでした。");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return Error::internal("sha256 init");
  char buf[64 * 1024];
  size = 0;
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = in.gcount();
    if (n <= 0) break;
    size += static_cast<std::uint64_t>(n);
    EVP_DigestUpdate(ctx.get(), buf, static_cast<std::size_t>(n));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace

std::string sniff_media_type(std::string_view h) {
  auto starts = [&](std::string_view m) { return h.substr(0, m.size()) == m; };
  if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts("\xff\xd8\xff")) return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (h.size() >= 12 && starts("RIFF") && h.substr(8, 4) == "WEBP") return "image/webp";
  if (starts("%PDF-")) return "application/pdf";
  return "";
}

Result<File> add_file(store::Session& s, const Settings& st, ArticleId article, const FileUpload& up,
                      const workflow::By& by, Instant now) {
  KOBAN_ASSIGN(auto a, get_article(s, article));
  KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
  KOBAN_TRY(org::require(actor, org::Purpose::website, org::Action::write, a.unit_id));
  if (a.pub_state == "deleted") return Error::conflict("削除済みの記事にはファイルを追加できません。");
  KOBAN_ASSIGN(auto count, s.query("SELECT COUNT(*) FROM article_files WHERE article_id = ?", article));
  if (static_cast<std::size_t>(count.at(0).int64(0)) >= st.max_files_per_article)
    return Error{ErrorCode::too_large, "1つの記事に添付できるファイルは" + std::to_string(st.max_files_per_article) + "個までです。"};
  std::string head(16, '\0');
  {
    std::ifstream in(up.path, std::ios::binary);
    if (!in) return Error::unavailable("アップロードされたファイルを読めませんでした。");
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
  }
  const auto* kind = kind_of(sniff_media_type(head));
  if (!kind) return Error::invalid("画像（PNG・JPEG・GIF・WebP）またはPDFのファイルを選んでください。ファイルの中身がこれらの形式ではありません。");
  std::error_code ec;
  const auto size = fs::file_size(up.path, ec);
  if (ec) return Error::unavailable("アップロードされたファイルを読めませんでした。");
  const std::uint64_t limit = kind->image ? st.max_image_bytes : st.max_pdf_bytes;
  if (size > limit)
    return Error{ErrorCode::too_large, std::string(kind->image ? "画像" : "PDF") + "は" +
                                           std::to_string(limit / (1024 * 1024)) + "MB以下にしてください。"};
  std::string alt = strip(up.alt);
  if (!http::forms::is_valid_utf8(alt)) return Error::invalid("代替テキストに読み取れない文字があります。");
  if (alt.empty())
    return Error::invalid(kind->image ? "画像の代替テキスト（画像の内容を説明する文）を入力してください。"
                                      : "PDFのリンク文字（文書の名前）を入力してください。");
  if (http::forms::utf8_length(alt) > st.max_alt_chars)
    return Error::invalid("代替テキストは" + std::to_string(st.max_alt_chars) + "文字以内にしてください。");
  for (unsigned char c : alt)
    if (c < 0x20 || c == 0x7f || c == '[' || c == ']') return Error::invalid("代替テキストに使えない文字（制御文字、[ ]）があります。");
  std::uint64_t hashed = 0;
  KOBAN_ASSIGN(auto sha, file_sha256(up.path, hashed));
  const std::string stored = sha + "." + kind->ext;
  fs::create_directories(st.upload_dir, ec);
  const fs::path dest = st.upload_dir / stored;
  if (!fs::exists(dest, ec)) {
    // Copy to a temporary name in the same directory, then rename: never a half-written file.
    const fs::path tmp = st.upload_dir / (stored + ".part");
    fs::copy_file(up.path, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(tmp, dest, ec);
    if (ec) {
      fs::remove(tmp, ec);
      return Error::unavailable("ファイルを保存できませんでした。");
    }
  }
  std::string original = up.original_name;
  if (!http::forms::is_valid_utf8(original) || original.size() > 200) original = "file";
  KOBAN_ASSIGN(auto rows, s.query("INSERT INTO article_files (article_id, kind, sha256, stored_name, original_name,"
                                  " media_type, size_bytes, alt, created_by, created_at)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                  article, kind->image ? "image" : "pdf", sha, stored, original,
                                  kind->media_type, static_cast<std::int64_t>(hashed), alt, by.person,
                                  to_unix(now)));
  KOBAN_TRY(audit_article(s, by, "file", article, std::string(kind->media_type) + " " + stored, now));
  return File{.id = rows.at(0).int64(0), .article_id = article, .kind = kind->image ? "image" : "pdf",
              .sha256 = sha, .stored_name = stored, .original_name = original, .media_type = kind->media_type,
              .size = hashed, .alt = alt, .created_at = now};
}

Result<std::vector<File>> files_of(store::Session& s, ArticleId article) {
  KOBAN_ASSIGN(auto rows, s.query("SELECT id, kind, sha256, stored_name, original_name, media_type, size_bytes, alt,"
                                  " created_at FROM article_files WHERE article_id = ? ORDER BY id LIMIT 1000",
                                  article));
  std::vector<File> out;
  for (const auto& r : rows)
    out.push_back({.id = r.int64(0), .article_id = article, .kind = r.text(1), .sha256 = r.text(2),
                   .stored_name = r.text(3), .original_name = r.text(4), .media_type = r.text(5),
                   .size = static_cast<std::uint64_t>(r.int64(6)), .alt = r.text(7),
                   .created_at = from_unix(r.int64(8))});
  return out;
}

markdown::RenderOptions render_options(const Settings& st, const std::vector<File>& files) {
  auto opt = st.checks.render;
  std::vector<std::string> urls;
  for (const auto& f : files)
    if (f.kind == "image") urls.push_back(f.url());
  // Only the article's own uploaded images may appear: no hot-linking, no tracking pixels.
  opt.resolve_image = [urls](std::string_view u) -> std::optional<std::string> {
    for (const auto& x : urls)
      if (x == u) return x;
    return std::nullopt;
  };
  return opt;
}

Result<markdown::Rendered> render_version(const Settings& st, const Version& v, const std::vector<File>& files) {
  return markdown::render(v.body, render_options(st, files));
}

std::vector<checks::Finding> check_version(const Settings& st, const Version& v, const std::vector<File>& files) {
  auto opt = st.checks;
  opt.render = render_options(st, files);
  return checks::check_article({v.title, v.body}, opt);
}

}  // namespace koban::site::articles

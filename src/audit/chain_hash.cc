#include "audit/chain_hash.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>

namespace koban::audit {
namespace {

void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_int(std::string& out, std::int64_t v) {
  out.push_back('I');
  put_u64(out, static_cast<std::uint64_t>(v));
}

void put_opt_int(std::string& out, const std::optional<std::int64_t>& v) {
  if (v) put_int(out, *v);
  else out.push_back('N');
}

void put_text(std::string& out, std::string_view s) {
  out.push_back('S');
  put_u64(out, s.size());
  out.append(s);
}

// Fetching the algorithm once avoids OpenSSL 3's implicit fetch on every digest.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string digest_hex(std::string_view bytes) {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* alg = sha256_md();
  if (!ctx || !alg || EVP_DigestInit_ex2(ctx.get(), alg, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    return {};  // never equal to a stored hash, so a broken OpenSSL shows up as a bad chain
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[md[i] >> 4];
    hex[2 * i + 1] = kHex[md[i] & 0x0f];
  }
  return hex;
}

}  // namespace

void encode_canonical(const Record& r, std::string& out) {
  const Event& e = r.event;
  out.append("koban.audit.v1");
  put_int(out, r.seq);
  put_int(out, to_unix(r.at));
  put_opt_int(out, e.actor_id);
  put_text(out, e.actor_name);
  put_opt_int(out, e.unit_id);
  put_text(out, e.unit_name);
  put_text(out, e.action);
  put_text(out, e.object_type);
  put_text(out, e.object_id);
  put_text(out, e.summary);
  put_text(out, e.address);
  put_text(out, to_string(e.outcome));
  put_text(out, r.prev_hash);
}

std::string record_hash(const Record& r) {
  thread_local std::string buf;
  buf.clear();
  encode_canonical(r, buf);
  return digest_hex(buf);
}

std::string sha256_hex(std::string_view bytes) { return digest_hex(bytes); }

const char* to_string(Outcome o) { return o == Outcome::refused ? "refused" : "ok"; }

}  // namespace koban::audit

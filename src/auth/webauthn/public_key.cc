#include "auth/webauthn/public_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>

#include "auth/webauthn/cbor.h"

namespace koban::auth::webauthn {
namespace {

struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct CtxFree { void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };
struct BldFree { void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };
struct BnFree { void operator()(BIGNUM* p) const { BN_free(p); } };
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Error bad_key(std::string detail) {
  return Error::invalid("認証器の公開鍵を読めません (" + std::move(detail) + ")");
}

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Result<Pkey> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return Error::internal("OSSL_PARAM_BLD_to_param failed");
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0)
    return Error::internal("EVP_PKEY_fromdata_init failed");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0 || !raw)
    return bad_key("key parameters rejected");
  Pkey key(raw);
  // fromdata does not promise to check the point; a point off the curve invites
  // invalid-curve attacks, so check explicitly.
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return bad_key("public key check failed");
  return key;
}

Result<Pkey> ec2_key(const cbor::Item& cose) {
  const cbor::Item* crv = cose.find(-1);
  const cbor::Item* x = cose.find(-2);
  const cbor::Item* y = cose.find(-3);
  if (!crv || !crv->is_int() || crv->integer != 1) return bad_key("curve is not P-256");
  if (!x || !x->is_bytes() || x->string.size() != 32 || !y || !y->is_bytes() ||
      y->string.size() != 32)
    return bad_key("x and y must be 32 bytes");
  std::string point = "\x04" + x->string + y->string;
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()))
    return Error::internal("OSSL_PARAM_BLD failed");
  return from_params("EC", bld.get());
}

Result<Pkey> rsa_key(const cbor::Item& cose) {
  const cbor::Item* n = cose.find(-1);
  const cbor::Item* e = cose.find(-2);
  if (!n || !n->is_bytes() || !e || !e->is_bytes() || e->string.empty() || e->string.size() > 8)
    return bad_key("RSA n and e missing");
  std::size_t n_bits = n->string.size() * 8;
  if (n->string.empty() || n->string[0] == 0 || n_bits < 2048 || n_bits > 4096)
    return bad_key("RSA modulus must be 2048 to 4096 bits");
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(u8(n->string), static_cast<int>(n->string.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(u8(e->string), static_cast<int>(e->string.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
    return Error::internal("OSSL_PARAM_BLD failed");
  return from_params("RSA", bld.get());
}

}  // namespace

Result<PublicKey> public_key_from_cose(std::string_view cose_bytes) {
  cbor::Limits limits;
  limits.max_bytes = 2048;
  limits.max_depth = 2;
  limits.max_items = 64;
  KOBAN_ASSIGN(cbor::Item cose, cbor::decode(cose_bytes, limits));
  if (!cose.is_map()) return bad_key("COSE key is not a map");
  const cbor::Item* kty = cose.find(1);
  const cbor::Item* alg = cose.find(3);
  if (!kty || !kty->is_int() || !alg || !alg->is_int()) return bad_key("kty and alg are required");
  Pkey key;
  if (alg->integer == kAlgEs256 && kty->integer == 2) {
    KOBAN_ASSIGN(key, ec2_key(cose));
  } else if (alg->integer == kAlgRs256 && kty->integer == 3) {
    KOBAN_ASSIGN(key, rsa_key(cose));
  } else {
    return bad_key("only ES256 and RS256 are accepted");
  }
  int len = i2d_PUBKEY(key.get(), nullptr);
  if (len <= 0) return Error::internal("i2d_PUBKEY failed");
  PublicKey out;
  out.alg = alg->integer;
  out.der.resize(static_cast<std::size_t>(len));
  auto* p = reinterpret_cast<unsigned char*>(out.der.data());
  if (i2d_PUBKEY(key.get(), &p) != len) return Error::internal("i2d_PUBKEY failed");
  return out;
}

Result<void> verify_signature(std::int64_t alg, std::string_view der, std::string_view message,
                              std::string_view signature) {
  if (alg != kAlgEs256 && alg != kAlgRs256) return bad_key("unsupported algorithm");
  const unsigned char* p = u8(der);
  Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != u8(der) + der.size()) {
    ERR_clear_error();
    return bad_key("stored key is damaged");
  }
  int type = EVP_PKEY_get_base_id(key.get());
  if ((alg == kAlgEs256) != (type == EVP_PKEY_EC)) return bad_key("key type does not match alg");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
    return Error::internal("EVP_DigestVerifyInit failed");
  int verified =
      EVP_DigestVerify(md.get(), u8(signature), signature.size(), u8(message), message.size());
  ERR_clear_error();  // a refused signature leaves decoder errors queued on this thread
  if (verified != 1)
    return Error{ErrorCode::unauthenticated, "署名を確認できませんでした"};
  return ok();
}

}  // namespace koban::auth::webauthn

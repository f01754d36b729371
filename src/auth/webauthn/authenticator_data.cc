#include "auth/webauthn/authenticator_data.h"

#include "auth/webauthn/cbor.h"

namespace koban::auth::webauthn {
namespace {

Error bad(const char* detail) {
  return Error::invalid(std::string("認証器の応答の形式が正しくありません (authenticatorData: ") +
                        detail + ")");
}

}  // namespace

Result<AuthenticatorData> parse_authenticator_data(std::string_view in) {
  if (in.size() > kMaxAuthenticatorDataBytes) return bad("too large");
  if (in.size() < 37) return bad("too short");
  AuthenticatorData out;
  out.rp_id_hash.assign(in.substr(0, 32));
  out.flags = static_cast<std::uint8_t>(in[32]);
  for (int k = 0; k < 4; ++k)
    out.sign_count = (out.sign_count << 8) | static_cast<unsigned char>(in[33 + k]);
  std::size_t pos = 37;
  if (out.flags & AuthenticatorData::kAt) {
    if (in.size() - pos < 18) return bad("attested credential data truncated");
    out.attested = true;
    out.aaguid.assign(in.substr(pos, 16));
    pos += 16;
    std::size_t id_len = (static_cast<std::size_t>(static_cast<unsigned char>(in[pos])) << 8) |
                         static_cast<unsigned char>(in[pos + 1]);
    pos += 2;
    if (id_len == 0 || id_len > kMaxCredentialIdBytes) return bad("credential id length");
    if (in.size() - pos < id_len) return bad("credential id truncated");
    out.credential_id.assign(in.substr(pos, id_len));
    pos += id_len;
    std::size_t used = 0;
    cbor::Limits limits;
    limits.max_depth = 2;
    limits.max_items = 64;
    KOBAN_ASSIGN(cbor::Item key, cbor::decode_prefix(in.substr(pos), used, limits));
    if (!key.is_map()) return bad("credential public key is not a map");
    out.cose_key.assign(in.substr(pos, used));
    pos += used;
  }
  if (out.flags & AuthenticatorData::kEd) {
    std::size_t used = 0;
    KOBAN_ASSIGN(cbor::Item ext, cbor::decode_prefix(in.substr(pos), used));
    if (!ext.is_map()) return bad("extensions are not a map");
    pos += used;
  }
  if (pos != in.size()) return bad("trailing bytes");
  return out;
}

}  // namespace koban::auth::webauthn

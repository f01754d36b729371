#include "auth/webauthn/client_data.h"

#include <nlohmann/json.hpp>

#include "auth/random_bytes.h"

namespace koban::auth::webauthn {
namespace {

Error bad(const char* detail) {
  return Error::invalid(std::string("認証器の応答の形式が正しくありません (clientDataJSON: ") +
                        detail + ")");
}

}  // namespace

Result<ClientData> parse_client_data(std::string_view text) {
  if (text.empty() || text.size() > kMaxClientDataBytes) return bad("size");
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto type = j.find("type");
  auto challenge = j.find("challenge");
  auto origin = j.find("origin");
  if (type == j.end() || !type->is_string() || challenge == j.end() || !challenge->is_string() ||
      origin == j.end() || !origin->is_string())
    return bad("type, challenge and origin are required");
  ClientData out;
  out.type = type->get<std::string>();
  out.origin = origin->get<std::string>();
  auto raw = base64url_decode(challenge->get<std::string>());
  if (!raw) return bad("challenge is not base64url");
  out.challenge = std::move(*raw);
  auto cross = j.find("crossOrigin");
  if (cross != j.end()) {
    if (!cross->is_boolean()) return bad("crossOrigin is not a boolean");
    out.cross_origin = cross->get<bool>();
  }
  return out;
}

Result<void> check_client_data(const ClientData& cd, std::string_view type,
                               std::string_view expected_origin) {
  if (cd.type != type)
    return Error{ErrorCode::unauthenticated,
                 "認証器の応答の種類が違います (期待: " + std::string(type) + ")"};
  if (cd.origin != expected_origin)
    return Error{ErrorCode::unauthenticated, "このサイト以外のページからの応答は受け付けません"};
  if (cd.cross_origin)
    return Error{ErrorCode::unauthenticated, "他のサイトに埋め込まれたページからの応答は受け付けません"};
  return ok();
}

}  // namespace koban::auth::webauthn

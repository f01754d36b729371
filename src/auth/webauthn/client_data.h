// clientDataJSON (WebAuthn L2 §5.8.1), as the browser made it: the ceremony type, the
// challenge (base64url), the origin of the page and whether it ran in a cross-origin frame.
//
//   KOBAN_ASSIGN(ClientData cd, parse_client_data(bytes));
//   KOBAN_TRY(check_client_data(cd, "webauthn.get", "https://www.example.jp"));
//   cd.challenge holds the raw challenge bytes (decoded)
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::auth::webauthn {

inline constexpr std::size_t kMaxClientDataBytes = 4096;

struct ClientData {
  std::string type;
  std::string challenge;  // raw bytes
  std::string origin;
  bool cross_origin = false;
};

Result<ClientData> parse_client_data(std::string_view json);

// Refuses (unauthenticated) a wrong type, a wrong origin (exact match) or a cross-origin frame.
Result<void> check_client_data(const ClientData& cd, std::string_view type,
                               std::string_view expected_origin);

}  // namespace koban::auth::webauthn

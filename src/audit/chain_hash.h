// The audit chain's hash: SHA-256 (OpenSSL EVP) over a canonical encoding of every field of a
// record plus the previous record's hash, as lower-case hex.
//
//   std::string h = audit::record_hash(record);   // record.hash must equal this
//
// Canonical encoding (version 1), so that no two different records encode alike:
//   "koban.audit.v1" then, for each field in this order —
//   seq, at, actor_id, actor_name, unit_id, unit_name, action, object_type, object_id,
//   summary, address, outcome, prev_hash —
//   an integer as 'I' + 8 bytes big-endian two's complement, a missing integer as 'N',
//   text as 'S' + 8-byte big-endian length + the bytes.
// The seq is part of the hash, so a row moved to another position does not verify there.
// Changing this encoding breaks every stored chain: add a v2 instead.
#pragma once

#include <string>
#include <string_view>

#include "audit/event.h"

namespace koban::audit {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Appends the canonical bytes of r (r.hash is not part of them) to out.
void encode_canonical(const Record& r, std::string& out);

// Hex SHA-256 of encode_canonical(r). Reuses a per-thread digest context (verify hashes a
// million rows).
std::string record_hash(const Record& r);

// Hex SHA-256 of arbitrary bytes (tests, the benchmark's reference file).
std::string sha256_hex(std::string_view bytes);

}  // namespace koban::audit

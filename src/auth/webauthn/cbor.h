// A minimal, strict CBOR (RFC 8949) decoder for WebAuthn: attestation objects and COSE keys.
//
//   KOBAN_ASSIGN(cbor::Item top, cbor::decode(bytes));           // whole input, no trailing bytes
//   const cbor::Item* fmt = top.find("fmt");                      // nullptr if absent
//   if (!fmt || !fmt->is_text()) ...
//   std::size_t used = 0;
//   KOBAN_ASSIGN(cbor::Item key, cbor::decode_prefix(rest, used)); // one item, then more bytes
//
// Only what WebAuthn needs is accepted: unsigned and negative integers that fit in int64,
// byte and text strings, arrays, maps, true/false/null. Tags, floats, undefined, other simple
// values and indefinite lengths are refused, as are duplicate map keys and text that is not
// UTF-8. Every length is checked against the bytes left before anything is allocated, and
// depth and item count are bounded, so no input can make the decoder allocate much or recurse
// deeply (the input is hostile: it comes from the browser).
//
// encode() writes the shortest form; it exists for tests and for building fixtures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace koban::auth::webauthn::cbor {

enum class Type { integer, bytes, text, array, map, boolean, null };

struct Item {
  Type type = Type::null;
  std::int64_t integer = 0;  // integer
  bool boolean = false;      // boolean
  std::string string;        // bytes or text
  std::vector<Item> array;
  std::vector<std::pair<Item, Item>> map;  // in input order

  bool is_int() const { return type == Type::integer; }
  bool is_bytes() const { return type == Type::bytes; }
  bool is_text() const { return type == Type::text; }
  bool is_map() const { return type == Type::map; }
  bool is_array() const { return type == Type::array; }

  // Map lookups by an integer key (COSE) or a text key (attestation object); nullptr when
  // absent or when this is not a map.
  const Item* find(std::int64_t key) const;
  const Item* find(std::string_view key) const;

  static Item of_int(std::int64_t v);
  static Item of_bytes(std::string v);
  static Item of_text(std::string v);
  static Item of_bool(bool v);
  static Item of_array(std::vector<Item> v);
  static Item of_map(std::vector<std::pair<Item, Item>> v);
};

struct Limits {
  std::size_t max_bytes = 64 * 1024;
  int max_depth = 8;
  std::size_t max_items = 2048;
};

// Decodes exactly one item that fills the whole input.
Result<Item> decode(std::string_view bytes, const Limits& limits = {});
// Decodes one item from the start of bytes; `used` is set to its length.
Result<Item> decode_prefix(std::string_view bytes, std::size_t& used, const Limits& limits = {});

std::string encode(const Item& item);

}  // namespace koban::auth::webauthn::cbor

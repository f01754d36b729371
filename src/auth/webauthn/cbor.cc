#include "auth/webauthn/cbor.h"

#include <limits>

namespace koban::auth::webauthn::cbor {
namespace {

Error bad(std::string detail) {
  return Error::invalid("認証器の応答の形式が正しくありません (CBOR: " + std::move(detail) + ")");
}

// Well-formed UTF-8 per Unicode Table 3-7: no overlong forms, surrogates or code points above
// U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

bool same_key(const Item& a, const Item& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Type::integer: return a.integer == b.integer;
    case Type::bytes:
    case Type::text: return a.string == b.string;
    case Type::boolean: return a.boolean == b.boolean;
    case Type::null: return true;
    default: return false;  // arrays and maps as keys are refused before this
  }
}

class Decoder {
 public:
  Decoder(std::string_view in, const Limits& limits) : in_(in), limits_(limits) {}

  Result<Item> item(int depth) {
    if (depth > limits_.max_depth) return bad("nested too deeply");
    if (++items_ > limits_.max_items) return bad("too many items");
    if (pos_ >= in_.size()) return bad("truncated");
    auto initial = static_cast<unsigned char>(in_[pos_++]);
    int major = initial >> 5;
    int info = initial & 0x1F;
    if (major == 7) return simple(info);
    KOBAN_ASSIGN(std::uint64_t arg, argument(info));
    Item out;
    switch (major) {
      case 0:
        if (arg > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return bad("integer out of range");
        out.type = Type::integer;
        out.integer = static_cast<std::int64_t>(arg);
        return out;
      case 1:
        // -1 - arg must fit in int64: arg <= INT64_MAX.
        if (arg > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return bad("integer out of range");
        out.type = Type::integer;
        out.integer = -1 - static_cast<std::int64_t>(arg);
        return out;
      case 2:
      case 3: {
        if (arg > in_.size() - pos_) return bad("string longer than the input");
        out.type = major == 2 ? Type::bytes : Type::text;
        out.string.assign(in_.substr(pos_, static_cast<std::size_t>(arg)));
        pos_ += static_cast<std::size_t>(arg);
        if (out.type == Type::text && !valid_utf8(out.string)) return bad("text is not UTF-8");
        return out;
      }
      case 4: {
        // Each element takes at least one byte: a count beyond the bytes left is a lie.
        if (arg > in_.size() - pos_) return bad("array longer than the input");
        out.type = Type::array;
        out.array.reserve(static_cast<std::size_t>(arg));
        for (std::uint64_t k = 0; k < arg; ++k) {
          KOBAN_ASSIGN(Item e, item(depth + 1));
          out.array.push_back(std::move(e));
        }
        return out;
      }
      case 5: {
        if (arg > (in_.size() - pos_) / 2) return bad("map longer than the input");
        out.type = Type::map;
        out.map.reserve(static_cast<std::size_t>(arg));
        for (std::uint64_t k = 0; k < arg; ++k) {
          KOBAN_ASSIGN(Item key, item(depth + 1));
          if (key.type == Type::array || key.type == Type::map) return bad("composite map key");
          for (const auto& [seen, unused] : out.map)
            if (same_key(seen, key)) return bad("duplicate map key");
          KOBAN_ASSIGN(Item value, item(depth + 1));
          out.map.emplace_back(std::move(key), std::move(value));
        }
        return out;
      }
      default:
        return bad("tags are not accepted");
    }
  }

  std::size_t pos() const { return pos_; }

 private:
  Result<std::uint64_t> argument(int info) {
    if (info < 24) return static_cast<std::uint64_t>(info);
    int n;
    switch (info) {
      case 24: n = 1; break;
      case 25: n = 2; break;
      case 26: n = 4; break;
      case 27: n = 8; break;
      case 31: return bad("indefinite lengths are not accepted");
      default: return bad("reserved additional information");
    }
    if (static_cast<std::size_t>(n) > in_.size() - pos_) return bad("truncated");
    std::uint64_t v = 0;
    for (int k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(in_[pos_++]);
    return v;
  }

  Result<Item> simple(int info) {
    Item out;
    switch (info) {
      case 20: out.type = Type::boolean; out.boolean = false; return out;
      case 21: out.type = Type::boolean; out.boolean = true; return out;
      case 22: out.type = Type::null; return out;
      case 31: return bad("unexpected break");
      default: return bad("floats and other simple values are not accepted");
    }
  }

  std::string_view in_;
  const Limits& limits_;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
};

void put_head(std::string& out, int major, std::uint64_t v) {
  auto m = static_cast<unsigned char>(major << 5);
  auto put_be = [&](int n) {
    for (int k = n - 1; k >= 0; --k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
  };
  if (v < 24) {
    out.push_back(static_cast<char>(m | v));
  } else if (v <= 0xFF) {
    out.push_back(static_cast<char>(m | 24));
    put_be(1);
  } else if (v <= 0xFFFF) {
    out.push_back(static_cast<char>(m | 25));
    put_be(2);
  } else if (v <= 0xFFFFFFFFu) {
    out.push_back(static_cast<char>(m | 26));
    put_be(4);
  } else {
    out.push_back(static_cast<char>(m | 27));
    put_be(8);
  }
}

void encode_into(std::string& out, const Item& item) {
  switch (item.type) {
    case Type::integer:
      if (item.integer >= 0)
        put_head(out, 0, static_cast<std::uint64_t>(item.integer));
      else
        put_head(out, 1, static_cast<std::uint64_t>(-1 - item.integer));
      break;
    case Type::bytes:
    case Type::text:
      put_head(out, item.type == Type::bytes ? 2 : 3, item.string.size());
      out += item.string;
      break;
    case Type::array:
      put_head(out, 4, item.array.size());
      for (const auto& e : item.array) encode_into(out, e);
      break;
    case Type::map:
      put_head(out, 5, item.map.size());
      for (const auto& [k, v] : item.map) {
        encode_into(out, k);
        encode_into(out, v);
      }
      break;
    case Type::boolean: out.push_back(static_cast<char>(item.boolean ? 0xF5 : 0xF4)); break;
    case Type::null: out.push_back(static_cast<char>(0xF6)); break;
  }
}

}  // namespace

const Item* Item::find(std::int64_t key) const {
  if (type != Type::map) return nullptr;
  for (const auto& [k, v] : map)
    if (k.type == Type::integer && k.integer == key) return &v;
  return nullptr;
}

const Item* Item::find(std::string_view key) const {
  if (type != Type::map) return nullptr;
  for (const auto& [k, v] : map)
    if (k.type == Type::text && k.string == key) return &v;
  return nullptr;
}

Item Item::of_int(std::int64_t v) { Item i; i.type = Type::integer; i.integer = v; return i; }
Item Item::of_bytes(std::string v) { Item i; i.type = Type::bytes; i.string = std::move(v); return i; }
Item Item::of_text(std::string v) { Item i; i.type = Type::text; i.string = std::move(v); return i; }
Item Item::of_bool(bool v) { Item i; i.type = Type::boolean; i.boolean = v; return i; }
Item Item::of_array(std::vector<Item> v) { Item i; i.type = Type::array; i.array = std::move(v); return i; }
Item Item::of_map(std::vector<std::pair<Item, Item>> v) {
  Item i;
  i.type = Type::map;
  i.map = std::move(v);
  return i;
}

Result<Item> decode_prefix(std::string_view bytes, std::size_t& used, const Limits& limits) {
  used = 0;
  if (bytes.size() > limits.max_bytes) return bad("input too large");
  Decoder d(bytes, limits);
  KOBAN_ASSIGN(Item item, d.item(0));
  used = d.pos();
  return item;
}

Result<Item> decode(std::string_view bytes, const Limits& limits) {
  std::size_t used = 0;
  KOBAN_ASSIGN(Item item, decode_prefix(bytes, used, limits));
  if (used != bytes.size()) return bad("trailing bytes");
  return item;
}

std::string encode(const Item& item) {
  std::string out;
  encode_into(out, item);
  return out;
}

}  // namespace koban::auth::webauthn::cbor

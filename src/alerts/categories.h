// The six kinds of safety-alert mail (ALERT-1; seed 003 §2 and 別添 第8), shared by the
// subscriber side (what a resident chooses), the alert side (what staff compose) and the
// syndication rule (ALERT-10: 1–3 go to Yahoo!防災速報, 3 only when there is physical danger).
//
//   for (const auto& c : alerts::categories()) show(c.number, c.name, c.definition);
//   const alerts::Category* c = alerts::find_category(3);     // nullptr for 0, 7 ...
//   KOBAN_ASSIGN(std::uint32_t mask, alerts::category_mask({1, 3}));   // 0b101; bad number → error
//   alerts::mask_has(mask, 3);                                 // true
//   alerts::goes_to_syndication(3, /*physical_danger=*/true);  // true
//
// Subscribers store their choice as a bitmask: bit n-1 for category n (schema contract).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::alerts {

inline constexpr int kCategoryCount = 6;
inline constexpr std::uint32_t kAllCategories = (1u << kCategoryCount) - 1;  // 0b111111

enum class Syndication {
  never,                  // 4–6
  always,                 // 1, 2
  physical_danger_only,   // 3: 刃物等使用の凶悪犯罪、危険動物の出没など
};

struct Category {
  int number = 0;                  // 1..6, as numbered in the seed
  std::string_view name;           // 子供安全情報 ...
  std::string_view short_name;     // 子供安全 ... (subject tags, narrow columns)
  std::string_view definition;     // the seed's definition, word for word
  std::string_view example_title;  // 記載例: a title to start from
  std::string_view example_text;   // 記載例: a body to start from (○○ marks what to fill in)
  Syndication syndication = Syndication::never;
};

// All six, in number order.
const std::array<Category, kCategoryCount>& categories();
// nullptr when number is not 1..6.
const Category* find_category(int number);

// Whether an alert of this category goes on the syndication queue (ALERT-10).
bool goes_to_syndication(int number, bool physical_danger);

constexpr std::uint32_t category_bit(int number) {
  return number >= 1 && number <= kCategoryCount ? (1u << (number - 1)) : 0u;
}
constexpr bool mask_has(std::uint32_t mask, int number) { return (mask & category_bit(number)) != 0; }

// The bitmask for the given numbers; invalid_argument (Japanese) for a number outside 1..6.
Result<std::uint32_t> category_mask(std::span<const int> numbers);
inline Result<std::uint32_t> category_mask(std::initializer_list<int> numbers) {
  return category_mask(std::span<const int>(numbers.begin(), numbers.size()));
}
// The numbers whose bits are set, ascending (bits above 6 are ignored).
std::vector<int> category_numbers(std::uint32_t mask);

}  // namespace koban::alerts

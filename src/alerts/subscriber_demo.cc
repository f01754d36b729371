#include "alerts/subscriber_demo.h"

#include <array>
#include <string_view>

#include "alerts/categories.h"
#include "alerts/subscribers.h"
#include "auth/random_bytes.h"

namespace koban::alerts {
namespace {

// Roughly the mix of a Japanese prefecture's list: carriers first, then free mail.
constexpr std::array<std::string_view, 10> kDomains = {
    "docomo.ne.jp", "docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp",
    "i.softbank.jp", "gmail.com", "gmail.com", "yahoo.co.jp", "example.jp"};

// A small deterministic generator so that demo data looks the same run after run.
struct Lcg {
  std::uint64_t x;
  std::uint32_t next() {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(x >> 33);
  }
};

}  // namespace

Result<std::int64_t> fill_demo_subscribers(store::Session& s, const SubscriberKeys& keys, std::int64_t count,
                                           Instant now) {
  if (count < 0 || count > 10'000'000) return Error::invalid("demo subscriber count out of range");
  KOBAN_ASSIGN(auto stations, area_options(s));
  const std::string run = auth::base64url_encode(auth::random_bytes(4));  // 6 chars, keeps reruns apart
  std::string run_lower;
  for (char c : run) run_lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : (c == '_' ? 'x' : c));
  Lcg rng{0x6b6f62616eULL};
  const std::int64_t t = to_unix(now);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::uint32_t r = rng.next();
    const std::string_view domain = kDomains[r % kDomains.size()];
    // Some docomo users still have the old consecutive-dot local parts.
    std::string local = (domain == "docomo.ne.jp" && (r >> 4) % 10 == 0) ? "anshin..demo" : "anshin.demo";
    local += "-" + run_lower + "-" + std::to_string(i);
    const std::string address = local + "@" + std::string(domain);
    std::uint32_t cats = (r >> 8) & kAllCategories;
    if (cats == 0) cats = kAllCategories;
    const bool whole = stations.empty() || (r >> 14) % 4 == 0;
    const bool iso = (domain == "docomo.ne.jp" || domain == "ezweb.ne.jp" || domain == "softbank.ne.jp") && (r >> 16) % 5 == 0;
    KOBAN_ASSIGN(auto rows, s.query("INSERT INTO subscribers (address_box, address_index, domain, state, encoding, "
                                    "categories, all_areas, link_key, hard_failures, created_at, updated_at, confirmed_at) "
                                    "VALUES (?, ?, ?, 'confirmed', ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id",
                                    store::Blob{keys.box.seal(address)}, keys.blind_index(normalise_for_index(address)),
                                    std::string(domain), iso ? "iso2022jp" : "utf8", static_cast<std::int64_t>(cats),
                                    whole, store::Blob{auth::random_bytes(kSubscriberLinkKeyBytes)}, t, t, t));
    if (!whole) {
      const std::int64_t id = rows.at(0).int64(0);
      const std::size_t first = (r >> 18) % stations.size();
      KOBAN_TRY(s.exec("INSERT INTO subscriber_areas (subscriber_id, unit_id) VALUES (?, ?)", id, stations[first].id));
      if ((r >> 24) % 3 == 0 && stations.size() > 1) {
        const std::size_t second = (first + 1 + (r >> 26) % (stations.size() - 1)) % stations.size();
        KOBAN_TRY(s.exec("INSERT INTO subscriber_areas (subscriber_id, unit_id) VALUES (?, ?)", id, stations[second].id));
      }
    }
  }
  return count;
}

}  // namespace koban::alerts

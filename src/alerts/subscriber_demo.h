// Demo and benchmark subscribers: confirmed residents with varied carrier and provider domains
// (docomo, au, SoftBank, Gmail ...), categories, areas and encodings, sealed and indexed like
// real ones. Used by `koban serve --demo` (a few hundred) and by the delivery bench (100,000+).
//
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto n, alerts::fill_demo_subscribers(s, keys, 100000, clock.now()));
//     return ok();
//   });
//
// Everything goes into the caller's one transaction with the same few statements (prepared
// once, reused per row). Addresses are under example domains' local parts that carry a random
// run prefix, so running it twice adds new subscribers instead of clashing.
#pragma once

#include <cstdint>

#include "alerts/subscriber_keys.h"
#include "core/result.h"
#include "core/time.h"
#include "store/database.h"

namespace koban::alerts {

// Needs the org units (stations) to exist for area choices; without stations everybody gets
// the whole prefecture. Returns the number created.
Result<std::int64_t> fill_demo_subscribers(store::Session& s, const SubscriberKeys& keys, std::int64_t count,
                                           Instant now);

}  // namespace koban::alerts

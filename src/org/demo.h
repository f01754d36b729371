// The demo force サンプル県警察 (`koban serve --demo`): HQ divisions, five police stations with
// their jurisdictions, the HQ duty desk and a duty desk per station, and one person in every
// role. Idempotent: when any unit exists it does nothing and returns an empty list.
//
//   KOBAN_ASSIGN(auto people, org::fill_demo(s, clock.now()));   // inside db.write(...)
//   for (auto& p : people) print(p.login_name, p.display_name, p.role_label, p.unit_name);
//
// The app sets the demo passwords (the auth module owns credentials).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"

namespace koban::org {

struct DemoPerson {
  std::string login_name;    // "koho.kacho", "chuo.shocho" ...
  std::string display_name;  // 氏名
  std::string role_label;    // the person's main role: "業務主管課長（ホームページ）"
  std::string unit_name;     // 広報課, 中央警察署
};

Result<std::vector<DemoPerson>> fill_demo(store::Session& s, Instant now);

}  // namespace koban::org

// The rules a stored external-service password must meet (ORG-7). Stricter by default than the
// seed's 8 mixed-case alphanumerics (004 §15-3): these guard shared accounts on the internet.
// Every rule is configurable.
//
//   SecretRules rules;                       // 12+ chars, upper+lower, digit, symbol
//   auto broken = rules.check(candidate);    // Japanese lines, empty when fine
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace koban::ledger {

struct SecretRules {
  int min_length = 12;            // characters (code points)
  int max_length = 256;           // a bound on hostile input
  bool require_letter = true;     // an ASCII letter
  bool require_mixed_case = true; // both upper- and lower-case ASCII letters
  bool require_digit = true;
  bool require_symbol = true;     // printable ASCII that is neither letter, digit nor space

  // One Japanese message per rule broken, in a fixed order; empty when the secret is fine.
  // Invalid UTF-8 and control characters are always refused.
  std::vector<std::string> check(std::string_view secret) const;
};

}  // namespace koban::ledger

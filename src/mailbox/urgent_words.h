// Which messages are urgent: those that announce a suicide or a crime (SITE-10). A plain list
// of words (configurable: mailbox.urgent_words), matched in the text with white space and
// line breaks removed, so "爆 破" or a word split over two lines still matches. A false alarm
// costs the duty desk a look; a miss may cost a life, so there is no clever negation logic:
// "死にたくない" does not contain "死にたい" anyway, and the words are chosen to be specific.
//
//   auto words = mailbox::parse_urgent_words(config.text("mailbox.urgent_words"));  // Result
//   std::vector<std::string> hits = mailbox::urgent_terms(text, *words);            // empty: not urgent
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace koban::mailbox {

inline constexpr std::size_t kMaxUrgentWords = 200;
inline constexpr std::size_t kMaxUrgentWordBytes = 100;

// The default list (also the default of mailbox.urgent_words), comma separated.
inline constexpr const char* kDefaultUrgentWords =
    "死にたい,自殺,消えたい,首をつ,首を吊,飛び降り,殺す,殺して,殺害,爆破,爆弾,放火,火をつけ,襲う,襲撃,刺す,"
    "刺し殺,ぶっ殺,皆殺し,テロ";

// Comma-separated (、 and ， also separate), blanks trimmed, empty items skipped; invalid UTF-8,
// too many words or a word too long is an error naming the problem.
Result<std::vector<std::string>> parse_urgent_words(std::string_view text);

// The words of `words` found in `text` (each once, in list order).
std::vector<std::string> urgent_terms(std::string_view text, const std::vector<std::string>& words);

}  // namespace koban::mailbox

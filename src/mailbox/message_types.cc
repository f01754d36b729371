#include "mailbox/message_types.h"

namespace koban::mailbox {

const char* to_string(Kind k) {
  switch (k) {
    case Kind::opinion: return "opinion";
    case Kind::request: return "request";
    case Kind::complaint: return "complaint";
    case Kind::information: return "information";
  }
  return "opinion";
}

const char* label(Kind k) {
  switch (k) {
    case Kind::opinion: return "意見";
    case Kind::request: return "要望";
    case Kind::complaint: return "苦情";
    case Kind::information: return "情報提供";
  }
  return "";
}

std::optional<Kind> parse_kind(std::string_view s) {
  for (auto k : kAllKinds)
    if (s == to_string(k)) return k;
  return std::nullopt;
}

const char* to_string(Queue q) { return q == Queue::pr ? "pr" : "duty"; }
const char* label(Queue q) { return q == Queue::pr ? "広報課" : "本部総合当直"; }

std::optional<Queue> parse_queue(std::string_view s) {
  for (auto q : kAllQueues)
    if (s == to_string(q)) return q;
  return std::nullopt;
}

const char* to_string(State s) {
  switch (s) {
    case State::fresh: return "new";
    case State::assigned: return "assigned";
    case State::answered: return "answered";
    case State::closed: return "closed";
  }
  return "new";
}

const char* label(State s) {
  switch (s) {
    case State::fresh: return "未対応";
    case State::assigned: return "担当決定";
    case State::answered: return "回答済み";
    case State::closed: return "完了";
  }
  return "";
}

std::optional<State> parse_state(std::string_view s) {
  for (auto st : kAllStates)
    if (s == to_string(st)) return st;
  return std::nullopt;
}

}  // namespace koban::mailbox

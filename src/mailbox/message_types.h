// The small vocabularies of the mailbox: what a resident writes (Kind), which queue handles it
// (Queue), how far its handling is (State). to_string() gives the stored value, label() the
// Japanese shown to people, parse_*() reads a stored value or a form field.
//
//   auto k = mailbox::parse_kind("complaint");   // Kind::complaint
//   mailbox::label(Queue::duty)                  // "本部総合当直"
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace koban::mailbox {

enum class Kind { opinion, request, complaint, information };  // 意見・要望・苦情・情報提供
inline constexpr std::array<Kind, 4> kAllKinds = {Kind::opinion, Kind::request, Kind::complaint, Kind::information};
const char* to_string(Kind k);
const char* label(Kind k);
std::optional<Kind> parse_kind(std::string_view s);

// pr: the PR division (広報課) in office hours; duty: the HQ duty desk (本部総合当直) otherwise.
enum class Queue { pr, duty };
inline constexpr std::array<Queue, 2> kAllQueues = {Queue::pr, Queue::duty};
const char* to_string(Queue q);
const char* label(Queue q);
std::optional<Queue> parse_queue(std::string_view s);
inline Queue other(Queue q) { return q == Queue::pr ? Queue::duty : Queue::pr; }

enum class State { fresh, assigned, answered, closed };  // 未対応・担当決定・回答済み・完了
inline constexpr std::array<State, 4> kAllStates = {State::fresh, State::assigned, State::answered, State::closed};
const char* to_string(State s);  // "new", "assigned", "answered", "closed"
const char* label(State s);
std::optional<State> parse_state(std::string_view s);

}  // namespace koban::mailbox

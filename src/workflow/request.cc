#include "workflow/request.h"

namespace koban::workflow {

const char* to_string(RequestState s) {
  switch (s) {
    case RequestState::draft: return "draft";
    case RequestState::submitted: return "submitted";
    case RequestState::approved: return "approved";
    case RequestState::remanded: return "remanded";
    case RequestState::withdrawn: return "withdrawn";
    case RequestState::carried_out: return "carried_out";
  }
  return "draft";
}

const char* label(RequestState s) {
  switch (s) {
    case RequestState::draft: return "下書き";
    case RequestState::submitted: return "承認待ち";
    case RequestState::approved: return "承認済み";
    case RequestState::remanded: return "差戻し";
    case RequestState::withdrawn: return "取下げ";
    case RequestState::carried_out: return "実施済み";
  }
  return "";
}

std::optional<RequestState> parse_request_state(std::string_view s) {
  for (auto st : {RequestState::draft, RequestState::submitted, RequestState::approved,
                  RequestState::remanded, RequestState::withdrawn, RequestState::carried_out})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

const char* to_string(Decision d) {
  switch (d) {
    case Decision::approved: return "approved";
    case Decision::remanded: return "remanded";
    case Decision::withdrawn: return "withdrawn";
  }
  return "approved";
}

std::optional<Decision> parse_decision(std::string_view s) {
  for (auto d : {Decision::approved, Decision::remanded, Decision::withdrawn})
    if (s == to_string(d)) return d;
  return std::nullopt;
}

}  // namespace koban::workflow

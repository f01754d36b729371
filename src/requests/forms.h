// The administrative request forms (ORG-12, seed 002 第6〜第10, 第14): one field schema per
// workflow kind, the seed's form number (別記様式第N号) and validation of what people typed.
//
//   const FormSpec* f = requests::find_form("org.access_grant");     // nullptr: unknown kind
//   KOBAN_ASSIGN(nlohmann::json fields, requests::validate_fields(*f, {{"system", "website"}, ...}));
//   requests::form_number(*f, fields)   // "別記第4号様式" (some forms depend on a field)
//   KOBAN_TRY(requests::register_request_kinds(kinds, calendar, "somu"));
//
// The chain of every kind: the requesting unit's head (or stand-in, workflow::
// unit_head_or_stand_in), then システム総括責任者 — the head of the HQ division given by code and
// the force-wide business owners for administration (workflow::hq_reviewer). All kinds are
// checked against Purpose::administration.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/calendar/business_calendar.h"
#include "core/result.h"
#include "workflow/kinds.h"

namespace koban::requests {

enum class FieldType { text, textarea, date, select };

struct Field {
  std::string name;   // form field name: lower-case ASCII
  std::string label;  // shown to people
  FieldType type = FieldType::text;
  bool required = true;
  std::vector<std::pair<std::string, std::string>> options{};  // select: value, label
};

struct FormSpec {
  std::string kind;         // workflow kind, "org.access_grant"
  std::string label;        // アクセス権限付与申請
  std::string form_number;  // 別記第4号様式 (or "様式の定めなし（第10）")
  std::string form_title;   // the seed's name of the form
  std::string seed_clause;  // 002 第7の1
  std::vector<Field> fields;
  // When set, the form number depends on this select field: value → (number, title).
  std::string number_by{};
  std::map<std::string, std::pair<std::string, std::string>> numbers{};
};

inline constexpr std::size_t kMaxTextChars = 200;
inline constexpr std::size_t kMaxTextareaChars = 2000;

const std::vector<FormSpec>& all_forms();
const FormSpec* find_form(std::string_view kind);

// Reads the schema's fields from `input` (other names are ignored) and returns a JSON object
// {name: value} with every field (absent optional ones as ""). invalid_argument lists every
// problem in Japanese, one per line ("「対象システム」を選択してください").
Result<nlohmann::json> validate_fields(const FormSpec& form, const std::map<std::string, std::string>& input);

// 別記様式 number and title for a filled-in form.
std::string form_number(const FormSpec& form, const nlohmann::json& fields);
std::string form_title(const FormSpec& form, const nlohmann::json& fields);
// The label of a select option (the value itself when unknown).
std::string option_label(const Field& field, const std::string& value);

Result<void> register_request_kinds(workflow::KindRegistry& kinds, calendar::BusinessCalendar cal,
                                    std::string reviewer_unit_code = "somu");

}  // namespace koban::requests

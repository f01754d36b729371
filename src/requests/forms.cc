#include "requests/forms.h"

#include "core/time.h"
#include "http/forms/utf8.h"
#include "workflow/approver_rules.h"

namespace koban::requests {
namespace {

using T = FieldType;

const std::vector<std::pair<std::string, std::string>> kSystems = {
    {"website", "ホームページ"}, {"alerts", "安全安心メール"}, {"procedures", "電子申請"},
    {"mailbox", "メールボックス"}, {"social", "SNS"}};
const std::vector<std::pair<std::string, std::string>> kChange = {
    {"new", "新設"}, {"change", "変更"}, {"stop", "削除・停止"}};

std::vector<FormSpec> build() {
  std::vector<FormSpec> f;
  f.push_back({.kind = "org.access_grant", .label = "アクセス権限付与申請",
               .form_number = "別記第4号様式", .form_title = "道警ホームページ運用所属設定申請書",
               .seed_clause = "第6の3・第7の1・第10の3",
               .fields = {{"system", "対象システム", T::select, true, kSystems},
                          {"grantee", "対象者又は対象所属", T::text},
                          {"scope", "利用の範囲", T::textarea},
                          {"start_date", "利用開始日", T::date},
                          {"reason", "理由", T::textarea}},
               // 第3号 (電子申請手続利用者) for procedures, 第4号 for the website; the seed names no
               // form for the other systems.
               .number_by = "system",
               .numbers = {{"procedures", {"別記第3号様式", "電子申請手続利用者（設定・変更）申請書"}},
                           {"website", {"別記第4号様式", "道警ホームページ運用所属設定申請書"}},
                           {"alerts", {"様式の定めなし（第10の3）", "メール配信システム利用所属設定申請"}},
                           {"mailbox", {"様式の定めなし（第4）", "利用者設定申請"}},
                           {"social", {"様式の定めなし（第4）", "利用者設定申請"}}}});
  f.push_back({.kind = "org.mail_address", .label = "メールアドレス付与・変更・削除申請",
               .form_number = "別記第5号様式", .form_title = "メールアドレス付与申請書", .seed_clause = "第8",
               .fields = {{"action", "申請の種別", T::select, true, {{"issue", "付与"}, {"change", "変更"}, {"delete", "削除"}}},
                          {"address", "現在のメールアドレス（変更・削除の場合）", T::text, false},
                          {"section", "使用する部門", T::text},
                          {"reason", "業務上必要な理由", T::textarea}},
               .number_by = "action",
               .numbers = {{"issue", {"別記第5号様式", "メールアドレス付与申請書"}},
                           {"change", {"別記第7号様式", "メールアドレス（変更・削除）申請書"}},
                           {"delete", {"別記第7号様式", "メールアドレス（変更・削除）申請書"}}}});
  f.push_back({.kind = "org.settings_change", .label = "設定変更等申請", .form_number = "別記第8号様式",
               .form_title = "設定変更等申請書", .seed_clause = "第9の2",
               .fields = {{"service", "利用する各種サービス", T::text},
                          {"change", "必要な設定変更・ソフトウェア等", T::textarea},
                          {"consulted_on", "システム管理者との事前協議日", T::date},
                          {"reason", "理由", T::textarea}}});
  f.push_back({.kind = "org.procedure_change", .label = "電子申請手続新設・変更・削除申請",
               .form_number = "別記第1号様式", .form_title = "電子申請手続（新設）申請書", .seed_clause = "第6の1・2",
               .fields = {{"action", "申請の種別", T::select, true, kChange},
                          {"procedure", "手続の名称", T::text},
                          {"content", "新設・変更の内容", T::textarea},
                          {"consulted_on", "システム管理者との事前協議日", T::date},
                          {"start_date", "実施予定日", T::date}},
               .number_by = "action",
               .numbers = {{"new", {"別記第1号様式", "電子申請手続（新設）申請書"}},
                           {"change", {"別記第2号様式", "電子申請手続（変更・削除）申請書"}},
                           {"stop", {"別記第2号様式", "電子申請手続（変更・削除）申請書"}}}});
  f.push_back({.kind = "org.mail_magazine", .label = "メールマガジン等開始・変更・停止申請",
               .form_number = "様式の定めなし（第10）", .form_title = "メールマガジン等開始・変更・停止申請書",
               .seed_clause = "第10の1・2",
               .fields = {{"action", "申請の種別", T::select, true, kChange},
                          {"magazine", "メールマガジン等の名称", T::text},
                          {"content", "配信の内容・頻度", T::textarea},
                          {"consulted_on", "システム管理者との事前協議日", T::date},
                          {"start_date", "実施予定日", T::date}}});
  f.push_back({.kind = "org.interconnection", .label = "相互接続申請", .form_number = "様式の定めなし（第14）",
               .form_title = "警察情報システム相互接続申請書", .seed_clause = "第14",
               .fields = {{"action", "申請の種別", T::select, true,
                           {{"connect", "接続"}, {"update", "更新・機器の変更"}, {"end", "接続の終了"}}},
                          {"system_name", "接続する警察情報システム", T::text},
                          {"plan", "接続の計画・構成", T::textarea},
                          {"consulted_on", "システム管理者との事前協議日", T::date},
                          {"procure_date", "調達予定日", T::date, false}}});
  return f;
}

// Text people type: valid UTF-8, no control characters but line breaks and tabs in long text.
bool clean_text(std::string_view s, bool multiline) {
  if (!http::forms::is_valid_utf8(s)) return false;
  for (unsigned char c : s) {
    if (c == 0x7f) return false;
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) return false;
  }
  return true;
}

std::string trimmed(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != '\r') out += c;  // CRLF from browsers → LF
  return out;
}

}  // namespace

const std::vector<FormSpec>& all_forms() {
  static const std::vector<FormSpec> forms = build();
  return forms;
}

const FormSpec* find_form(std::string_view kind) {
  for (const auto& f : all_forms())
    if (f.kind == kind) return &f;
  return nullptr;
}

Result<nlohmann::json> validate_fields(const FormSpec& form, const std::map<std::string, std::string>& input) {
  nlohmann::json out = nlohmann::json::object();
  std::string problems;
  auto problem = [&](const std::string& m) { problems += (problems.empty() ? "" : "\n") + m; };
  for (const auto& field : form.fields) {
    auto it = input.find(field.name);
    std::string v = it == input.end() ? "" : trimmed(it->second);
    const std::string q = "「" + field.label + "」";
    if (v.empty()) {
      if (field.required)
        problem(q + (field.type == T::select ? "を選択してください" : "を入力してください"));
      out[field.name] = "";
      continue;
    }
    const bool multiline = field.type == T::textarea;
    if (!clean_text(v, multiline)) {
      problem(q + "に使えない文字が含まれています");
      continue;
    }
    const std::size_t max = multiline ? kMaxTextareaChars : kMaxTextChars;
    if (http::forms::utf8_length(v) > max) {
      problem(q + "は" + std::to_string(max) + "文字以内で入力してください");
      continue;
    }
    if (field.type == T::date && !Date::parse(v)) {
      problem(q + "は 2026-04-01 の形で正しい日付を入力してください");
      continue;
    }
    if (field.type == T::select) {
      bool known = false;
      for (const auto& [value, label] : field.options) known = known || value == v;
      if (!known) {
        problem(q + "の選択肢にない値です");
        continue;
      }
    }
    out[field.name] = v;
  }
  if (!problems.empty()) return Error::invalid(problems);
  return out;
}

namespace {
const std::pair<std::string, std::string>* numbered(const FormSpec& form, const nlohmann::json& fields) {
  if (form.number_by.empty() || !fields.is_object()) return nullptr;
  auto v = fields.find(form.number_by);
  if (v == fields.end() || !v->is_string()) return nullptr;
  auto it = form.numbers.find(v->get<std::string>());
  return it == form.numbers.end() ? nullptr : &it->second;
}
}  // namespace

std::string form_number(const FormSpec& form, const nlohmann::json& fields) {
  auto n = numbered(form, fields);
  return n ? n->first : form.form_number;
}

std::string form_title(const FormSpec& form, const nlohmann::json& fields) {
  auto n = numbered(form, fields);
  return n ? n->second : form.form_title;
}

std::string option_label(const Field& field, const std::string& value) {
  for (const auto& [v, l] : field.options)
    if (v == value) return l;
  return value;
}

Result<void> register_request_kinds(workflow::KindRegistry& kinds, calendar::BusinessCalendar cal,
                                    std::string reviewer_unit_code) {
  for (const auto& f : all_forms()) {
    KOBAN_TRY(kinds.add({.kind = f.kind, .label = f.label, .purpose = org::Purpose::administration,
                         .chain = {{"unit_head", workflow::unit_head_or_stand_in(org::Purpose::administration, cal)},
                                   {"hq_review", workflow::hq_reviewer(org::Purpose::administration, reviewer_unit_code)}}}));
  }
  return ok();
}

}  // namespace koban::requests

#include "server/dispatcher/developer_names.h"

#include <algorithm>
#include <ctime>

#include "server/core/clock.h"
#include "server/soql/binder.h"

namespace omni {

namespace {

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsAsciiAlnum(char c) { return IsAsciiLetter(c) || (c >= '0' && c <= '9'); }

std::string TrimTrailingUnderscores(std::string s) {
  while (!s.empty() && s.back() == '_') s.pop_back();
  return s;
}

}  // namespace

std::optional<Error> CheckDeveloperName(const FieldDef& f, const std::string& value) {
  bool ok = !value.empty() && IsAsciiLetter(value[0]) && value.back() != '_';
  for (size_t i = 0; ok && i < value.size(); ++i) {
    char c = value[i];
    ok = IsAsciiAlnum(c) || (c == '_' && (i == 0 || value[i - 1] != '_'));
  }
  if (ok) return std::nullopt;
  // The real org's text (its Setup pages and the API give the field's label).
  // LIMITATIONS: the status code of this refusal is not captured; FIELD_INTEGRITY_EXCEPTION is the
  // one Salesforce uses for values that break a field's rules (CATALOG-DECISIONS D22).
  return Error{StatusCode::kFieldIntegrityException,
               "The " + f.label +
                   " field can only contain underscores and alphanumeric characters. It must be "
                   "unique, begin with a letter, not include spaces, not end with an underscore, "
                   "and not contain two consecutive underscores.",
               {f.name}};
}

Error DuplicateDeveloperName(const ObjectDef& obj, const FieldDef& f) {
  // LIMITATIONS: the captured text is the custom-metadata one ("Developer name already exists for
  // custom metadata of this type. Please choose a different name."); it is used with the object's
  // label (CATALOG-DECISIONS D22).
  return Error{StatusCode::kDuplicateDeveloperName,
               "Developer name already exists for " + obj.label +
                   " records. Please choose a different name.",
               {f.name}};
}

std::string DeveloperNameFromLabel(const std::string& label, size_t max_length) {
  std::string out;
  for (char c : label) {
    if (IsAsciiAlnum(c))
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  out = TrimTrailingUnderscores(out);
  if (out.empty() || !IsAsciiLetter(out[0])) out.insert(0, "X");
  if (max_length > 0 && out.size() > max_length)
    out = TrimTrailingUnderscores(out.substr(0, max_length));
  return out;
}

std::string FirstFreeDeveloperName(const std::string& base, const std::vector<std::string>& taken,
                                   size_t max_length) {
  std::vector<std::string> lower;
  lower.reserve(taken.size());
  for (const auto& t : taken) lower.push_back(ToLower(t));
  auto is_free = [&](const std::string& name) {
    return std::find(lower.begin(), lower.end(), ToLower(name)) == lower.end();
  };
  if (is_free(base)) return base;
  for (size_t n = 1;; ++n) {
    std::string suffix = std::to_string(n);
    std::string stem = base;
    if (max_length > suffix.size() && stem.size() + suffix.size() > max_length) {
      stem = TrimTrailingUnderscores(stem.substr(0, max_length - suffix.size()));
    }
    if (is_free(stem + suffix)) return stem + suffix;
  }
}

std::string GenerateDeveloperName(const WriteScope& s, const ObjectDef& obj, const FieldDef& f,
                                  const std::string& label) {
  const size_t max_length = f.length > 0 ? static_cast<size_t>(f.length) : 80;
  std::string base = DeveloperNameFromLabel(label, max_length);
  // Every name that base or a numbered variant of it could clash with starts with the first
  // (max_length - 5) characters of base (suffixes up to 9999, and a trailing underscore the cut
  // may drop).
  // The base holds only letters, digits and underscores, so it is a safe SOQL literal; LIKE's
  // '_' wildcard only widens the match, which the exact comparison narrows again.
  std::string prefix = base.substr(0, std::min(base.size(), max_length > 8 ? max_length - 5 : 1));
  std::string soql =
      "SELECT " + f.name + " FROM " + obj.name + " WHERE " + f.name + " LIKE '" + prefix + "%'";
  soql::QueryPlan plan;
  std::vector<std::string> taken;
  if (!soql::Compile(s.catalog, soql, static_cast<std::time_t>(Clock::Parse(s.now).value_or(0) / 1000), &plan)) {
    for (const auto& row : s.tx.records().RunQuery(s.org_id, plan, true, 0, 1000000)) {
      if (!row.empty() && row[0]) taken.push_back(*row[0]);
    }
  } else {
    // An object without query(): probe the candidates one by one.
    for (size_t n = 0; n < 1000; ++n) {
      std::string candidate = FirstFreeDeveloperName(base, taken, max_length);
      if (s.tx.records().FindIdsByValue(s.org_id, obj, f, candidate, true).empty()) break;
      taken.push_back(candidate);
    }
  }
  return FirstFreeDeveloperName(base, taken, max_length);
}

}  // namespace omni

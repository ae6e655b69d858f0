#include "server/soql/record_eval.h"

#include <cstdlib>
#include <vector>

#include "server/soql/date_literals.h"

namespace omni::soql {

namespace {

// SQL's truth values.
enum class Tri { kFalse, kTrue, kUnknown };

Tri Of(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

int Digits(const std::string& s, size_t at, size_t n, bool* ok) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') {
      *ok = false;
      return 0;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Unicode code points of UTF-8 text, ASCII letters lowered (as lower()/ILIKE compare them for
// the Latin alphabet; LIMITATIONS: other scripts compare case-sensitively here).
std::vector<unsigned> FoldedCodePoints(const std::string& s) {
  std::vector<unsigned> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    unsigned cp = c;
    size_t n = 1;
    if (c >= 0xF0) {
      cp = c & 0x07, n = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0F, n = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1F, n = 2;
    }
    for (size_t k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string LowerAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// ILIKE with ESCAPE '\': % any run, _ one character, \x the character x.
bool LikeMatch(const std::vector<unsigned>& text, size_t ti, const std::vector<unsigned>& pat,
               size_t pi) {
  while (pi < pat.size()) {
    unsigned p = pat[pi];
    if (p == '%') {
      while (pi < pat.size() && pat[pi] == '%') ++pi;
      if (pi == pat.size()) return true;
      for (size_t k = ti; k <= text.size(); ++k) {
        if (LikeMatch(text, k, pat, pi)) return true;
      }
      return false;
    }
    if (ti >= text.size()) return false;
    if (p == '_') {
      ++ti, ++pi;
      continue;
    }
    if (p == '\\' && pi + 1 < pat.size()) p = pat[++pi];
    if (text[ti] != p) return false;
    ++ti, ++pi;
  }
  return ti == text.size();
}

// <0, 0, >0 as a is below, equal to or above b in the field type's order; nullopt when either
// text is not a value of that type (then the comparison is unknown, as a failed cast would be).
std::optional<int> Compare(FieldType type, const std::string& a, const std::string& b,
                           bool case_insensitive) {
  switch (type) {
    case FieldType::kInt:
    case FieldType::kDouble:
    case FieldType::kPercent: {
      char* end_a = nullptr;
      char* end_b = nullptr;
      double x = std::strtod(a.c_str(), &end_a);
      double y = std::strtod(b.c_str(), &end_b);
      if (*end_a || *end_b || a.empty() || b.empty()) return std::nullopt;
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case FieldType::kDatetime: {
      auto x = DateTimeMillis(a), y = DateTimeMillis(b);
      if (!x || !y) return std::nullopt;
      return *x < *y ? -1 : (*x > *y ? 1 : 0);
    }
    default: {
      // Dates ("YYYY-MM-DD"), booleans, ids and text compare as text.
      // LIMITATIONS: text order is byte order here, the database's collation there.
      const std::string x = case_insensitive ? LowerAscii(a) : a;
      const std::string y = case_insensitive ? LowerAscii(b) : b;
      return x.compare(y) < 0 ? -1 : (x == y ? 0 : 1);
    }
  }
}

Tri FromCompare(std::optional<int> r, CmpOp op) {
  if (!r) return Tri::kUnknown;
  switch (op) {
    case CmpOp::kEq:
      return Of(*r == 0);
    case CmpOp::kNe:
      return Of(*r != 0);
    case CmpOp::kLt:
      return Of(*r < 0);
    case CmpOp::kLe:
      return Of(*r <= 0);
    case CmpOp::kGt:
      return Of(*r > 0);
    case CmpOp::kGe:
      return Of(*r >= 0);
    default:
      return Tri::kUnknown;
  }
}

Tri Leaf(const Condition& c, const Record& image) {
  const Value* found = image.Find(c.lhs.ref.field->name);
  const Value field = found ? *found : std::nullopt;
  const FieldType t = c.value_type;
  if (c.range) {
    const std::string& lo = *c.values.at(0);
    const std::string& hi = *c.values.at(1);
    if (!field) return c.op == CmpOp::kNe ? Tri::kTrue : Tri::kUnknown;
    auto below_lo = Compare(t, *field, lo, false);
    auto below_hi = Compare(t, *field, hi, false);
    if (!below_lo || !below_hi) return Tri::kUnknown;
    switch (c.op) {
      case CmpOp::kEq:
        return Of(*below_lo >= 0 && *below_hi < 0);
      case CmpOp::kNe:
        return Of(*below_lo < 0 || *below_hi >= 0);
      case CmpOp::kLt:
        return Of(*below_lo < 0);
      case CmpOp::kLe:
        return Of(*below_hi < 0);
      case CmpOp::kGt:
        return Of(*below_hi >= 0);
      case CmpOp::kGe:
        return Of(*below_lo >= 0);
      default:
        return Tri::kFalse;
    }
  }
  switch (c.op) {
    case CmpOp::kLike: {
      if (!field || !c.values.at(0)) return Tri::kFalse;  // COALESCE(... ILIKE ..., false)
      return Of(LikeMatch(FoldedCodePoints(*field), 0, FoldedCodePoints(*c.values[0]), 0));
    }
    case CmpOp::kIn:
    case CmpOp::kNotIn: {
      bool has_null = false, hit = false;
      bool unknown = false;
      for (const auto& v : c.values) {
        if (!v) {
          has_null = true;
          continue;
        }
        if (!field) continue;
        auto r = Compare(t, *field, *v, c.case_insensitive);
        if (!r)
          unknown = true;
        else if (*r == 0)
          hit = true;
      }
      if (c.op == CmpOp::kIn) {
        if (!field) return has_null ? Tri::kTrue : Tri::kUnknown;
        return hit ? Tri::kTrue : (unknown ? Tri::kUnknown : Tri::kFalse);
      }
      if (!field) return has_null ? Tri::kFalse : Tri::kTrue;
      if (hit) return Tri::kFalse;
      return unknown ? Tri::kUnknown : Tri::kTrue;
    }
    default:
      break;
  }
  const Value& v = c.values.at(0);
  if (!v) return Of(c.op == CmpOp::kNe ? field.has_value() : !field.has_value());
  if (!field) return c.op == CmpOp::kNe ? Tri::kTrue : Tri::kUnknown;
  return FromCompare(Compare(t, *field, *v, c.case_insensitive), c.op);
}

Tri Eval(const Condition& c, const Record& image) {
  switch (c.kind) {
    case Condition::Kind::kAnd: {
      Tri out = Tri::kTrue;
      for (const auto& k : c.children) {
        Tri r = Eval(k, image);
        if (r == Tri::kFalse) return Tri::kFalse;
        if (r == Tri::kUnknown) out = Tri::kUnknown;
      }
      return out;
    }
    case Condition::Kind::kOr: {
      Tri out = Tri::kFalse;
      for (const auto& k : c.children) {
        Tri r = Eval(k, image);
        if (r == Tri::kTrue) return Tri::kTrue;
        if (r == Tri::kUnknown) out = Tri::kUnknown;
      }
      return out;
    }
    case Condition::Kind::kNot:  // NOT COALESCE(x, false)
      return Of(Eval(c.children.at(0), image) != Tri::kTrue);
    case Condition::Kind::kSemiJoin:
      return Tri::kFalse;
    case Condition::Kind::kCompare:
      break;
  }
  return Leaf(c, image);
}

}  // namespace

bool InMemoryEvaluable(const Condition& c, std::string* why) {
  switch (c.kind) {
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr:
    case Condition::Kind::kNot:
      for (const auto& k : c.children) {
        if (!InMemoryEvaluable(k, why)) return false;
      }
      return true;
    case Condition::Kind::kSemiJoin:
      *why = "semi join";
      return false;
    case Condition::Kind::kCompare:
      break;
  }
  if (c.lhs.func != AggFunc::kNone || c.lhs.count_star) {
    *why = "aggregate";
    return false;
  }
  if (!c.lhs.ref.hops.empty() || !c.lhs.ref.field) {
    *why = "relationship";
    return false;
  }
  return true;
}

bool Matches(const Condition& c, const Record& image) {
  std::string why;
  if (!InMemoryEvaluable(c, &why)) return false;
  return Eval(c, image) == Tri::kTrue;
}

std::optional<long long> DateTimeMillis(const std::string& s) {
  bool ok = true;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  int y = Digits(s, 0, 4, &ok), mo = Digits(s, 5, 2, &ok), d = Digits(s, 8, 2, &ok);
  int h = Digits(s, 11, 2, &ok), mi = Digits(s, 14, 2, &ok), se = Digits(s, 17, 2, &ok);
  size_t i = 19;
  long long ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ms += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  long long offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    int oh = Digits(s, i + 1, 2, &ok);
    size_t m_at = i + 3 < s.size() && s[i + 3] == ':' ? i + 4 : i + 3;
    int om = Digits(s, m_at, 2, &ok);
    offset_min = sign * (oh * 60 + om);
    i = m_at + 2;
  }
  if (!ok || i != s.size()) return std::nullopt;
  long long days = DaysFromCivil(y, mo, d);
  long long secs = days * 86400 + h * 3600 + mi * 60 + se - offset_min * 60;
  return secs * 1000 + ms;
}

}  // namespace omni::soql

#include "server/dispatcher/field_values.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "server/core/sf_id.h"

namespace omni {

namespace {

Error ValueError(StatusCode code, const std::string& message, const FieldDef& f) {
  return Error{code, message, {f.name}};
}

bool ParseLong(const std::string& s, long long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

int Digits(const std::string& s, size_t pos, size_t n, bool* ok) {
  int v = 0;
  if (pos + n > s.size()) {
    *ok = false;
    return 0;
  }
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) *ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long DaysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool ValidDate(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1700 || y > 4000 || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// The first character that cannot be stored and sent back: invalid UTF-8 (overlong, truncated,
// surrogates, beyond U+10FFFF) or outside XML 1.0 (controls other than tab, CR and LF, U+FFFE,
// U+FFFF). PostgreSQL refuses NUL and invalid UTF-8, and no response could carry the others.
// Returns the byte offset, or npos when the text is clean.
size_t BadCharacterAt(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned c0 = static_cast<unsigned char>(s[i]);
    if (c0 < 0x80) {
      if (c0 < 0x20 && c0 != '\t' && c0 != '\n' && c0 != '\r') return i;
      ++i;
      continue;
    }
    size_t n = c0 >= 0xC2 && c0 <= 0xDF   ? 2
               : c0 >= 0xE0 && c0 <= 0xEF ? 3
               : c0 >= 0xF0 && c0 <= 0xF4 ? 4
                                          : 0;
    if (n == 0 || i + n > s.size()) return i;
    unsigned lo = c0 == 0xE0 ? 0xA0 : c0 == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c0 == 0xED ? 0x9F : c0 == 0xF4 ? 0x8F : 0xBF;
    uint32_t cp = c0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (size_t j = 1; j < n; ++j) {
      unsigned cj = static_cast<unsigned char>(s[i + j]);
      if (cj < (j == 1 ? lo : 0x80) || cj > (j == 1 ? hi : 0xBF)) return i;
      cp = (cp << 6) | (cj & 0x3F);
    }
    if (cp == 0xFFFE || cp == 0xFFFF) return i;
    i += n;
  }
  return std::string::npos;
}

}  // namespace

std::string ValueExcerpt(const std::string& value) {
  // LIMITATIONS: the real org's truncation of echoed values is not documented; we keep the first
  // kMaxEchoedChars characters and mark the cut with "...".
  size_t chars = 0, i = 0;
  for (; i < value.size(); ++i) {
    if ((static_cast<unsigned char>(value[i]) & 0xC0) != 0x80 && chars++ == kMaxEchoedChars) {
      return value.substr(0, i) + "...";
    }
  }
  return value;
}

std::optional<std::string> CanonicalDateTime(const std::string& s) {
  bool ok = true;
  int y = Digits(s, 0, 4, &ok), mo = Digits(s, 5, 2, &ok), d = Digits(s, 8, 2, &ok);
  if (!ok || s.size() < 10 || s[4] != '-' || s[7] != '-' || !ValidDate(y, mo, d)) {
    return std::nullopt;
  }
  int h = 0, mi = 0, se = 0, ms = 0, offset_min = 0;
  size_t pos = 10;
  if (pos < s.size()) {
    if (s[pos] != 'T' || s.size() < 19 || s[13] != ':' || s[16] != ':') return std::nullopt;
    h = Digits(s, 11, 2, &ok);
    mi = Digits(s, 14, 2, &ok);
    se = Digits(s, 17, 2, &ok);
    if (!ok || h > 23 || mi > 59 || se > 59) return std::nullopt;
    pos = 19;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int scale = 100;
      size_t start = pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        ms += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' && pos + 1 == s.size()) {
        pos = s.size();
      } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
        int oh = Digits(s, pos + 1, 2, &ok), om = Digits(s, pos + 4, 2, &ok);
        if (!ok || oh > 14 || om > 59) return std::nullopt;
        offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
      } else {
        return std::nullopt;
      }
    }
  }
  long long secs = DaysFromCivil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se - offset_min * 60LL;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return std::string(buf);
}

std::optional<std::string> NormalizeValue(const FieldDef& f, const std::string& value,
                                          Error* error) {
  if (size_t bad = BadCharacterAt(value); bad != std::string::npos) {
    // Checked first, so that no message below echoes bytes a response could not carry.
    char code[16];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned char>(value[bad]));
    *error = ValueError(StatusCode::kFieldIntegrityException,
                        f.label + ": value holds a character that is not allowed (byte " + code +
                            " at offset " + std::to_string(bad) + ")",
                        f);
    return std::nullopt;
  }
  const std::string& raw = value;
  const std::string echo = ValueExcerpt(value);
  auto wrong_type = [&]() -> std::optional<std::string> {
    *error = ValueError(StatusCode::kInvalidTypeOnFieldInRecord,
                        f.label + ": value not of required type: " + echo, f);
    return std::nullopt;
  };
  switch (f.type) {
    case FieldType::kId:
    case FieldType::kReference: {
      auto id = NormalizeId(raw);
      if (!id) {
        *error = ValueError(StatusCode::kMalformedId,
                            f.label + ": id value of incorrect type: " + echo, f);
      }
      return id;
    }
    case FieldType::kBoolean:
      if (raw == "true" || raw == "1") return std::string("true");
      if (raw == "false" || raw == "0") return std::string("false");
      return wrong_type();
    case FieldType::kInt: {
      long long v;
      if (!ParseLong(raw, &v)) return wrong_type();
      if (v < -2147483648LL || v > 2147483647LL) {
        *error =
            ValueError(StatusCode::kNumberOutsideValidRange,
                       f.label + ": value outside of valid range on numeric field: " + echo, f);
        return std::nullopt;
      }
      return std::to_string(v);
    }
    case FieldType::kDouble:
    case FieldType::kPercent: {
      double v;
      if (!ParseDouble(raw, &v)) return wrong_type();
      // Beyond precision - scale integer digits the real org refuses the number.
      if (std::fabs(v) >= std::pow(10.0, f.precision - f.scale)) {
        *error =
            ValueError(StatusCode::kNumberOutsideValidRange,
                       f.label + ": value outside of valid range on numeric field: " + echo, f);
        return std::nullopt;
      }
      return raw;
    }
    case FieldType::kDatetime: {
      auto v = CanonicalDateTime(raw);
      if (!v) return wrong_type();
      return v;
    }
    case FieldType::kDate: {
      auto v = CanonicalDateTime(raw.substr(0, 10));
      if (!v || raw.size() != 10) return wrong_type();
      return raw;
    }
    default:
      break;
  }
  // Text types: length counts characters (UTF-8 code points), as Salesforce does.
  size_t chars = 0;
  for (unsigned char c : raw) chars += (c & 0xC0) != 0x80;
  if (f.length > 0 && chars > static_cast<size_t>(f.length)) {
    *error = ValueError(StatusCode::kStringTooLong,
                        f.label + ": data value too large: " + echo +
                            " (max length=" + std::to_string(f.length) + ")",
                        f);
    return std::nullopt;
  }
  if (f.type == FieldType::kPicklist && f.restricted_picklist && !f.IsPicklistValue(raw)) {
    *error = ValueError(StatusCode::kInvalidOrNullForRestrictedPicklist,
                        f.label + ": bad value for restricted picklist field: " + echo, f);
    return std::nullopt;
  }
  return raw;
}

}  // namespace omni

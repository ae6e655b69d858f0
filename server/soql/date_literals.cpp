#include "server/soql/date_literals.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace omni::soql {

long long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

namespace {

struct Civil {
  int y, m, d;
};

Civil ToCivil(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

// The first day of the month `months` months after the month of (y, m).
long long MonthStart(int y, int m, long long months) {
  long long index = static_cast<long long>(y) * 12 + (m - 1) + months;
  long long ny = index >= 0 ? index / 12 : (index - 11) / 12;
  int nm = static_cast<int>(index - ny * 12) + 1;
  return DaysFromCivil(static_cast<int>(ny), nm, 1);
}

const std::set<std::string> kWithN = {"LAST_N_DAYS",     "NEXT_N_DAYS",    "N_DAYS_AGO",
                                      "LAST_N_WEEKS",    "NEXT_N_WEEKS",   "LAST_N_MONTHS",
                                      "NEXT_N_MONTHS",   "LAST_N_YEARS",   "NEXT_N_YEARS",
                                      "LAST_N_QUARTERS", "NEXT_N_QUARTERS"};

}  // namespace

std::string CivilFromDays(long long days) {
  Civil c = ToCivil(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.y, c.m, c.d);
  return buf;
}

bool DateLiteralTakesN(const std::string& name) { return kWithN.count(name) > 0; }

std::optional<DateRange> DateLiteralRange(const std::string& name, std::optional<int> n,
                                          std::time_t now) {
  if (DateLiteralTakesN(name) != n.has_value()) return std::nullopt;
  long long k = n.value_or(0);
  if (n && (k < 0 || k > 100000)) return std::nullopt;
  long long today = static_cast<long long>(now >= 0 ? now / 86400 : (now - 86399) / 86400);
  Civil c = ToCivil(today);
  // 1970-01-01 was a Thursday: days since the last Sunday.
  long long dow = ((today % 7) + 7 + 4) % 7;
  long long week = today - dow;
  long long month = MonthStart(c.y, c.m, 0);
  int quarter_month = (c.m - 1) / 3 * 3 + 1;
  long long quarter = MonthStart(c.y, quarter_month, 0);
  long long year = DaysFromCivil(c.y, 1, 1);
  auto months = [&](long long base_months) { return MonthStart(c.y, c.m, base_months); };
  auto quarters = [&](long long q) { return MonthStart(c.y, quarter_month, 3 * q); };
  auto years = [&](long long y) { return MonthStart(c.y, 1, 12 * y); };
  long long lo = 0, hi = 0;
  if (name == "TODAY") {
    lo = today;
    hi = today + 1;
  } else if (name == "YESTERDAY") {
    lo = today - 1;
    hi = today;
  } else if (name == "TOMORROW") {
    lo = today + 1;
    hi = today + 2;
  } else if (name == "THIS_WEEK") {
    lo = week;
    hi = week + 7;
  } else if (name == "LAST_WEEK") {
    lo = week - 7;
    hi = week;
  } else if (name == "NEXT_WEEK") {
    lo = week + 7;
    hi = week + 14;
  } else if (name == "THIS_MONTH") {
    lo = month;
    hi = months(1);
  } else if (name == "LAST_MONTH") {
    lo = months(-1);
    hi = month;
  } else if (name == "NEXT_MONTH") {
    lo = months(1);
    hi = months(2);
  } else if (name == "LAST_90_DAYS") {
    lo = today - 90;
    hi = today + 1;
  } else if (name == "NEXT_90_DAYS") {
    lo = today + 1;
    hi = today + 91;
  } else if (name == "THIS_QUARTER") {
    lo = quarter;
    hi = quarters(1);
  } else if (name == "LAST_QUARTER") {
    lo = quarters(-1);
    hi = quarter;
  } else if (name == "NEXT_QUARTER") {
    lo = quarters(1);
    hi = quarters(2);
  } else if (name == "THIS_YEAR") {
    lo = year;
    hi = years(1);
  } else if (name == "LAST_YEAR") {
    lo = years(-1);
    hi = year;
  } else if (name == "NEXT_YEAR") {
    lo = years(1);
    hi = years(2);
  } else if (name == "LAST_N_DAYS") {
    lo = today - k;
    hi = today + 1;
  } else if (name == "NEXT_N_DAYS") {
    lo = today + 1;
    hi = today + 1 + k;
  } else if (name == "N_DAYS_AGO") {
    lo = today - k;
    hi = today - k + 1;
  } else if (name == "LAST_N_WEEKS") {
    lo = week - 7 * k;
    hi = week;
  } else if (name == "NEXT_N_WEEKS") {
    lo = week + 7;
    hi = week + 7 + 7 * k;
  } else if (name == "LAST_N_MONTHS") {
    lo = months(-k);
    hi = month;
  } else if (name == "NEXT_N_MONTHS") {
    lo = months(1);
    hi = months(1 + k);
  } else if (name == "LAST_N_QUARTERS") {
    lo = quarters(-k);
    hi = quarter;
  } else if (name == "NEXT_N_QUARTERS") {
    lo = quarters(1);
    hi = quarters(1 + k);
  } else if (name == "LAST_N_YEARS") {
    lo = years(-k);
    hi = year;
  } else if (name == "NEXT_N_YEARS") {
    lo = years(1);
    hi = years(1 + k);
  } else
    return std::nullopt;
  // LAST_N_YEARS:100000 and the like reach far past any storable date (values are 1700-4000):
  // clamping to 0001-01-01 .. 9999-12-31 selects the same rows and keeps the bounds valid dates
  // for PostgreSQL, instead of a negative or six-digit year it would refuse.
  static const long long kFirst = DaysFromCivil(1, 1, 1), kLast = DaysFromCivil(9999, 12, 31);
  lo = std::min(std::max(lo, kFirst), kLast);
  hi = std::min(std::max(hi, kFirst), kLast);
  return DateRange{CivilFromDays(lo), CivilFromDays(hi)};
}

}  // namespace omni::soql

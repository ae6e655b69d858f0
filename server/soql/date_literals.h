// Date literals of SOQL (TODAY, LAST_N_DAYS:n, THIS_QUARTER, ...) as half-open ranges of UTC
// dates [lower, upper). Weeks start on Sunday (en_US), quarters are calendar quarters. Pure
// functions; thread-safe.
#pragma once

#include <ctime>
#include <optional>
#include <string>

namespace omni::soql {

struct DateRange {
  std::string lower;  // "YYYY-MM-DD", inclusive
  std::string upper;  // "YYYY-MM-DD", exclusive
};

// The range of literal `name` (upper case) with parameter n (for the _N_ literals), for the UTC
// day of `now`. nullopt for an unknown name, a missing or superfluous n, or n out of range.
std::optional<DateRange> DateLiteralRange(const std::string& name, std::optional<int> n,
                                          std::time_t now);

// Whether name is a date literal that takes ":n".
bool DateLiteralTakesN(const std::string& name);

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
long long DaysFromCivil(int y, int m, int d);
std::string CivilFromDays(long long days);

}  // namespace omni::soql

// Field values: turns a value as a client sent it into the canonical text form of the field's
// type, or into the Salesforce error that the real org answers for it. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "server/catalog/catalog.h"
#include "server/core/status.h"

namespace omni {

// On success returns the canonical value (booleans "true"/"false", numbers as given but checked,
// datetimes as "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC, Ids in 18-character form). On failure returns
// nullopt and fills *error:
//   - MALFORMED_ID for an id/reference that is not a well-formed Id,
//   - INVALID_TYPE_ON_FIELD_IN_RECORD for a number, boolean or date that does not parse,
//   - STRING_TOO_LONG for text beyond the field's length,
//   - INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST for a value outside a restricted picklist,
//   - FIELD_INTEGRITY_EXCEPTION for a value (of any type) holding invalid UTF-8 or a character
//     outside XML 1.0 (controls other than tab, CR, LF; U+FFFE/FFFF), checked first.
// Messages quote at most kMaxEchoedChars characters of the value (ValueExcerpt).
std::optional<std::string> NormalizeValue(const FieldDef& field, const std::string& raw,
                                          Error* error);

inline constexpr size_t kMaxEchoedChars = 255;

// The value as error messages quote it: whole up to kMaxEchoedChars characters, else cut there
// and marked with "...".
std::string ValueExcerpt(const std::string& value);

// Parses an xsd:dateTime ("2026-11-25T10:00:00Z", with optional fraction and offset) into the
// canonical UTC form. nullopt when it does not parse.
std::optional<std::string> CanonicalDateTime(const std::string& text);

}  // namespace omni

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
//   - INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST for a value outside a restricted picklist.
std::optional<std::string> NormalizeValue(const FieldDef& field, const std::string& raw,
                                          Error* error);

// Parses an xsd:dateTime ("2026-11-25T10:00:00Z", with optional fraction and offset) into the
// canonical UTC form. nullopt when it does not parse.
std::optional<std::string> CanonicalDateTime(const std::string& text);

}  // namespace omni

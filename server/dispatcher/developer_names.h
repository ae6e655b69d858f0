// DeveloperName: Salesforce's rules for the unique API name of an object's records, and its
// generation from the record's name field (MasterLabel, Name) when a create leaves it out.
// The guide: "can contain only underscores and alphanumeric characters, and must be unique in
// your org. It must begin with a letter, not include spaces, not end with an underscore, and not
// contain two consecutive underscores." Uniqueness (per object and org, whatever the case) is
// kept by the database's unique index alone, so a write that names a DeveloperName costs no
// lookup; only a generated one reads the names already taken (CATALOG-DECISIONS D20, D22).
// Internal to the dispatcher. Thread-safety: stateless functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/catalog/catalog.h"
#include "server/core/status.h"
#include "server/dispatcher/record_checks.h"

namespace omni {

// nullopt when value follows the rules; otherwise the per-record error.
std::optional<Error> CheckDeveloperName(const FieldDef& f, const std::string& value);

// The error for a DeveloperName another record of the object already holds.
Error DuplicateDeveloperName(const ObjectDef& obj, const FieldDef& f);

// The DeveloperName a label turns into: every run of characters other than ASCII letters and
// digits becomes one underscore, leading and trailing ones are dropped, a name that does not
// start with a letter gets an "X" in front, and it is cut to max_length. Never empty.
std::string DeveloperNameFromLabel(const std::string& label, size_t max_length);

// base itself when no name in taken equals it (case-insensitively), else base followed by the
// smallest number from 1 that is free, base shortened so that the whole fits in max_length.
std::string FirstFreeDeveloperName(const std::string& base, const std::vector<std::string>& taken,
                                   size_t max_length);

// A DeveloperName for a new record of obj labelled `label`, free among the org's records of obj
// (recycle bin included) as the transaction sees them: one round trip.
std::string GenerateDeveloperName(const WriteScope& s, const ObjectDef& obj, const FieldDef& f,
                                  const std::string& label);

}  // namespace omni

// Salesforce record Ids: 15-character case-sensitive form, 18-character checksummed form, and
// their construction from a key prefix and a sequence number. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace omni {

// The three checksum characters that turn a 15-character Id into its 18-character form.
// Precondition: id15 has 15 characters.
std::string IdChecksum(const std::string& id15);

// Normalises an Id as the API accepts it on input: a 15-character Id gets its checksum; an
// 18-character Id is accepted when its 15-character head is alphanumeric and its suffix is the
// right checksum (case-insensitively, as Salesforce accepts it). Returns nullopt when the text is
// not a well-formed Id.
std::optional<std::string> NormalizeId(const std::string& text);

// Builds an 18-character Id from a 3-character key prefix and a positive sequence number: prefix,
// the instance "8W", a reserved "0", then the number in 9 base-62 digits, then the checksum.
std::string MakeId(const std::string& key_prefix, std::uint64_t sequence);

// The 3-character key prefix of a well-formed Id.
inline std::string KeyPrefixOf(const std::string& id) { return id.substr(0, 3); }

}  // namespace omni

// Salesforce Ids: the checksum, input normalisation and Id construction (server/core/sf_id.h).
#include "server/core/sf_id.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

namespace omni {
namespace {

TEST_CASE("IdChecksum matches real Salesforce Ids") {
  CHECK(IdChecksum("00558000001N0Ke") == "AAK");
  CHECK(IdChecksum("0034000000QnQVP") == "AA3");
  CHECK(IdChecksum("001R0000029IyDP") == "IA0");
  // No upper-case letter at all: every chunk is 'A'; all upper case: every chunk is '5'.
  CHECK(IdChecksum("000000000000000") == "AAA");
  CHECK(IdChecksum("ABCDEABCDEABCDE") == "555");
}

TEST_CASE("NormalizeId accepts 15- and 18-character Ids") {
  CHECK(NormalizeId("00558000001N0Ke") == std::optional<std::string>("00558000001N0KeAAK"));
  CHECK(NormalizeId("00558000001N0KeAAK") == std::optional<std::string>("00558000001N0KeAAK"));
  CHECK(NormalizeId("0034000000QnQVP") == std::optional<std::string>("0034000000QnQVPAA3"));
  CHECK(NormalizeId("001R0000029IyDPIA0") == std::optional<std::string>("001R0000029IyDPIA0"));
  // Salesforce accepts the checksum in any case and answers with the canonical upper case.
  CHECK(NormalizeId("00558000001N0Keaak") == std::optional<std::string>("00558000001N0KeAAK"));
  CHECK(NormalizeId("001R0000029IyDPia0") == std::optional<std::string>("001R0000029IyDPIA0"));
}

TEST_CASE("NormalizeId rejects a wrong checksum") {
  CHECK_FALSE(NormalizeId("00558000001N0KeAAA"));
  CHECK_FALSE(NormalizeId("0034000000QnQVPAA4"));
  // The head is case-sensitive: changing the case of one letter changes the checksum.
  CHECK_FALSE(NormalizeId("00558000001n0KeAAK"));
}

TEST_CASE("NormalizeId rejects a wrong length") {
  for (const char* text : {"", "0", "00558000001N0K", "00558000001N0KeA", "00558000001N0KeAA",
                           "00558000001N0KeAAKA", "00558000001N0KeAAK00558"}) {
    CAPTURE(text);
    CHECK_FALSE(NormalizeId(text));
  }
}

TEST_CASE("NormalizeId rejects characters that are not alphanumeric") {
  for (const char* text :
       {"00558000001N0K-", "00558000001N0K ", " 0558000001N0Ke", "0055800_001N0Ke",
        "00558000001N0KeAA!", "00558000001N0Ke.AK", "00558000001N0K\xc3\xa9"}) {
    CAPTURE(text);
    CHECK_FALSE(NormalizeId(text));
  }
}

TEST_CASE("MakeId builds checksummed Ids that round-trip") {
  std::string id = MakeId("0N9", 1);
  CHECK(id.size() == 18);
  CHECK(id.substr(0, 15) == "0N98W0000000001");
  CHECK(id.substr(15) == IdChecksum(id.substr(0, 15)));
  CHECK(KeyPrefixOf(id) == "0N9");
  CHECK(NormalizeId(id) == std::optional<std::string>(id));
  CHECK(NormalizeId(id.substr(0, 15)) == std::optional<std::string>(id));

  // Base-62 digits, most significant first: 62 is "10", 61 is "z".
  CHECK(MakeId("005", 62).substr(0, 15) == "0058W0000000010");
  CHECK(MakeId("005", 61).substr(0, 15) == "0058W000000000z");

  std::set<std::string> seen;
  for (std::uint64_t n : {1ULL, 2ULL, 61ULL, 62ULL, 3843ULL, 3844ULL, 123456789ULL,
                          13537086546263551ULL /* 62^9 - 1: the largest 9-digit number */}) {
    std::string made = MakeId("0hu", n);
    CAPTURE(made);
    CHECK(made.size() == 18);
    CHECK(KeyPrefixOf(made) == "0hu");
    CHECK(NormalizeId(made) == std::optional<std::string>(made));
    CHECK(seen.insert(made).second);
  }
  CHECK(MakeId("0hu", 13537086546263551ULL).substr(0, 15) == "0hu8W0zzzzzzzzz");
}

}  // namespace
}  // namespace omni

// libFuzzer target: a request body through the XML guard, and every body the guard accepts
// through gSOAP's parse of the envelope, header and body (a partner create's sObjects with their
// DOM fields; any other body element as a DOM tree), as the server's request path reads it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/soap/xml_guard.h"
#include "tests/unit/gsoap_parse_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto refusal = omni::CheckEnvelope(body);
  if (refusal) {
    // A refusal is a short message: it never carries the body.
    if (refusal->size() > 400) __builtin_trap();
    return 0;
  }
  omni::testing::ParseEnvelopeInMemory(body);
  return 0;
}

// libFuzzer target: a SOQL statement through the lexer, parser and binder over the real catalog,
// and every plan that binds through the SQL builder. Faults must be short and XML-safe.
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "server/catalog/catalog.h"
#include "server/soql/binder.h"
#include "storage/query_sql.h"

namespace {

const omni::Catalog& TheCatalog() {
  static std::shared_ptr<const omni::Catalog> catalog = [] {
    std::string error;
    auto c = omni::Catalog::Load(std::string(OMNI_SOURCE_DIR) + "/wsdl/catalog.xml", &error);
    if (!c) __builtin_trap();
    return c;
  }();
  return *catalog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string soql(reinterpret_cast<const char*>(data), size);
  omni::soql::QueryPlan plan;
  auto fault = omni::soql::Compile(TheCatalog(), soql, 1795600800, &plan);
  if (fault) {
    for (char c : fault->message) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') __builtin_trap();
    }
    return 0;
  }
  omni::storage::Params params;
  omni::storage::QuerySelectSql(plan, "00D000000000001AAA", false, 0, 500, &params);
  return 0;
}

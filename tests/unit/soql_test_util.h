// Helpers shared by the SOQL unit tests: the real catalog, and Compile with a fixed clock.
#pragma once

#include <doctest/doctest.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "server/catalog/catalog.h"
#include "server/soql/binder.h"
#include "tests/unit/test_paths.h"

namespace omni::testing {

inline std::shared_ptr<const Catalog> SoqlCatalog() {
  static std::shared_ptr<const Catalog> catalog = [] {
    std::string error;
    auto c = Catalog::Load(SourcePath("wsdl/catalog.xml"), &error);
    INFO(error);
    REQUIRE(c);
    return c;
  }();
  return catalog;
}

// 2026-11-25T10:00:00Z, a Wednesday.
constexpr std::time_t kTestNow = 1795600800;

inline std::optional<Fault> CompileSoql(const std::string& soql, soql::QueryPlan* plan = nullptr,
                                        const Catalog* catalog = nullptr) {
  soql::QueryPlan scratch;
  return soql::Compile(catalog ? *catalog : *SoqlCatalog(), soql, kTestNow, plan ? plan : &scratch);
}

}  // namespace omni::testing

// Outcome<T>: either a whole-call fault or a value, as every service entry point answers.
// Plain data; thread-compatible.
#pragma once

#include <optional>
#include <utility>

#include "server/core/status.h"

namespace omni {

template <typename T>
struct Outcome {
  std::optional<Fault> fault;
  T value{};
  static Outcome Fail(Fault f) {
    Outcome o;
    o.fault = std::move(f);
    return o;
  }
};

}  // namespace omni

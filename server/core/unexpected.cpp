#include "server/core/unexpected.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <random>

namespace omni {

std::string NewErrorId() {
  static std::mutex mu;
  static std::mt19937_64 rng(
      std::random_device{}() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::uint64_t a, b, c;
  {
    std::lock_guard<std::mutex> lock(mu);
    a = rng(), b = rng(), c = rng();
  }
  return std::to_string(1000000000 + a % 1000000000) + "-" + std::to_string(10000 + b % 990000) +
         " (-" + std::to_string(1000000000 + c % 1000000000) + ")";
}

std::string LogUnexpected(const std::string& where, const std::string& what) {
  std::string id = NewErrorId();
  std::cerr << "omni-emulator: unexpected error ErrorId " + id + " in " + where + ": " + what + "\n"
            << std::flush;
  return "An unexpected error occurred. Please include this ErrorId if you contact support: " + id;
}

Fault UnexpectedFault(const std::string& where, const std::string& what) {
  return UnknownExceptionFault(LogUnexpected(where, what));
}

Error UnexpectedError(const std::string& where, const std::string& what) {
  return Error{StatusCode::kUnknownException, LogUnexpected(where, what), {}};
}

std::string CurrentExceptionText() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "exception of unknown type";
  }
}

}  // namespace omni

// What the benchmarks share for their reports: elapsed times, quantiles, number formatting and
// one markdown table row (operation | ours | reference | ratio), flushed at once so that a run
// cut short by its time limit keeps what it measured.
//
// Thread-safety: pure functions, except Row and Log, which write to stdout and stderr.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace omni_bench {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}
inline double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The q-quantile (nearest rank) of v; -1 for no samples.
inline double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

inline std::string Fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

inline void Row(const std::string& what, const std::string& ours, const std::string& ref,
                double ratio) {
  std::printf("| %s | %s | %s | %s |\n", what.c_str(), ours.c_str(), ref.c_str(),
              ratio > 0 ? Fmt("%.3f", ratio).c_str() : "—");
  std::fflush(stdout);
}

// A progress line on stderr: "<name> <seconds since start>s: <text>".
inline void LogLine(const char* name, Clock::time_point start, const std::string& s) {
  std::fprintf(stderr, "%s %6.1fs: %s\n", name, Seconds(start), s.c_str());
}

// Reads "--name value" pairs: each name calls its setter with the value. False (after saying
// which) for a name the table lacks or a value that is not what its setter wants.
using OptionSetters = std::map<std::string, std::function<void(const std::string&)>>;
inline bool ParseOptions(int argc, char** argv, const OptionSetters& setters) {
  for (int i = 1; i + 1 < argc; i += 2) {
    auto it = setters.find(argv[i]);
    if (it == setters.end()) {
      std::cerr << "unknown option " << argv[i] << "\n";
      return false;
    }
    try {
      it->second(argv[i + 1]);
    } catch (const std::exception&) {
      std::cerr << "bad value for " << argv[i] << ": " << argv[i + 1] << "\n";
      return false;
    }
  }
  return true;
}
inline std::function<void(const std::string&)> IntOption(int* out) {
  return [out](const std::string& v) { *out = std::stoi(v); };
}
inline std::function<void(const std::string&)> TextOption(std::string* out) {
  return [out](const std::string& v) { *out = v; };
}

}  // namespace omni_bench

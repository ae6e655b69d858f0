// gzip for HTTP bodies: requests sent with Content-Encoding: gzip are inflated, responses to a
// client that sends Accept-Encoding: gzip are deflated, as Salesforce does (its Java connector
// compresses by default). Pure functions over zlib; thread-safe.
#pragma once

#include <optional>
#include <string>

namespace omni {

// Inflates a gzip (or zlib) stream. nullopt when it is not valid gzip, or when the output would
// exceed max_output bytes (a small body must not inflate into gigabytes; then *too_large).
std::optional<std::string> GzipInflate(const std::string& in, std::size_t max_output,
                                       bool* too_large);

// Compresses into a gzip stream.
std::string GzipDeflate(const std::string& in);

// Whether an Accept-Encoding header value accepts gzip ("gzip", "deflate, gzip;q=1.0", not
// "gzip;q=0").
bool AcceptsGzip(const std::string& accept_encoding);

}  // namespace omni

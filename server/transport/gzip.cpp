#include "server/transport/gzip.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>

namespace omni {

std::optional<std::string> GzipInflate(const std::string& in, std::size_t max_output,
                                       bool* too_large) {
  *too_large = false;
  z_stream zs{};
  // 15 + 32: accept a gzip or a zlib header, detected automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return std::nullopt;
    }
    out.append(chunk, sizeof(chunk) - zs.avail_out);
    if (out.size() > max_output) {
      *too_large = true;
      inflateEnd(&zs);
      return std::nullopt;
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {  // truncated stream
      inflateEnd(&zs);
      return std::nullopt;
    }
  }
  inflateEnd(&zs);
  return out;
}

std::string GzipDeflate(const std::string& in) {
  z_stream zs{};
  // Level 1: responses are small and latency matters more than the last few bytes.
  deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

bool AcceptsGzip(const std::string& header) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    std::string item = header.substr(pos, comma - pos);
    pos = comma + 1;
    std::string lower;
    for (char c : item) {
      if (!std::isspace(static_cast<unsigned char>(c)))
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    size_t semi = lower.find(';');
    std::string coding = lower.substr(0, semi);
    if (coding != "gzip" && coding != "*") continue;
    if (semi != std::string::npos) {
      std::string param = lower.substr(semi + 1);
      if (param.rfind("q=", 0) == 0 && std::strtod(param.c_str() + 2, nullptr) <= 0.0) continue;
    }
    return true;
  }
  return false;
}

}  // namespace omni

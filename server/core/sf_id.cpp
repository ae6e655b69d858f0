#include "server/core/sf_id.h"

#include <cctype>

namespace omni {

namespace {
constexpr char kChecksumAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool IsAlnum(const std::string& s) {
  for (unsigned char c : s) {
    if (!std::isalnum(c)) return false;
  }
  return true;
}
}  // namespace

std::string IdChecksum(const std::string& id15) {
  std::string suffix;
  for (int chunk = 0; chunk < 3; ++chunk) {
    int flags = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') flags |= (1 << i);
    }
    suffix += kChecksumAlphabet[flags];
  }
  return suffix;
}

std::optional<std::string> NormalizeId(const std::string& text) {
  if (text.size() != 15 && text.size() != 18) return std::nullopt;
  if (!IsAlnum(text)) return std::nullopt;
  std::string head = text.substr(0, 15);
  std::string sum = IdChecksum(head);
  if (text.size() == 18) {
    for (int i = 0; i < 3; ++i) {
      if (std::toupper(static_cast<unsigned char>(text[15 + i])) != sum[i]) return std::nullopt;
    }
  }
  return head + sum;
}

std::string MakeId(const std::string& key_prefix, std::uint64_t sequence) {
  std::string digits(9, '0');
  for (int i = 8; i >= 0 && sequence > 0; --i) {
    digits[i] = kBase62[sequence % 62];
    sequence /= 62;
  }
  std::string id15 = key_prefix + "8W0" + digits;
  return id15 + IdChecksum(id15);
}

}  // namespace omni

#include "server/core/json_text.h"

namespace omni {

void AppendJsonString(const std::string& s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  *out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
  *out += '"';
}

namespace {

void AppendUtf8(unsigned cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class FlatReader {
 public:
  explicit FlatReader(const std::string& s) : s_(s) {}

  bool Object(std::vector<std::pair<std::string, std::optional<std::string>>>* out) {
    Space();
    if (!Eat('{')) return false;
    Space();
    if (Eat('}')) return Space(), at_ == s_.size();
    for (;;) {
      std::string key;
      Space();
      if (!String(&key)) return false;
      Space();
      if (!Eat(':')) return false;
      Space();
      std::optional<std::string> value;
      if (Peek() == '"') {
        std::string text;
        if (!String(&text)) return false;
        value = std::move(text);
      } else if (!Scalar(&value)) {
        return false;
      }
      out->emplace_back(std::move(key), std::move(value));
      Space();
      if (Eat(',')) continue;
      if (!Eat('}')) return false;
      Space();
      return at_ == s_.size();
    }
  }

 private:
  char Peek() const { return at_ < s_.size() ? s_[at_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++at_;
    return true;
  }
  void Space() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\t' || s_[at_] == '\r')) {
      ++at_;
    }
  }
  bool Hex4(unsigned* out) {
    if (at_ + 4 > s_.size()) return false;
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[at_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        return false;
    }
    *out = v;
    return true;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (at_ < s_.size()) {
      char c = s_[at_++];
      if (c == '"') return true;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (at_ >= s_.size()) return false;
      switch (char e = s_[at_++]) {
        case '"':
        case '\\':
        case '/':
          *out += e;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          unsigned cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a high surrogate: its low half must follow
            unsigned low;
            if (!Eat('\\') || !Eat('u') || !Hex4(&low) || low < 0xDC00 || low >= 0xE000) {
              return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return false;  // a low surrogate alone
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  // null, true, false or a number: kept as text (null as no value).
  bool Scalar(std::optional<std::string>* out) {
    std::size_t start = at_;
    while (at_ < s_.size() && s_[at_] != ',' && s_[at_] != '}' && s_[at_] != ' ' &&
           s_[at_] != '\n' && s_[at_] != '\t' && s_[at_] != '\r') {
      ++at_;
    }
    std::string raw = s_.substr(start, at_ - start);
    if (raw.empty()) return false;
    if (raw == "null") {
      out->reset();
    } else {
      *out = raw;
    }
    return true;
  }

  const std::string& s_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> ParseFlatJsonObject(
    const std::string& json) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  if (!FlatReader(json).Object(&out)) return std::nullopt;
  return out;
}

}  // namespace omni

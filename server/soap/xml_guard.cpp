#include "server/soap/xml_guard.h"

#include <cstdint>
#include <unordered_set>
#include <vector>

namespace omni {

namespace {

constexpr size_t kExcerpt = 40;

// gSOAP reads at most 7 characters of an entity or character reference before its ';'
// (soap_char's buffer): longer references ("&#x0001F600;") would be mangled into text.
constexpr size_t kMaxReference = 7;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsXmlChar(uint32_t cp) {
  if (cp < 0x20) return cp == 0x9 || cp == 0xA || cp == 0xD;
  if (cp <= 0xD7FF) return true;
  if (cp < 0xE000) return false;  // surrogates
  if (cp <= 0xFFFD) return true;
  return cp >= 0x10000 && cp <= 0x10FFFF;
}

class Scanner {
 public:
  Scanner(std::string_view s, const XmlLimits& l) : s_(s), lim_(l) {}

  std::optional<std::string> Run() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
    size_t start = i_;
    bool root_seen = false;
    while (i_ < s_.size() && !err_) {
      char c = s_[i_];
      if (c == '<') {
        if (Peek(1) == '?') {
          Pi(i_ == start);
        } else if (Peek(1) == '!') {
          Bang();
        } else if (Peek(1) == '/') {
          EndTag();
          if (!err_ && open_.empty()) root_done_ = true;
        } else {
          if (root_done_) return Fail("content after the root element", i_);
          root_seen = true;
          StartTag();
          if (!err_ && open_.empty()) root_done_ = true;
        }
        continue;
      }
      if (open_.empty()) {
        if (!IsBlank(c)) {
          return Fail(
              root_done_ ? "content after the root element" : "text outside the root element", i_);
        }
        ++i_;
        continue;
      }
      Text();
    }
    if (err_) return err_;
    if (!root_seen || !open_.empty()) return Fail("", i_);
    return std::nullopt;
  }

 private:
  char Peek(size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool At(std::string_view lit) const { return s_.substr(i_, lit.size()) == lit; }

  std::optional<std::string> Fail(const std::string& what, size_t pos) {
    if (err_) return err_;
    if (i_ >= s_.size()) {
      // A body cut short fails wherever it was cut: one message for all of them.
      err_ = "Unexpected end of the request: the body is not a complete SOAP envelope";
    } else {
      err_ = what + " (at byte " + std::to_string(pos) + ": '" + Excerpt(pos) + "')";
    }
    return err_;
  }

  // Up to kExcerpt bytes from pos; anything but printable ASCII and whole UTF-8 sequences as
  // \xNN, so the message itself is always valid XML text.
  std::string Excerpt(size_t pos) const {
    std::string out;
    size_t end = std::min(s_.size(), pos + kExcerpt);
    for (size_t k = pos; k < end;) {
      unsigned char b = static_cast<unsigned char>(s_[k]);
      uint32_t cp;
      size_t n = Decode(k, &cp);
      if (b >= 0x20 && b < 0x7F) {
        out += static_cast<char>(b);
        ++k;
      } else if (n > 1 && IsXmlChar(cp) && k + n <= end) {
        out.append(s_.substr(k, n));
        k += n;
      } else {
        static const char* kHex = "0123456789ABCDEF";
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 15];
        ++k;
      }
    }
    if (end < s_.size()) out += "...";
    return out;
  }

  // Decodes the UTF-8 sequence at k into *cp; returns its length, 0 when it is invalid
  // (overlong, truncated, surrogate, beyond U+10FFFF).
  size_t Decode(size_t k, uint32_t* cp) const {
    auto b = [&](size_t j) -> unsigned { return static_cast<unsigned char>(s_[j]); };
    unsigned c0 = b(k);
    if (c0 < 0x80) {
      *cp = c0;
      return 1;
    }
    size_t n;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF;
    if (c0 >= 0xC2 && c0 <= 0xDF) {
      n = 2;
      v = c0 & 0x1F;
    } else if (c0 >= 0xE0 && c0 <= 0xEF) {
      n = 3;
      v = c0 & 0x0F;
      if (c0 == 0xE0) lo = 0xA0;
      if (c0 == 0xED) hi = 0x9F;
    } else if (c0 >= 0xF0 && c0 <= 0xF4) {
      n = 4;
      v = c0 & 0x07;
      if (c0 == 0xF0) lo = 0x90;
      if (c0 == 0xF4) hi = 0x8F;
    } else {
      return 0;
    }
    if (k + n > s_.size()) return 0;
    for (size_t j = 1; j < n; ++j) {
      unsigned cj = b(k + j);
      if (cj < (j == 1 ? lo : 0x80) || cj > (j == 1 ? hi : 0xBF)) return 0;
      v = (v << 6) | (cj & 0x3F);
    }
    *cp = v;
    return n;
  }

  // Validates the character at i_ and steps over it. False (with the error set) when it is not
  // valid UTF-8 or not an XML 1.0 character.
  bool Char() {
    uint32_t cp;
    size_t n = Decode(i_, &cp);
    if (n == 0) {
      Fail("invalid UTF-8", i_);
      return false;
    }
    if (!IsXmlChar(cp)) {
      Fail("character not allowed in XML 1.0", i_);
      return false;
    }
    i_ += n;
    return true;
  }

  // Entity or character reference at i_ ('&').
  bool Reference() {
    size_t at = i_;
    size_t semi = s_.find(';', i_ + 1);
    size_t len = semi == std::string_view::npos ? s_.size() - at : semi - at - 1;
    if (semi == std::string_view::npos || len > kMaxReference || len == 0) {
      // Either an unterminated '&' or a reference gSOAP would not read whole.
      std::string_view body = s_.substr(at + 1, std::min<size_t>(len, kMaxReference + 1));
      if (!body.empty() && body[0] == '#') {
        Fail("character reference too long or not terminated", at);
      } else {
        Fail(
            "undefined entity or bare '&' (only &amp; &lt; &gt; &quot; &apos; and character "
            "references are allowed)",
            at);
      }
      return false;
    }
    std::string_view name = s_.substr(at + 1, len);
    i_ = semi + 1;
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") {
      return true;
    }
    if (name[0] != '#') {
      Fail(
          "undefined entity (only &amp; &lt; &gt; &quot; &apos; and character references are "
          "allowed)",
          at);
      return false;
    }
    bool hex = name.size() > 1 && name[1] == 'x';
    std::string_view digits = name.substr(hex ? 2 : 1);
    uint32_t v = 0;
    bool ok = !digits.empty();
    for (char d : digits) {
      int x;
      if (d >= '0' && d <= '9') {
        x = d - '0';
      } else if (hex && d >= 'a' && d <= 'f') {
        x = d - 'a' + 10;
      } else if (hex && d >= 'A' && d <= 'F') {
        x = d - 'A' + 10;
      } else {
        ok = false;
        break;
      }
      v = v * (hex ? 16 : 10) + static_cast<uint32_t>(x);  // at most 6 digits: no overflow
    }
    if (!ok) {
      Fail("malformed character reference", at);
      return false;
    }
    if (!IsXmlChar(v)) {
      Fail("character reference to a character not allowed in XML 1.0", at);
      return false;
    }
    return true;
  }

  // Character data up to the next '<'.
  void Text() {
    size_t run_start = i_;
    while (i_ < s_.size() && s_[i_] != '<') {
      if (s_[i_] == '&') {
        if (!Reference()) return;
      } else if (!Char()) {
        return;
      }
    }
    text_len_ += i_ - run_start;
    if (text_len_ > lim_.max_text_length) {
      Fail("text longer than " + std::to_string(lim_.max_text_length) + " bytes", run_start);
    }
  }

  // A name at i_ (element or attribute): up to a blank, '=', '/', '>'.
  std::string_view Name() {
    size_t at = i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (IsBlank(c) || c == '=' || c == '/' || c == '>' || c == '<' || c == '"' || c == '\'' ||
          c == '&') {
        break;
      }
      if (!Char()) return {};
    }
    if (i_ == at) {
      Fail("expected a name", at);
      return {};
    }
    if (i_ - at > lim_.max_name_length) {
      Fail("name longer than " + std::to_string(lim_.max_name_length) + " bytes", at);
      return {};
    }
    return s_.substr(at, i_ - at);
  }

  void SkipBlanks() {
    while (i_ < s_.size() && IsBlank(s_[i_])) ++i_;
  }

  void StartTag() {
    size_t at = i_;
    ++i_;
    std::string_view name = Name();
    if (err_) return;
    if (++elements_ > lim_.max_elements) {
      Fail("more than " + std::to_string(lim_.max_elements) + " elements", at);
      return;
    }
    // gSOAP's work is about (distinct attribute names) x (elements): bound the product, so a body
    // with many names cannot also have many elements.
    if (names_.size() * elements_ > lim_.max_attribute_name_work) {
      Fail("too many distinct attribute names (" + std::to_string(names_.size()) + ") for " +
               std::to_string(elements_) + " elements",
           at);
      return;
    }
    size_t attributes = 0, decls = 0;
    for (;;) {
      bool blank = i_ < s_.size() && IsBlank(s_[i_]);
      SkipBlanks();
      if (i_ >= s_.size()) {
        Fail("the body ends inside a tag", at);
        return;
      }
      char c = s_[i_];
      if (c == '>' || (c == '/' && Peek(1) == '>')) {
        i_ += c == '>' ? 1 : 2;
        bool empty = c == '/';
        text_len_ = 0;
        if (!empty) {
          if (open_.size() + 1 > lim_.max_depth) {
            Fail("elements nested deeper than " + std::to_string(lim_.max_depth), at);
            return;
          }
          open_.push_back(Open{name, decls});
        } else {
          in_scope_ -= decls;
        }
        return;
      }
      if (!blank) {
        Fail("malformed start tag", i_);
        return;
      }
      size_t att_at = i_;
      std::string_view att = Name();
      if (err_) return;
      if (++attributes > lim_.max_attributes) {
        Fail("more than " + std::to_string(lim_.max_attributes) + " attributes on one element",
             att_at);
        return;
      }
      if (att == "xmlns" || att.substr(0, 6) == "xmlns:") {
        ++decls;
        ++in_scope_;
        if (decls > lim_.max_namespace_decls) {
          Fail("more than " + std::to_string(lim_.max_namespace_decls) +
                   " namespace declarations on one element",
               att_at);
          return;
        }
        if (in_scope_ > lim_.max_namespace_decls_in_scope) {
          Fail("more than " + std::to_string(lim_.max_namespace_decls_in_scope) +
                   " namespace declarations in scope",
               att_at);
          return;
        }
      }
      if (names_.insert(att).second && names_.size() > lim_.max_distinct_attribute_names) {
        Fail("more than " + std::to_string(lim_.max_distinct_attribute_names) +
                 " distinct attribute names",
             att_at);
        return;
      }
      SkipBlanks();
      if (i_ >= s_.size() || s_[i_] != '=') {
        Fail("attribute without a value", att_at);
        return;
      }
      ++i_;
      SkipBlanks();
      char q = i_ < s_.size() ? s_[i_] : '\0';
      if (q != '"' && q != '\'') {
        Fail("attribute value not quoted", i_);
        return;
      }
      ++i_;
      size_t value_at = i_;
      while (i_ < s_.size() && s_[i_] != q) {
        if (s_[i_] == '<') {
          Fail("'<' in an attribute value", i_);
          return;
        }
        if (s_[i_] == '&') {
          if (!Reference()) return;
        } else if (!Char()) {
          return;
        }
      }
      if (i_ >= s_.size()) {
        Fail("the body ends inside an attribute value", value_at - 1);
        return;
      }
      if (i_ - value_at > lim_.max_text_length) {
        Fail("attribute value longer than " + std::to_string(lim_.max_text_length) + " bytes",
             value_at);
        return;
      }
      ++i_;  // closing quote
    }
  }

  void EndTag() {
    size_t at = i_;
    i_ += 2;
    std::string_view name = Name();
    if (err_) return;
    SkipBlanks();
    if (i_ >= s_.size() || s_[i_] != '>') {
      Fail("malformed end tag", at);
      return;
    }
    ++i_;
    if (open_.empty() || open_.back().name != name) {
      Fail("end tag does not match the open element", at);
      return;
    }
    in_scope_ -= open_.back().decls;
    open_.pop_back();
    text_len_ = 0;
  }

  // "<?": only the XML declaration, first in the body, declaring UTF-8 if anything.
  void Pi(bool first) {
    size_t at = i_;
    size_t end = s_.find("?>", i_ + 2);
    if (end == std::string_view::npos) {
      Fail("processing instruction not terminated", at);
      return;
    }
    std::string_view target = s_.substr(i_ + 2, 3);
    bool decl = target == "xml" && i_ + 5 < s_.size() && IsBlank(s_[i_ + 5]);
    if (!decl) {
      Fail("processing instructions are not allowed", at);
      return;
    }
    if (!first) {
      Fail("the XML declaration must come first", at);
      return;
    }
    i_ += 2;
    while (i_ < end) {
      if (!Char()) return;
    }
    std::string_view body = s_.substr(at, end - at);
    size_t enc = body.find("encoding");
    if (enc != std::string_view::npos) {
      size_t q = body.find_first_of("\"'", enc);
      size_t q2 = q == std::string_view::npos ? q : body.find(body[q], q + 1);
      std::string value;
      if (q2 != std::string_view::npos) {
        for (char c : body.substr(q + 1, q2 - q - 1)) {
          value += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
      }
      if (value != "UTF-8") {
        Fail("only the UTF-8 encoding is accepted", at + enc);
        return;
      }
    }
    i_ = end + 2;
  }

  // "<!": comments and CDATA sections are accepted; DOCTYPE, ENTITY and anything else refused.
  void Bang() {
    size_t at = i_;
    if (At("<!--")) {
      i_ += 4;
      while (i_ < s_.size()) {
        if (s_[i_] == '-' && Peek(1) == '-') {
          if (Peek(2) != '>') {
            // XML forbids "--" in a comment, and gSOAP would end the comment there.
            Fail("'--' inside a comment", i_);
            return;
          }
          i_ += 3;
          return;
        }
        if (!Char()) return;
      }
      Fail("comment not terminated", at);
      return;
    }
    if (At("<![CDATA[")) {
      if (open_.empty()) {
        Fail("CDATA section outside the root element", at);
        return;
      }
      i_ += 9;
      size_t start = i_;
      while (i_ < s_.size()) {
        if (s_[i_] == ']' && Peek(1) == ']' && Peek(2) == '>') {
          text_len_ += i_ - start;
          i_ += 3;
          if (text_len_ > lim_.max_text_length) {
            Fail("text longer than " + std::to_string(lim_.max_text_length) + " bytes", start);
          }
          return;
        }
        if (!Char()) return;
      }
      Fail("CDATA section not terminated", at);
      return;
    }
    if (At("<!DOCTYPE")) {
      Fail("DOCTYPE declarations are not allowed", at);
    } else if (At("<!ENTITY")) {
      Fail("entity declarations are not allowed", at);
    } else {
      Fail("markup declarations are not allowed", at);
    }
  }

  struct Open {
    std::string_view name;
    size_t decls;
  };

  std::string_view s_;
  const XmlLimits& lim_;
  size_t i_ = 0;
  std::optional<std::string> err_;
  std::vector<Open> open_;
  std::unordered_set<std::string_view> names_;
  size_t elements_ = 0;
  size_t in_scope_ = 0;
  size_t text_len_ = 0;
  bool root_done_ = false;
};

}  // namespace

std::optional<std::string> CheckEnvelope(std::string_view body, const XmlLimits& limits) {
  return Scanner(body, limits).Run();
}

}  // namespace omni

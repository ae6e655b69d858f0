#include "server/soql/lexer.h"

#include <cctype>

#include "server/soql/soql_error.h"

namespace omni::soql {

namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Scanner {
 public:
  explicit Scanner(const std::string& s) : s_(s) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpace();
      Token t;
      t.row = row_;
      t.column = col_;
      if (i_ >= s_.size()) {
        t.kind = Tok::kEof;
        out.push_back(t);
        return out;
      }
      size_t start = i_;
      char c = s_[i_];
      if (IsIdentStart(c)) {
        while (i_ < s_.size() && IsIdentChar(s_[i_])) Advance();
        t.kind = Tok::kIdent;
      } else if (IsDigit(c)) {
        t.kind = Number();
      } else if (c == '\'') {
        Advance();
        size_t body = i_;
        while (true) {
          if (i_ >= s_.size()) throw UnexpectedToken("<EOF>", row_, col_ - 1);
          if (s_[i_] == '\\') {
            Advance();
            if (i_ >= s_.size()) throw UnexpectedToken("<EOF>", row_, col_ - 1);
            Advance();
            continue;
          }
          if (s_[i_] == '\'') break;
          // PostgreSQL text cannot hold NUL: refuse it rather than truncate the value.
          if (s_[i_] == '\0') throw UnexpectedToken("\\0", row_, col_ - 1);
          Advance();
        }
        t.kind = Tok::kString;
        t.text = s_.substr(body, i_ - body);
        Advance();
        out.push_back(t);
        continue;
      } else {
        t.kind = Punct(c);
      }
      if (t.text.empty()) t.text = s_.substr(start, i_ - start);
      out.push_back(t);
    }
  }

 private:
  void Advance() {
    char c = s_[i_++];
    if (c == '\n') {
      ++row_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      // A new character starts here; continuation bytes of UTF-8 do not move the column.
      if (i_ < s_.size() && (static_cast<unsigned char>(s_[i_]) & 0xC0) == 0x80) {
        while (i_ < s_.size() && (static_cast<unsigned char>(s_[i_]) & 0xC0) == 0x80) ++i_;
      }
      ++col_;
    } else {
      ++col_;
    }
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r' ||
                              s_[i_] == '\f')) {
      Advance();
    }
  }
  bool DigitsAt(size_t at, size_t n) const {
    if (at + n > s_.size()) return false;
    for (size_t k = 0; k < n; ++k) {
      if (!IsDigit(s_[at + k])) return false;
    }
    return true;
  }
  void Skip(size_t n) {
    for (size_t k = 0; k < n; ++k) Advance();
  }
  Tok Number() {
    // Date 2026-11-25 and datetime 2026-11-25T10:00:00[.fff](Z|+hh:mm|-hh:mm).
    if (DigitsAt(i_, 4) && i_ + 4 < s_.size() && s_[i_ + 4] == '-' && DigitsAt(i_ + 5, 2) &&
        i_ + 7 < s_.size() && s_[i_ + 7] == '-' && DigitsAt(i_ + 8, 2)) {
      Skip(10);
      if (i_ < s_.size() && (s_[i_] == 'T' || s_[i_] == 't')) {
        Advance();
        if (!(DigitsAt(i_, 2) && i_ + 2 < s_.size() && s_[i_ + 2] == ':' && DigitsAt(i_ + 3, 2) &&
              i_ + 5 < s_.size() && s_[i_ + 5] == ':' && DigitsAt(i_ + 6, 2))) {
          throw UnexpectedToken(std::string(1, i_ < s_.size() ? s_[i_] : ' '), row_, col_ - 1);
        }
        Skip(8);
        if (i_ < s_.size() && s_[i_] == '.') {
          Advance();
          while (i_ < s_.size() && IsDigit(s_[i_])) Advance();
        }
        if (i_ < s_.size() && (s_[i_] == 'Z' || s_[i_] == 'z')) {
          Advance();
        } else if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-') && DigitsAt(i_ + 1, 2) &&
                   i_ + 3 < s_.size() && s_[i_ + 3] == ':' && DigitsAt(i_ + 4, 2)) {
          Skip(6);
        } else {
          throw UnexpectedToken(i_ < s_.size() ? std::string(1, s_[i_]) : "<EOF>", row_, col_ - 1);
        }
        return Tok::kDateTime;
      }
      return Tok::kDate;
    }
    while (i_ < s_.size() && IsDigit(s_[i_])) Advance();
    if (i_ + 1 < s_.size() && s_[i_] == '.' && IsDigit(s_[i_ + 1])) {
      Advance();
      while (i_ < s_.size() && IsDigit(s_[i_])) Advance();
      return Tok::kDecimal;
    }
    return Tok::kInteger;
  }
  Tok Punct(char c) {
    char n = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
    switch (c) {
      case ',':
        Advance();
        return Tok::kComma;
      case '.':
        if (IsDigit(n)) {
          Advance();
          while (i_ < s_.size() && IsDigit(s_[i_])) Advance();
          return Tok::kDecimal;
        }
        Advance();
        return Tok::kDot;
      case '(':
        Advance();
        return Tok::kLParen;
      case ')':
        Advance();
        return Tok::kRParen;
      case ':':
        Advance();
        return Tok::kColon;
      case '+':
        Advance();
        return Tok::kPlus;
      case '-':
        Advance();
        return Tok::kMinus;
      case '=':
        Advance();
        return Tok::kEq;
      case '!':
        if (n == '=') {
          Skip(2);
          return Tok::kNe;
        }
        break;
      case '<':
        if (n == '=') {
          Skip(2);
          return Tok::kLe;
        }
        if (n == '>') {
          Skip(2);
          return Tok::kNe;
        }
        Advance();
        return Tok::kLt;
      case '>':
        if (n == '=') {
          Skip(2);
          return Tok::kGe;
        }
        Advance();
        return Tok::kGt;
      default:
        break;
    }
    // A character that starts no token: show that one character (a whole UTF-8 sequence).
    size_t len = 1;
    while (i_ + len < s_.size() && (static_cast<unsigned char>(s_[i_ + len]) & 0xC0) == 0x80 &&
           len < 4) {
      ++len;
    }
    throw UnexpectedToken(s_.substr(i_, len), row_, col_ - 1);
  }

  const std::string& s_;
  size_t i_ = 0;
  int row_ = 1;
  int col_ = 1;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(unsigned cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::vector<Token> Lex(const std::string& soql) { return Scanner(soql).Run(); }

bool DecodeString(const std::string& raw, bool like, std::string* out, std::string* bad) {
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (i + 1 >= raw.size()) {
      *bad = "\\";
      return false;
    }
    char e = raw[++i];
    switch (e) {
      case '\'':
        out->push_back('\'');
        break;
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        if (like) out->push_back('\\');  // an escaped backslash in an ILIKE ... ESCAPE '\' pattern
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'u': {
        unsigned cp = 0;
        for (int k = 1; k <= 4; ++k) {
          int h = i + static_cast<size_t>(k) < raw.size() ? HexValue(raw[i + k]) : -1;
          if (h < 0) {
            *bad = raw.substr(i - 1, std::min<size_t>(6, raw.size() - (i - 1)));
            return false;
          }
          cp = cp * 16 + static_cast<unsigned>(h);
        }
        i += 4;
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
          *bad = raw.substr(i - 5, 6);
          return false;
        }
        AppendUtf8(cp, out);
        break;
      }
      case '%':
      case '_':
        if (!like) {
          *bad = std::string("\\") + e;
          return false;
        }
        out->push_back('\\');
        out->push_back(e);
        break;
      default:
        *bad = std::string("\\") + e;
        return false;
    }
  }
  return true;
}

std::string TokenDisplay(const Token& t) {
  if (t.kind == Tok::kEof) return "<EOF>";
  if (t.kind == Tok::kString) return "'" + t.text + "'";
  return t.text;
}

}  // namespace omni::soql

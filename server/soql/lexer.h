// Lexer: splits SOQL text into tokens with exact 1-based row and column (columns count
// characters, i.e. UTF-8 code points, within the row). Keywords are not distinguished from names
// here (SOQL keywords are contextual); the parser compares identifiers case-insensitively.
// String literals keep their raw text (between the quotes); the binder decodes the escapes,
// because LIKE treats \% and \_ differently. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace omni::soql {

enum class Tok {
  kIdent,
  kString,
  kInteger,
  kDecimal,
  kDate,
  kDateTime,
  kComma,
  kDot,
  kLParen,
  kRParen,
  kColon,
  kPlus,
  kMinus,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kEof,
};

struct Token {
  Tok kind = Tok::kEof;
  std::string text;  // as written (strings: without the quotes, escapes undecoded)
  int row = 1;
  int column = 1;  // 1-based column of the first character
};

// Tokenizes the whole query. Throws SoqlError (MALFORMED_QUERY) for a character that starts no
// token or an unterminated string. The last token is always kEof, positioned at the end.
std::vector<Token> Lex(const std::string& soql);

// Decodes the escapes of a string literal's raw text. For LIKE patterns (like == true) the result
// is a PostgreSQL ILIKE pattern with ESCAPE '\': % and _ stay wildcards, \% and \_ stay escaped,
// and a literal backslash is doubled; elsewhere \% and \_ are an error as in Salesforce. Returns
// false (and the offending sequence in *bad) on an invalid escape.
bool DecodeString(const std::string& raw, bool like, std::string* out, std::string* bad);

// The text the parser shows for a token in "unexpected token: '...'".
std::string TokenDisplay(const Token& t);

}  // namespace omni::soql

#include "server/soql/soql_error.h"

#include <algorithm>
#include <vector>

namespace omni::soql {

namespace {

// Control characters (NUL included) cannot travel in XML 1.0: they are shown as '?'.
std::string Printable(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') c = '?';
    if (u == 0x7f) c = '?';
  }
  return out;
}

std::string LineOf(const std::string& text, int row) {
  int r = 1;
  size_t start = 0;
  while (r < row) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) return "";
    start = nl + 1;
    ++r;
  }
  size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A long query line is shown as a window around the error column, as the real org does (its
// excerpt line is not the whole query and the caret is placed relative to it). The window keeps
// whole UTF-8 sequences.
constexpr size_t kWindow = 100;

size_t CharStart(const std::string& s, size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

}  // namespace

Fault ToFault(const std::string& soql, const SoqlError& err) {
  Fault f{err.code, err.kind, "", err.row, err.column};
  std::string line = LineOf(soql, err.row);
  size_t col = err.column > 1 ? static_cast<size_t>(err.column - 1) : 0;
  if (line.size() > 2 * kWindow) {
    size_t from = CharStart(line, col > kWindow ? col - kWindow : 0);
    size_t to = CharStart(line, std::min(line.size(), col + kWindow));
    if (to <= from) to = line.size();
    line = line.substr(from, to - from);
    col = col >= from ? col - from : 0;
  }
  std::string caret(col, ' ');
  f.message = Printable("\n" + line + "\n" + caret + "^\nERROR at Row:" + std::to_string(err.row) +
                        ":Column:" + std::to_string(err.column) + "\n" + err.message);
  return f;
}

SoqlError UnexpectedToken(const std::string& token, int row, int column) {
  // A token can be a whole string literal: quote at most kWindow bytes of it.
  std::string shown =
      token.size() > kWindow ? token.substr(0, CharStart(token, kWindow)) + "..." : token;
  return MalformedQuery("unexpected token: '" + shown + "'", row, column);
}

SoqlError MalformedQuery(const std::string& message, int row, int column) {
  return {ExceptionCode::kMalformedQuery, FaultKind::kMalformedQueryFault, message, row, column};
}

SoqlError NoSuchColumn(const std::string& field, const std::string& object, int row, int column) {
  return {ExceptionCode::kInvalidField, FaultKind::kInvalidFieldFault,
          NoSuchColumnFault(field, object).message, row, column};
}

SoqlError BadRelationship(const std::string& rel, int row, int column) {
  return {ExceptionCode::kInvalidField, FaultKind::kInvalidFieldFault,
          "Didn't understand relationship '" + rel +
              "' in field path. If you are attempting to use a custom relationship, be sure to "
              "append the '__r' after the custom relationship name. Please reference your WSDL or "
              "the describe call for the appropriate names.",
          row, column};
}

SoqlError UnsupportedObject(const std::string& object, int row, int column) {
  return {ExceptionCode::kInvalidType, FaultKind::kInvalidSObjectFault,
          "sObject type '" + object +
              "' is not supported. If you are attempting to use a custom object, be sure to "
              "append the '__c' after the entity name. Please reference your WSDL or the describe "
              "call for the appropriate names.",
          row, column};
}

SoqlError InvalidField(const std::string& message, int row, int column) {
  return {ExceptionCode::kInvalidField, FaultKind::kInvalidFieldFault, message, row, column};
}

SoqlError FilterOperator(const std::string& message, int row, int column) {
  return {ExceptionCode::kInvalidQueryFilterOperator, FaultKind::kMalformedQueryFault, message, row,
          column};
}

}  // namespace omni::soql

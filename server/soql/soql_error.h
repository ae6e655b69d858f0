// SoqlError: a query fault found while lexing, parsing or binding SOQL, with its 1-based position,
// and its conversion to the wire Fault in Salesforce's layout ("\n<line>\n<caret>\nERROR at
// Row:r:Column:c\n<message>"). Also the canonical SOQL fault messages. Plain data and pure
// functions; thread-safe.
#pragma once

#include <stdexcept>
#include <string>

#include "server/core/status.h"

namespace omni::soql {

// Thrown inside the SOQL front end only; Parse/Bind catch it and return a Fault.
struct SoqlError {
  ExceptionCode code;
  FaultKind kind;
  std::string message;
  int row = 1;
  int column = 1;
};

// The fault for an error in the query text soql, with the excerpt of line err.row.
Fault ToFault(const std::string& soql, const SoqlError& err);

SoqlError UnexpectedToken(const std::string& token, int row, int column);
SoqlError MalformedQuery(const std::string& message, int row, int column);
SoqlError NoSuchColumn(const std::string& field, const std::string& object, int row, int column);
SoqlError BadRelationship(const std::string& rel, int row, int column);
SoqlError UnsupportedObject(const std::string& object, int row, int column);
SoqlError InvalidField(const std::string& message, int row, int column);
SoqlError FilterOperator(const std::string& message, int row, int column);

}  // namespace omni::soql

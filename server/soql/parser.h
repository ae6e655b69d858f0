// Parser: hand-written recursive descent from SOQL tokens to a SelectAst.
//
// Grammar (keywords case-insensitive):
//   select  := SELECT item (',' item)* FROM name [WHERE cond] [GROUP BY path (',' path)*]
//              [HAVING cond] [ORDER BY order (',' order)*] [LIMIT int] [OFFSET int]
//   item    := path | func '(' [path] ')' [alias]      func: COUNT COUNT_DISTINCT MIN MAX SUM AVG
//   cond    := unary ((AND unary)* | (OR unary)*)      (mixing AND and OR needs parentheses)
//   unary   := NOT unary | '(' cond ')' | expr op value | expr LIKE value
//            | expr [NOT] IN '(' (value (',' value)* | select) ')'
//   order   := expr [ASC|DESC] [NULLS (FIRST|LAST)]
// Syntax errors are MALFORMED_QUERY "unexpected token: 'X'" positioned as Salesforce positions
// them (the column just before the token: `SELECT Id FROM Contact WHERE` -> Row 1 Column 28).
// Nesting deeper than kMaxNesting parentheses/NOTs is refused, so hostile input cannot exhaust
// the stack. Pure functions; thread-safe.
#pragma once

#include <string>

#include "server/soql/ast.h"

namespace omni::soql {

constexpr int kMaxNesting = 100;

// Parses a whole statement. Throws SoqlError.
SelectAst Parse(const std::string& soql);

}  // namespace omni::soql

#include "server/soql/parser.h"

#include <algorithm>
#include <set>

#include "server/catalog/catalog.h"
#include "server/soql/lexer.h"
#include "server/soql/soql_error.h"

namespace omni::soql {

namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// Words that end an item or clause, so they are never taken as an aggregate's alias.
const std::set<std::string> kReserved = {
    "SELECT", "FROM",   "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT",    "OFFSET",  "AND",
    "OR",     "NOT",    "ASC",   "DESC",  "NULLS",  "IN",    "LIKE",     "WITH",    "FOR",
    "USING",  "TYPEOF", "BY",    "NULL",  "TRUE",   "FALSE", "INCLUDES", "EXCLUDES"};

// Words that cannot stand alone as a field name.
const std::set<std::string> kNotAField = {"SELECT", "FROM",  "WHERE", "HAVING", "LIMIT", "OFFSET",
                                          "AND",    "OR",    "NOT",   "IN",     "LIKE",  "NULL",
                                          "TRUE",   "FALSE", "BY",    "NULLS",  "ASC",   "DESC"};

const std::set<std::string> kAggregates = {"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG"};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  SelectAst Statement() {
    SelectAst s = Select(0);
    if (Peek().kind != Tok::kEof) Fail(Peek());
    return s;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t k = std::min(i_ + ahead, t_.size() - 1);
    return t_[k];
  }
  const Token& Next() {
    const Token& t = t_[i_];
    if (i_ + 1 < t_.size()) ++i_;
    return t;
  }
  [[noreturn]] void Fail(const Token& t) {
    throw UnexpectedToken(TokenDisplay(t), t.row, t.column - 1);
  }
  bool IsWord(const Token& t, const char* word) const {
    return t.kind == Tok::kIdent && Upper(t.text) == word;
  }
  bool AcceptWord(const char* word) {
    if (!IsWord(Peek(), word)) return false;
    Next();
    return true;
  }
  void ExpectWord(const char* word) {
    if (!AcceptWord(word)) Fail(Peek());
  }
  const Token& Expect(Tok kind) {
    if (Peek().kind != kind) Fail(Peek());
    return Next();
  }
  static Pos PosOf(const Token& t) { return Pos{t.row, t.column}; }

  SelectAst Select(int depth) {
    if (depth >= kMaxNesting) Fail(Peek());
    SelectAst s;
    ExpectWord("SELECT");
    do {
      s.fields.push_back(Item(true));
    } while (Peek().kind == Tok::kComma && (Next(), true));
    ExpectWord("FROM");
    const Token& obj = Expect(Tok::kIdent);
    s.object = obj.text;
    s.object_pos = PosOf(obj);
    if (AcceptWord("WHERE")) s.where = Condition(depth);
    if (IsWord(Peek(), "GROUP")) {
      Next();
      ExpectWord("BY");
      do {
        s.group_by.push_back(Item(false));
      } while (Peek().kind == Tok::kComma && (Next(), true));
    }
    if (AcceptWord("HAVING")) s.having = Condition(depth);
    if (IsWord(Peek(), "ORDER")) {
      Next();
      ExpectWord("BY");
      do {
        OrderAst o;
        o.expr = Item(false);
        if (AcceptWord("DESC")) {
          o.desc = true;
        } else {
          AcceptWord("ASC");
        }
        if (AcceptWord("NULLS")) {
          if (AcceptWord("FIRST")) {
            o.nulls_first = true;
          } else {
            ExpectWord("LAST");
            o.nulls_first = false;
          }
        }
        s.order_by.push_back(o);
      } while (Peek().kind == Tok::kComma && (Next(), true));
    }
    if (IsWord(Peek(), "LIMIT")) {
      s.limit_pos = PosOf(Next());
      s.limit = Integer();
    }
    if (IsWord(Peek(), "OFFSET")) {
      s.offset_pos = PosOf(Next());
      s.offset = Integer();
    }
    return s;
  }

  long long Integer() {
    const Token& t = Peek();
    if (t.kind != Tok::kInteger || t.text.size() > 12) Fail(t);
    Next();
    return std::stoll(t.text);
  }

  PathAst Path() {
    PathAst p;
    const Token& first = Expect(Tok::kIdent);
    p.parts.push_back(first.text);
    p.pos.push_back(PosOf(first));
    while (Peek().kind == Tok::kDot) {
      Next();
      const Token& part = Expect(Tok::kIdent);
      p.parts.push_back(part.text);
      p.pos.push_back(PosOf(part));
    }
    return p;
  }

  // A field or aggregate; with_alias for SELECT items (an aggregate may carry an alias).
  ExprAst Item(bool with_alias) {
    ExprAst e;
    const Token& t = Peek();
    if (t.kind != Tok::kIdent) Fail(t);
    e.pos = PosOf(t);
    if (Peek(1).kind == Tok::kLParen) {
      std::string name = Upper(t.text);
      if (!kAggregates.count(name)) Fail(Peek(1));
      Next();
      Next();
      e.func = name;
      if (Peek().kind == Tok::kRParen) {
        if (name != "COUNT") Fail(Peek());
        e.has_arg = false;
      } else {
        e.path = Path();
      }
      Expect(Tok::kRParen);
      if (with_alias) Alias(&e);
      return e;
    }
    e.path = Path();
    // A clause keyword where a field belongs: "SELECT Id, FROM X" -> unexpected token: 'FROM'.
    if (e.path.parts.size() == 1 && kNotAField.count(Upper(t.text))) Fail(t);
    // Grouped fields of aggregate queries may carry an alias too (the binder checks that).
    if (with_alias) Alias(&e);
    return e;
  }

  void Alias(ExprAst* e) {
    if (Peek().kind == Tok::kIdent && !kReserved.count(Upper(Peek().text))) {
      e->alias_pos = PosOf(Peek());
      e->alias = Next().text;
    }
  }

  CondAst Condition(int depth) {
    CondAst first = Unary(depth);
    if (!IsWord(Peek(), "AND") && !IsWord(Peek(), "OR")) return first;
    const char* conj = IsWord(Peek(), "AND") ? "AND" : "OR";
    CondAst c;
    c.kind = conj[0] == 'A' ? CondAst::Kind::kAnd : CondAst::Kind::kOr;
    c.pos = PosOf(Peek());
    c.children.push_back(std::move(first));
    while (AcceptWord(conj)) c.children.push_back(Unary(depth));
    // SOQL needs parentheses to mix AND and OR.
    if (IsWord(Peek(), "AND") || IsWord(Peek(), "OR")) Fail(Peek());
    return c;
  }

  CondAst Unary(int depth) {
    if (depth >= kMaxNesting) Fail(Peek());
    if (IsWord(Peek(), "NOT")) {
      CondAst c;
      c.kind = CondAst::Kind::kNot;
      c.pos = PosOf(Next());
      c.children.push_back(Unary(depth + 1));
      return c;
    }
    if (Peek().kind == Tok::kLParen) {
      Next();
      CondAst inner = Condition(depth + 1);
      Expect(Tok::kRParen);
      return inner;
    }
    CondAst c;
    c.lhs = Item(false);
    const Token& op = Peek();
    c.pos = PosOf(op);
    switch (op.kind) {
      case Tok::kEq:
      case Tok::kNe:
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe:
        Next();
        c.kind = CondAst::Kind::kCompare;
        c.op = op.kind == Tok::kEq   ? "="
               : op.kind == Tok::kNe ? "!="
               : op.kind == Tok::kLt ? "<"
               : op.kind == Tok::kLe ? "<="
               : op.kind == Tok::kGt ? ">"
                                     : ">=";
        c.values.push_back(Value());
        return c;
      default:
        break;
    }
    if (AcceptWord("LIKE")) {
      c.kind = CondAst::Kind::kLike;
      c.values.push_back(Value());
      return c;
    }
    c.kind = CondAst::Kind::kIn;
    if (AcceptWord("NOT")) c.kind = CondAst::Kind::kNotIn;
    ExpectWord("IN");
    Expect(Tok::kLParen);
    if (IsWord(Peek(), "SELECT")) {
      c.subquery = std::make_shared<SelectAst>(Select(depth + 1));
    } else {
      do {
        c.values.push_back(Value());
      } while (Peek().kind == Tok::kComma && (Next(), true));
    }
    Expect(Tok::kRParen);
    return c;
  }

  ValueAst Value() {
    ValueAst v;
    const Token& t = Peek();
    v.pos = PosOf(t);
    switch (t.kind) {
      case Tok::kString:
        v.kind = ValueAst::Kind::kString;
        v.text = Next().text;
        return v;
      case Tok::kDate:
        v.kind = ValueAst::Kind::kDate;
        v.text = Next().text;
        return v;
      case Tok::kDateTime:
        v.kind = ValueAst::Kind::kDateTime;
        v.text = Next().text;
        return v;
      case Tok::kInteger:
        v.kind = ValueAst::Kind::kInteger;
        v.text = Next().text;
        return v;
      case Tok::kDecimal:
        v.kind = ValueAst::Kind::kDecimal;
        v.text = Next().text;
        return v;
      case Tok::kPlus:
      case Tok::kMinus: {
        std::string sign = t.kind == Tok::kMinus ? "-" : "";
        Next();
        const Token& num = Peek();
        if (num.kind != Tok::kInteger && num.kind != Tok::kDecimal) Fail(num);
        v.kind = num.kind == Tok::kInteger ? ValueAst::Kind::kInteger : ValueAst::Kind::kDecimal;
        v.text = sign + Next().text;
        return v;
      }
      case Tok::kIdent: {
        std::string word = Upper(t.text);
        Next();
        v.text = word;
        if (word == "NULL") {
          v.kind = ValueAst::Kind::kNull;
        } else if (word == "TRUE") {
          v.kind = ValueAst::Kind::kTrue;
        } else if (word == "FALSE") {
          v.kind = ValueAst::Kind::kFalse;
        } else {
          v.kind = ValueAst::Kind::kDateLiteral;
          if (Peek().kind == Tok::kColon) {
            Next();
            const Token& n = Peek();
            if (n.kind != Tok::kInteger || n.text.size() > 6) Fail(n);
            v.n = std::stoi(Next().text);
            v.has_n = true;
          }
        }
        return v;
      }
      default:
        Fail(t);
    }
  }

  std::vector<Token> t_;
  size_t i_ = 0;
};

}  // namespace

SelectAst Parse(const std::string& soql) { return Parser(Lex(soql)).Statement(); }

}  // namespace omni::soql

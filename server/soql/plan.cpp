#include "server/soql/plan.h"

namespace omni::soql {

std::string FieldRef::Path() const {
  std::string p;
  for (const auto& h : hops) p += h.ref->relationship_name + ".";
  return p + (field ? field->name : "");
}

FieldType Expr::ValueType() const {
  switch (func) {
    case AggFunc::kCount:
    case AggFunc::kCountDistinct:
      return FieldType::kInt;
    case AggFunc::kAvg:
      return FieldType::kDouble;
    case AggFunc::kSum:
      return ref.field && ref.field->type == FieldType::kInt ? FieldType::kInt : FieldType::kDouble;
    case AggFunc::kNone:
    case AggFunc::kMin:
    case AggFunc::kMax:
      break;
  }
  return ref.field ? ref.field->type : FieldType::kInt;
}

}  // namespace omni::soql

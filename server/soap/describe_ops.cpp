// The describe calls of both endpoints: describeGlobal, describeSObject and describeSObjects.
// The values come from DescribeService (server/dispatcher/describe.h), derived from the catalog;
// this file only copies them into the generated partner/enterprise types, one template per
// operation for both APIs (traits in server/soap/op_support.h). Thread-safety: per request; the
// shared DescribeService is immutable.
#include "server/dispatcher/describe.h"
#include "server/soap/op_support.h"
#include "server/soap/records_xml.h"

namespace omni {
namespace soap_ops {

namespace {

// The process has one catalog (the dispatcher's); its describe values are derived once, on the
// first describe call (a function-local static is initialised thread-safely).
const DescribeService& Describer(struct soap* soap) {
  static const DescribeService service(App(soap).dispatcher->catalog());
  return service;
}

bool* NewBool(struct soap* soap, bool v) {
  bool* b = soap_new_bool(soap, -1);
  *b = v;
  return b;
}

template <class T>
void CopyFlags(const DescribeObjectFlags& d, typename T::DescribeGlobalSObject* r,
               struct soap* soap) {
  r->activateable = d.activateable;
  r->createable = d.createable;
  r->custom = d.custom;
  r->customSetting = d.custom_setting;
  r->deletable = d.deletable;
  r->deprecatedAndHidden = d.deprecated_and_hidden;
  r->feedEnabled = d.feed_enabled;
  r->hasSubtypes = d.has_subtypes;
  r->idEnabled = d.id_enabled;
  r->isSubtype = d.is_subtype;
  r->keyPrefix = NewString(soap, d.key_prefix);
  r->label = d.label;
  r->labelPlural = d.label_plural;
  r->layoutable = d.layoutable;
  r->mergeable = d.mergeable;
  r->mruEnabled = d.mru_enabled;
  r->name = d.name;
  r->queryable = d.queryable;
  r->replicateable = d.replicateable;
  r->retrieveable = d.retrieveable;
  r->searchable = d.searchable;
  r->triggerable = d.triggerable;
  r->undeletable = d.undeletable;
  r->updateable = d.updateable;
}

// Field.defaultValue is xsd:anyType: an element carrying its own xsi:type, as Salesforce writes
// it (<defaultValue xsi:type="xsd:boolean">false</defaultValue>).
soap_dom_element* DefaultValueElement(struct soap* soap, const char* ns, const DescribeField& d) {
  soap_dom_element* e = soap_elt_new(soap, ns, "defaultValue");
  soap_att_text(soap_att(e, kXsiNs, "type"), d.default_value_type);
  soap_elt_text(e, d.default_value->c_str());
  return e;
}

template <class T>
typename T::FieldT* MakeField(struct soap* soap, const DescribeField& d) {
  auto* f = T::NewField(soap);
  f->aggregatable = d.aggregatable;
  f->aiPredictionField = d.ai_prediction_field;
  f->autoNumber = d.auto_number;
  f->byteLength = d.byte_length;
  f->calculated = d.calculated;
  f->cascadeDelete = NewBool(soap, d.cascade_delete);
  f->caseSensitive = d.case_sensitive;
  f->createable = d.createable;
  f->custom = d.custom;
  f->defaultValue = d.default_value ? DefaultValueElement(soap, T::kApiNs, d) : nullptr;
  f->defaultedOnCreate = d.defaulted_on_create;
  f->dependentPicklist = NewBool(soap, d.dependent_picklist);
  f->deprecatedAndHidden = d.deprecated_and_hidden;
  f->digits = d.digits;
  f->displayLocationInDecimal = NewBool(soap, d.display_location_in_decimal);
  f->encrypted = NewBool(soap, d.encrypted);
  f->externalId = NewBool(soap, d.external_id);
  f->filterable = d.filterable;
  f->formulaTreatNullNumberAsZero = NewBool(soap, d.formula_treat_null_number_as_zero);
  f->groupable = d.groupable;
  f->highScaleNumber = NewBool(soap, d.high_scale_number);
  f->htmlFormatted = NewBool(soap, d.html_formatted);
  f->idLookup = d.id_lookup;
  f->label = d.label;
  f->length = d.length;
  f->name = d.name;
  f->nameField = d.name_field;
  f->namePointing = NewBool(soap, d.name_pointing);
  f->nillable = d.nillable;
  f->permissionable = d.permissionable;
  for (const auto& p : d.picklist_values) {
    auto* e = T::NewPicklistEntry(soap);
    e->active = p.active;
    e->defaultValue = p.default_value;
    e->label = NewString(soap, p.label);
    e->value = p.value;
    f->picklistValues.push_back(e);
  }
  f->polymorphicForeignKey = d.polymorphic_foreign_key;
  f->precision = d.precision;
  f->queryByDistance = d.query_by_distance;
  f->referenceTo = d.reference_to;
  f->relationshipName = d.relationship_name ? NewString(soap, *d.relationship_name) : nullptr;
  f->restrictedDelete = NewBool(soap, d.restricted_delete);
  f->restrictedPicklist = d.restricted_picklist;
  f->scale = d.scale;
  f->searchPrefilterable = d.search_prefilterable;
  T::S2SoapType(soap, d.soap_type, &f->soapType);
  f->sortable = NewBool(soap, d.sortable);
  T::S2FieldType(soap, d.type, &f->type);
  f->unique = d.unique;
  f->updateable = d.updateable;
  f->writeRequiresMasterRead = NewBool(soap, d.write_requires_master_read);
  return f;
}

template <class T>
typename T::DescribeSObjectResult* MakeSObject(struct soap* soap, const DescribeSObjectValue& d) {
  auto* r = T::NewDescribeSObject(soap);
  const DescribeObjectFlags& o = d.flags;
  r->activateable = o.activateable;
  for (const auto& c : d.child_relationships) {
    auto* cr = T::NewChildRelationship(soap);
    cr->cascadeDelete = c.cascade_delete;
    cr->childSObject = c.child_sobject;
    cr->deprecatedAndHidden = c.deprecated_and_hidden;
    cr->field = c.field;
    cr->restrictedDelete = NewBool(soap, c.restricted_delete);
    r->childRelationships.push_back(cr);
  }
  r->compactLayoutable = d.compact_layoutable;
  r->createable = o.createable;
  r->custom = o.custom;
  r->customSetting = o.custom_setting;
  r->deletable = o.deletable;
  r->deprecatedAndHidden = o.deprecated_and_hidden;
  r->feedEnabled = o.feed_enabled;
  for (const auto& f : d.fields) r->fields.push_back(MakeField<T>(soap, f));
  r->hasSubtypes = o.has_subtypes;
  r->idEnabled = o.id_enabled;
  r->isSubtype = o.is_subtype;
  r->keyPrefix = NewString(soap, o.key_prefix);
  r->label = o.label;
  r->labelPlural = o.label_plural;
  r->layoutable = o.layoutable;
  r->mergeable = o.mergeable;
  r->mruEnabled = o.mru_enabled;
  r->name = o.name;
  r->networkScopeFieldName = nullptr;
  r->queryable = o.queryable;
  r->replicateable = o.replicateable;
  r->retrieveable = o.retrieveable;
  r->searchLayoutable = NewBool(soap, d.search_layoutable);
  r->searchable = o.searchable;
  r->triggerable = NewBool(soap, o.triggerable);
  r->undeletable = o.undeletable;
  r->updateable = o.updateable;
  // The UI URLs are nillable and this org has no UI.
  r->urlDetail = r->urlEdit = r->urlNew = nullptr;
  return r;
}

}  // namespace

template <class T, class Resp>
int DoDescribeGlobal(struct soap* soap, Resp& resp) {
  int rc;
  if (!Authenticate<T>(soap, &rc)) return rc;
  DescribeGlobalValue g = Describer(soap).Global();
  auto* r = T::NewDescribeGlobal(soap);
  r->encoding = NewString(soap, g.encoding);
  r->maxBatchSize = g.max_batch_size;
  for (const auto& o : g.sobjects) {
    auto* s = T::NewDescribeGlobalSObject(soap);
    CopyFlags<T>(o, s, soap);
    r->sobjects.push_back(s);
  }
  resp.result = r;
  return SOAP_OK;
}

template <class T, class Req, class Resp>
int DoDescribeSObject(struct soap* soap, Req* req, Resp& resp) {
  int rc;
  if (!Authenticate<T>(soap, &rc)) return rc;
  auto out = Describer(soap).SObject(req->sObjectType);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = MakeSObject<T>(soap, out.value);
  return SOAP_OK;
}

template <class T, class Req, class Resp>
int DoDescribeSObjects(struct soap* soap, Req* req, Resp& resp) {
  int rc;
  if (!Authenticate<T>(soap, &rc)) return rc;
  auto out = Describer(soap).SObjects(req->sObjectType);
  if (out.fault) return SendFault(soap, *out.fault);
  for (const auto& d : out.value) resp.result.push_back(MakeSObject<T>(soap, d));
  return SOAP_OK;
}

}  // namespace soap_ops
}  // namespace omni

using omni::soap_ops::EnterpriseTypes;
using omni::soap_ops::PartnerTypes;

int __p__describeGlobal(struct soap* s, _p__describeGlobal*, _p__describeGlobalResponse& resp) {
  return omni::soap_ops::DoDescribeGlobal<PartnerTypes>(s, resp);
}
int __p__describeSObject(struct soap* s, _p__describeSObject* req,
                         _p__describeSObjectResponse& resp) {
  return omni::soap_ops::DoDescribeSObject<PartnerTypes>(s, req, resp);
}
int __p__describeSObjects(struct soap* s, _p__describeSObjects* req,
                          _p__describeSObjectsResponse& resp) {
  return omni::soap_ops::DoDescribeSObjects<PartnerTypes>(s, req, resp);
}
int __e__describeGlobal(struct soap* s, _e__describeGlobal*, _e__describeGlobalResponse& resp) {
  return omni::soap_ops::DoDescribeGlobal<EnterpriseTypes>(s, resp);
}
int __e__describeSObject(struct soap* s, _e__describeSObject* req,
                         _e__describeSObjectResponse& resp) {
  return omni::soap_ops::DoDescribeSObject<EnterpriseTypes>(s, req, resp);
}
int __e__describeSObjects(struct soap* s, _e__describeSObjects* req,
                          _e__describeSObjectsResponse& resp) {
  return omni::soap_ops::DoDescribeSObjects<EnterpriseTypes>(s, req, resp);
}

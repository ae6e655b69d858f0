"""describeGlobal, describeSObject and describeSObjects through Salesforce's own partner WSDL (and
the enterprise endpoint), checked against wsdl/catalog.xml field by field, and against what the
server enforces: a property describe reports is one the server applies (a few representative
checks per property; test_field_properties.py covers enforcement exhaustively).

Parametrized over the catalog; nothing here names an object or a field.
"""
import xml.etree.ElementTree as ET

import pytest
import requests
import zeep

from conftest import (CATALOG, CATALOG_PATH, OMIT, PARTNER_NS, SF_PARTNER_WSDL, assert_error,
                      body_result, fake_id, object_id)

OBJECTS = CATALOG.objects

# Object-level flags and the calls they come from (CATALOG-DECISIONS, section G).
FLAG_CALLS = {
    "createable": ("create",), "updateable": ("update",), "deletable": ("delete",),
    "undeletable": ("undelete",), "queryable": ("query",), "retrieveable": ("retrieve",),
    "replicateable": ("getUpdated", "getDeleted"), "searchable": ("search",),
    "layoutable": ("describeLayout",),
}
ALWAYS_FALSE_OBJECT = ("custom", "customSetting", "mergeable", "activateable",
                       "deprecatedAndHidden", "feedEnabled", "hasSubtypes", "isSubtype")
ALWAYS_FALSE_FIELD = ("calculated", "custom", "caseSensitive", "externalId", "htmlFormatted",
                      "dependentPicklist", "deprecatedAndHidden", "cascadeDelete",
                      "restrictedDelete", "queryByDistance", "searchPrefilterable", "encrypted",
                      "aiPredictionField", "writeRequiresMasterRead")
SOAP_TYPES = {"id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int",
              "double": "xsd:double", "percent": "xsd:double", "datetime": "xsd:dateTime",
              "date": "xsd:date"}
NUMERIC = {"boolean", "int", "double", "percent", "datetime", "date"}


def _raw_attributes():
    """(object, field) -> the catalog's XML attributes that conftest's Field does not carry
    (nameField, relationshipName)."""
    root = ET.parse(CATALOG_PATH).getroot()
    system = {f.get("name"): f.attrib for f in root.find("systemFields").findall("field")}
    out = {}
    for o in root.findall("object"):
        own = {f.get("name"): f.attrib for f in o.findall("field")}
        for name, attrs in dict(system, **own).items():
            out[(o.get("name"), name)] = attrs
    return out


RAW = _raw_attributes()
LABEL_PLURAL = {o.get("name"): o.get("labelPlural")
                for o in ET.parse(CATALOG_PATH).getroot().findall("object")}


def describe(api, name):
    return body_result(api.service.describeSObject(name, _soapheaders=api.headers()))


def described_fields(api, obj):
    return {f.name: f for f in describe(api, obj.name).fields}


def default_text(value):
    """Field.defaultValue is xsd:anyType: zeep gives a typed Python value or an AnyObject."""
    if value is None:
        return None
    value = getattr(value, "value", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_object_flags(d, obj):
    assert d.name == obj.name
    assert d.label == obj.label
    assert d.labelPlural == LABEL_PLURAL[obj.name]
    assert d.keyPrefix == obj.key_prefix
    for flag, calls in FLAG_CALLS.items():
        assert getattr(d, flag) == any(obj.supports(c) for c in calls), flag
    writable = any(obj.supports(c) for c in ("create", "update", "delete", "undelete"))
    assert d.triggerable == writable
    for flag in ALWAYS_FALSE_OBJECT:
        assert getattr(d, flag) is False, flag
    assert d.idEnabled is True


# ---------------------------------------------------------------------------------------------
# describeSObject: every field of every object
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_describe_sobject_matches_catalog(api, obj):
    d = describe(api, obj.name)
    check_object_flags(d, obj)
    assert [f.name for f in d.fields] == [f.name for f in obj.fields]
    for f, cat in zip(d.fields, obj.fields):
        raw = RAW[(obj.name, cat.name)]
        ctx = "%s.%s" % (obj.name, cat.name)
        assert f.label == cat.label, ctx
        assert f.type == cat.type, ctx
        assert f.soapType == SOAP_TYPES.get(cat.type, "xsd:string"), ctx
        assert f.createable == cat.createable, ctx
        assert f.updateable == cat.updateable, ctx
        assert f.nillable == cat.nillable, ctx
        assert f.defaultedOnCreate == ("DefaultedOnCreate" in cat.props), ctx
        assert f.filterable == ("Filter" in cat.props), ctx
        assert f.groupable == ("Group" in cat.props), ctx
        assert f.sortable == ("Sort" in cat.props), ctx
        assert f.restrictedPicklist == cat.restricted, ctx
        assert f.unique == cat.unique, ctx
        assert f.idLookup == cat.id_lookup, ctx
        assert f.autoNumber == cat.autonumber, ctx
        assert f.nameField == (raw.get("nameField") == "true"), ctx
        if cat.type in ("id", "reference"):
            assert (f.length, f.byteLength) == (18, 18), ctx
        elif cat.type in NUMERIC:
            assert (f.length, f.byteLength) == (0, 0), ctx
        else:
            assert (f.length, f.byteLength) == (cat.length, 3 * cat.length), ctx
        assert f.digits == (9 if cat.type == "int" else 0), ctx
        if cat.type in ("double", "percent"):
            assert (f.precision, f.scale) == (cat.precision, cat.scale), ctx
        else:
            assert (f.precision, f.scale) == (0, 0), ctx
        assert list(f.referenceTo or []) == cat.reference_to, ctx
        assert (f.relationshipName or "") == raw.get("relationshipName", ""), ctx
        assert f.polymorphicForeignKey == (len(cat.reference_to) > 1), ctx
        assert f.namePointing == (len(cat.reference_to) > 1), ctx
        entries = list(f.picklistValues or [])
        assert [e.value for e in entries] == cat.values, ctx
        for e in entries:
            assert e.active is True
            assert e.label == e.value
            assert e.defaultValue == (e.value == cat.default), ctx
        assert default_text(f.defaultValue) == cat.default, ctx
        assert f.aggregatable == (cat.type not in ("boolean", "textarea")), ctx
        assert f.permissionable == (not cat.system and (cat.nillable or cat.type == "boolean")), ctx
        for flag in ALWAYS_FALSE_FIELD:
            assert getattr(f, flag) in (False, None), (ctx, flag)


def test_describe_global_lists_every_object(api):
    g = body_result(api.service.describeGlobal(_soapheaders=api.headers()))
    assert g.encoding == "UTF-8"
    assert g.maxBatchSize == 200
    assert [s.name for s in g.sobjects] == [o.name for o in OBJECTS]
    for s, obj in zip(g.sobjects, OBJECTS):
        check_object_flags(s, obj)


def test_describe_sobjects_several_in_order(api):
    names = [o.name for o in OBJECTS[::3]]
    got = body_result(api.service.describeSObjects(names, _soapheaders=api.headers()))
    assert [d.name for d in got] == names
    for d in got:
        obj = CATALOG[d.name]
        check_object_flags(d, obj)
        assert [f.name for f in d.fields] == [f.name for f in obj.fields]


def test_describe_names_resolve_case_insensitively(api):
    obj = OBJECTS[0]
    assert describe(api, obj.name.lower()).name == obj.name


def test_describe_every_object_even_without_describe_call(api):
    """CATALOG-DECISIONS B1: describe is served for every object, whatever its calls list."""
    lacking = [o for o in OBJECTS if not o.supports("describeSObjects")]
    assert lacking
    for o in lacking:
        assert describe(api, o.name).name == o.name


@pytest.mark.parametrize("call", ["describeSObject", "describeSObjects"])
def test_unknown_type_faults(api, call):
    arg = "Nope__c" if call == "describeSObject" else ["Case", "Nope__c"]
    with pytest.raises(zeep.exceptions.Fault) as exc:
        getattr(api.service, call)(arg, _soapheaders=api.headers())
    assert exc.value.code == "sf:INVALID_TYPE"
    assert exc.value.message == "INVALID_TYPE: sObject type 'Nope__c' is not supported."


def test_describe_sobjects_limit(api):
    """Salesforce's WSDL caps sObjectType at 100 (zeep refuses to send more), so the 101-type
    request is sent as raw XML."""
    types = "".join("<urn:sObjectType>Case</urn:sObjectType>" for _ in range(101))
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
        '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="%s"><soapenv:Header>'
        "<urn:SessionHeader><urn:sessionId>%s</urn:sessionId></urn:SessionHeader>"
        "</soapenv:Header><soapenv:Body><urn:describeSObjects>%s</urn:describeSObjects>"
        "</soapenv:Body></soapenv:Envelope>" % (PARTNER_NS, api.session_id, types))
    r = requests.post(api.login_result.serverUrl, data=envelope.encode(),
                      headers={"Content-Type": "text/xml; charset=UTF-8",
                               "SOAPAction": "describeSObjects"}, timeout=60)
    assert r.status_code == 500
    assert "<faultcode>sf:EXCEEDED_ID_LIMIT</faultcode>" in r.text
    got = body_result(api.service.describeSObjects(["Case"] * 100, _soapheaders=api.headers()))
    assert len(got) == 100


def test_describe_needs_a_session(api):
    with pytest.raises(zeep.exceptions.Fault) as exc:
        api.service.describeGlobal(_soapheaders=api.headers(session_id="bogus"))
    assert exc.value.code == "sf:INVALID_SESSION_ID"


def test_child_relationships(api):
    """Every reference in the catalog shows up as a child relationship of its target."""
    for target in OBJECTS:
        expected = sorted((o.name, f.name) for o in OBJECTS for f in o.fields
                          if target.name in f.reference_to)
        d = describe(api, target.name)
        got = sorted((c.childSObject, c.field) for c in (d.childRelationships or []))
        assert got == expected, target.name


def test_enterprise_describe_agrees_with_partner(api, enterprise):
    svc, headers, _ = enterprise
    for obj in OBJECTS:
        e = body_result(svc.describeSObject(obj.name, _soapheaders=headers))
        p = describe(api, obj.name)
        check_object_flags(e, obj)
        assert [(f.name, f.type, f.createable, f.updateable, f.nillable) for f in e.fields] == \
            [(f.name, f.type, f.createable, f.updateable, f.nillable) for f in p.fields]
    g = body_result(svc.describeGlobal(_soapheaders=headers))
    assert [s.name for s in g.sobjects] == [o.name for o in OBJECTS]


# ---------------------------------------------------------------------------------------------
# The wire: every required element of Salesforce's describe types, in the WSDL's order
# ---------------------------------------------------------------------------------------------

XSD_NS = "http://www.w3.org/2001/XMLSchema"


def _wsdl_sequences():
    """complexType name -> [(element name, required)] of Salesforce's partner WSDL."""
    out = {}
    for ct in ET.parse(SF_PARTNER_WSDL).getroot().iter("{%s}complexType" % XSD_NS):
        seq = ct.find("{%s}sequence" % XSD_NS)
        if ct.get("name") and seq is not None:
            out[ct.get("name")] = [(e.get("name"), e.get("minOccurs", "1") != "0")
                                   for e in seq.findall("{%s}element" % XSD_NS)]
    return out


def raw_call(api, body):
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
        '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="%s"><soapenv:Header>'
        "<urn:SessionHeader><urn:sessionId>%s</urn:sessionId></urn:SessionHeader>"
        "</soapenv:Header><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>"
        % (PARTNER_NS, api.session_id, body))
    return requests.post(api.login_result.serverUrl, data=envelope.encode(),
                         headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
                         timeout=60)


def check_sequence(element, type_name, sequences):
    """The element's children follow the WSDL sequence of type_name and include every required
    element; complex children are checked recursively."""
    names = [c.tag.split("}")[-1] for c in element]
    order = [n for n, _ in sequences[type_name]]
    assert [n for n in names if n not in order] == [], (type_name, names)
    positions = [order.index(n) for n in names]
    assert positions == sorted(positions), (type_name, names)
    missing = [n for n, required in sequences[type_name] if required and n not in names]
    assert missing == [], (type_name, missing)
    nested = {"fields": "Field", "picklistValues": "PicklistEntry",
              "childRelationships": "ChildRelationship", "sobjects": "DescribeGlobalSObjectResult"}
    for c in element:
        child_type = nested.get(c.tag.split("}")[-1])
        if child_type:
            check_sequence(c, child_type, sequences)


@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_describe_sobject_wire_shape(api, obj):
    sequences = _wsdl_sequences()
    r = raw_call(api, "<urn:describeSObject><urn:sObjectType>%s</urn:sObjectType>"
                      "</urn:describeSObject>" % obj.name)
    assert r.status_code == 200, r.text[:500]
    result = ET.fromstring(r.content).find(".//{%s}result" % PARTNER_NS)
    check_sequence(result, "DescribeSObjectResult", sequences)


def test_describe_global_wire_shape(api):
    sequences = _wsdl_sequences()
    r = raw_call(api, "<urn:describeGlobal/>")
    assert r.status_code == 200, r.text[:500]
    result = ET.fromstring(r.content).find(".//{%s}result" % PARTNER_NS)
    check_sequence(result, "DescribeGlobalResult", sequences)


# ---------------------------------------------------------------------------------------------
# What describe says is what the server does (representative checks, chosen from describe)
# ---------------------------------------------------------------------------------------------

CREATEABLE = [o for o in OBJECTS if o.supports("create")]


def _having(keep):
    """The createable objects with a field the catalog gives this property (the test then picks
    the field from describe's answer, so describe and enforcement are checked together)."""
    return [o for o in CREATEABLE if any(keep(f) for f in o.fields)]


def _first(fields, keep):
    for f in fields.values():
        if keep(f):
            return f
    return None


@pytest.mark.parametrize("obj", _having(lambda f: not f.createable and f.type != "id"),
                         ids=object_id)
def test_not_createable_per_describe_is_refused(api, factory, obj):
    fields = described_fields(api, obj)
    f = _first(fields, lambda f: not f.createable and f.name != "Id" and f.type != "id")
    assert f is not None, "describe says every field of %s is createable" % obj.name
    cat = obj.field(f.name)
    value = (fake_id(CATALOG[cat.reference_to[0]].key_prefix) if cat.type == "reference"
             else "2021-06-15T08:30:00.000Z" if cat.type == "datetime"
             else "false" if cat.type == "boolean"
             else cat.values[0] if cat.values else "1" if cat.type in NUMERIC else "x")
    [r] = api.create([factory.build(obj.name, refused=True, **{f.name: value})])
    assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", fields=[f.name])


@pytest.mark.parametrize("obj", _having(lambda f: f.required), ids=object_id)
def test_required_per_describe_is_enforced(api, factory, obj):
    """createable, not nillable, not defaultedOnCreate (and not a checkbox) = required."""
    fields = described_fields(api, obj)
    f = _first(fields, lambda f: f.createable and not f.nillable and not f.defaultedOnCreate
               and f.type != "boolean")
    assert f is not None, "describe shows no required field on %s" % obj.name
    [r] = api.create([factory.build(obj.name, refused=True, **{f.name: OMIT})])
    assert_error(r, "REQUIRED_FIELD_MISSING", fields=[f.name])


@pytest.mark.parametrize("obj", _having(lambda f: f.restricted and f.createable), ids=object_id)
def test_restricted_picklist_per_describe_is_enforced(api, factory, obj):
    fields = described_fields(api, obj)
    f = _first(fields, lambda f: f.restrictedPicklist and f.createable)
    assert f is not None, "describe shows no createable restricted picklist on %s" % obj.name
    values = [e.value for e in f.picklistValues]
    bad = "NotAValue"
    assert bad not in values
    [r] = api.create([factory.build(obj.name, refused=True, **{f.name: bad})])
    assert_error(r, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", fields=[f.name])


@pytest.mark.parametrize("obj", [o for o in OBJECTS if not o.supports("create")], ids=object_id)
def test_not_createable_object_per_describe_is_refused(api, factory, obj):
    assert describe(api, obj.name).createable is False
    [r] = api.create([factory.build(obj.name, refused=True)])
    assert_error(r, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                 "entity type cannot be inserted: " + obj.label)


@pytest.mark.parametrize("obj", [o for o in _having(lambda f: f.createable and not f.updateable)
                                 if o.supports("update") and not o.scarce], ids=object_id)
def test_not_updateable_per_describe_is_refused(api, factory, obj):
    fields = described_fields(api, obj)
    f = _first(fields, lambda f: f.createable and not f.updateable)
    assert f is not None, "describe shows no create-only field on %s" % obj.name
    rid = factory.create(obj.name)
    cat = obj.field(f.name)
    value = factory.value(cat, 1) if factory.can_make_value(cat) else fake_id(
        CATALOG[cat.reference_to[0]].key_prefix)
    [r] = api.update([{"type": obj.name, "Id": rid, f.name: value}])
    assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", fields=[f.name])


@pytest.mark.parametrize("obj", [o for o in _having(lambda f: f.unique and f.createable)
                                 if o.supports("retrieve")], ids=object_id)
def test_unique_per_describe_is_enforced(api, factory, obj):
    fields = described_fields(api, obj)
    f = _first(fields, lambda f: f.unique and f.createable)
    assert f is not None, "describe shows no createable unique field on %s" % obj.name
    existing = factory.shared(obj.name)
    value = api.retrieve_one(obj, existing)[f.name]
    [r] = api.create([factory.build(obj.name, refused=True, **{f.name: value})])
    assert_error(r, "DUPLICATE_VALUE", fields=[f.name])


@pytest.mark.parametrize("obj", [o for o in OBJECTS if o.supports("upsert")], ids=object_id)
def test_id_lookup_per_describe_decides_upsert_keys(api, factory, obj):
    """Upsert accepts exactly the fields describe marks idLookup as its external id field."""
    fields = described_fields(api, obj)
    not_lookup = _first(fields, lambda f: not f.idLookup and f.type not in ("id", "reference"))
    assert not_lookup is not None
    with pytest.raises(zeep.exceptions.Fault) as exc:
        api.upsert(not_lookup.name, [factory.build(obj.name, refused=True)])
    assert exc.value.code == "sf:INVALID_FIELD"
    lookup = [f for f in fields.values() if f.idLookup]
    assert [f.name for f in lookup][:1] == ["Id"]
    for f in lookup[1:]:
        if not f.createable or obj.scarce:
            continue
        rec = factory.build(obj.name)
        rec.setdefault(f.name, factory.value(obj.field(f.name)))  # an optional idLookup field
        [r] = api.upsert(f.name, [rec])
        assert r.success and r.created, (f.name, r)


@pytest.mark.parametrize("obj", [o for o in _having(lambda f: f.default is not None
                                                    and f.createable and not f.system)
                                 if o.supports("retrieve") and not o.scarce], ids=object_id)
def test_default_value_per_describe_is_applied(api, factory, obj):
    """A createable field left out of a create reads back as describe's defaultValue."""
    fields = described_fields(api, obj)
    defaulted = [f for f in fields.values() if f.createable and f.defaultValue is not None
                 and not obj.field(f.name).system]
    assert defaulted
    rec = factory.build(obj.name, **{f.name: OMIT for f in defaulted})
    rid = api.create_ok(rec)
    got = api.retrieve_one(obj, rid)
    for f in defaulted:
        assert got[f.name] == default_text(f.defaultValue), f.name

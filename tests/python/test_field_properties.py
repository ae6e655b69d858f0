"""Every field property of every createable object, as the catalog states it, enforced on the wire.

Parametrized over wsdl/catalog.xml (test ids are Object.Field[-operation]). Records come from the
record factory in conftest.py; a field's valid values are derived from its type.
"""
import re
import uuid

import pytest

from conftest import (CATALOG, NOT_WRITABLE_MSG, OMIT, RULED_TEXT, assert_error, assert_ok,
                      fake_id, field_id, object_id, different_value, same_value)

CREATEABLE = [o for o in CATALOG.objects if o.supports("create")]
UPDATEABLE = [o for o in CREATEABLE if o.supports("update")]


def pairs(objects, keep):
    return [(o, f) for o in objects for f in o.fields if keep(o, f)]


def with_ops(objects, keep):
    """(object, field, op) for op in create/update wherever the field can be written that way."""
    out = []
    for o, f in pairs(objects, keep):
        if f.createable:
            out.append((o, f, "create"))
        if f.updateable and o.supports("update"):
            out.append((o, f, "update"))
    return out


# One record per object that the update tests may change (created on first use). For objects
# whose records are rationed (ServiceChannel) it is the factory's shared record.
_victims = {}


def victim(factory, obj):
    if obj.name not in _victims:
        _victims[obj.name] = factory.disposable(obj.name)
    return _victims[obj.name]


def any_value(factory, f):
    """A value of the field's type, valid except perhaps for writability."""
    if f.type == "reference" and not factory.can_make_value(f):
        return fake_id(CATALOG[f.reference_to[0]].key_prefix)
    return factory.value(f)


def write(api, factory, obj, op, values):
    """One create (of a record the test expects to be refused) or one update of the victim."""
    if op == "create":
        rec = factory.build(obj.name, refused=True, **values)
    else:
        rec = dict(values, type=obj.name, Id=victim(factory, obj))
    [r] = api.create([rec]) if op == "create" else api.update([rec])
    return r


# ---------------------------------------------------------------------------------------------
# Create / Update properties
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pair", pairs(CREATEABLE, lambda o, f: not f.createable), ids=field_id)
def test_not_createable_field_refused_on_create(api, factory, pair):
    obj, f = pair
    rec = factory.build(obj.name, refused=True)
    if f.name == "Id":
        rec["Id"] = fake_id(obj.key_prefix)
        [r] = api.create([rec])
        assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call")
        assert r.id is None
        return
    rec[f.name] = any_value(factory, f)
    [r] = api.create([rec])
    assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", NOT_WRITABLE_MSG.format(f.name), [f.name])
    assert r.id is None


@pytest.mark.parametrize(
    "obj", [o for o in CREATEABLE
            if len([f for f in o.fields if not f.createable and f.name != "Id"]) >= 2],
    ids=object_id)
def test_not_createable_fields_listed_together(api, factory, obj):
    bad = [f for f in obj.fields if not f.createable and f.name != "Id"][:2]
    rec = factory.build(obj.name, refused=True)
    for f in bad:
        rec[f.name] = any_value(factory, f)
    [r] = api.create([rec])
    names = [f.name for f in bad]
    assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", NOT_WRITABLE_MSG.format(", ".join(names)),
                 names)


# Every createable field of an object is tried in one create call: one record per field, each
# the object's required fields plus that field with a (non-default) value. Objects whose records
# are rationed use the factory's shared record, which was created with every createable field.
_accepted = {}


def accepted_on_create(api, factory, obj):
    if obj.name not in _accepted:
        if obj.scarce:
            factory.require_owned_shared(obj.name)
            sent, got = factory.sent[obj.name], factory.snapshots[obj.name]
            _accepted[obj.name] = {f.name: (sent.get(f.name, OMIT), None, got)
                                   for f in obj.fields if f.createable}
        else:
            fields = [f for f in obj.fields if f.createable and factory.can_make_value(f)]
            recs = []
            for f in fields:
                rec = factory.build(obj.name)
                rec[f.name] = factory.value(f, "full")
                recs.append(rec)
            results = api.create(recs)
            ids = [r.id for r in results if r.success]
            rows = {row["Id"]: row for row in api.retrieve([x.name for x in obj.fields], obj.name,
                                                           ids)} if ids else {}
            _accepted[obj.name] = {
                f.name: (rec[f.name], r, rows.get(r.id))
                for f, rec, r in zip(fields, recs, results)}
    return _accepted[obj.name]


@pytest.mark.parametrize("pair", pairs(CREATEABLE, lambda o, f: f.createable), ids=field_id)
def test_createable_field_accepted_on_create(api, factory, pair):
    obj, f = pair
    if not factory.can_make_value(f):
        pytest.skip("no %s record can be created through the API to point %s at"
                    % ("/".join(f.reference_to), f.name))
    sent, result, got = accepted_on_create(api, factory, obj)[f.name]
    if result is not None:
        assert_ok(result)
    assert got is not None
    assert sent is not OMIT, "the shared %s record was created without %s" % (obj.name, f.name)
    assert same_value(f, sent, got[f.name]), (f.name, sent, got[f.name])


@pytest.mark.parametrize(
    "pair", pairs(UPDATEABLE, lambda o, f: not f.updateable and f.name != "Id"), ids=field_id)
def test_not_updateable_field_refused_on_update(api, factory, pair):
    obj, f = pair
    rid = victim(factory, obj)
    before = api.retrieve_one(obj, rid)
    [r] = api.update([{"type": obj.name, "Id": rid, f.name: any_value(factory, f)}])
    assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", NOT_WRITABLE_MSG.format(f.name), [f.name])
    assert api.retrieve_one(obj, rid)[f.name] == before[f.name]


@pytest.mark.parametrize("pair", pairs(UPDATEABLE, lambda o, f: f.updateable), ids=field_id)
def test_updateable_field_accepted_on_update(api, factory, pair):
    obj, f = pair
    rid = victim(factory, obj)
    current = api.retrieve_one(obj, rid)[f.name]
    if f is obj.scarce_field:
        new = factory.spare_value(obj)  # free; put back below
    else:
        new = different_value(factory, f, current)
    [r] = api.update([{"type": obj.name, "Id": rid, f.name: new}])
    assert_ok(r)
    assert r.id == rid
    got = api.retrieve_one(obj, rid)[f.name]
    if f is obj.scarce_field:
        assert_ok(api.update([{"type": obj.name, "Id": rid, f.name: current}])[0])
    assert same_value(f, new, got), (f.name, new, got)


# ---------------------------------------------------------------------------------------------
# Required fields
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pair", pairs(CREATEABLE, lambda o, f: f.required), ids=field_id)
def test_required_field_missing(api, factory, pair):
    obj, f = pair
    [r] = api.create([factory.build(obj.name, refused=True, **{f.name: OMIT})])
    assert_error(r, "REQUIRED_FIELD_MISSING", "Required fields are missing: [%s]" % f.name,
                 [f.name])
    assert r.id is None


@pytest.mark.parametrize("obj", [o for o in CREATEABLE if o.required_fields], ids=object_id)
def test_all_required_fields_missing(api, obj):
    [r] = api.create([{"type": obj.name}])
    e = assert_error(r, "REQUIRED_FIELD_MISSING")
    assert sorted(e.fields) == sorted(f.name for f in obj.required_fields)
    assert e.message == "Required fields are missing: [%s]" % ", ".join(e.fields)


@pytest.mark.parametrize("obj", [o for o in CREATEABLE if not o.required_fields], ids=object_id)
def test_no_required_fields_empty_record_accepted(api, obj):
    [r] = api.create([{"type": obj.name}])
    assert_ok(r)


# ---------------------------------------------------------------------------------------------
# fieldsToNull
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pair", pairs(UPDATEABLE, lambda o, f: f.name != "Id"), ids=field_id)
def test_fields_to_null_on_update(api, factory, pair):
    obj, f = pair
    rid = victim(factory, obj)
    if not f.updateable:
        [r] = api.update([{"type": obj.name, "Id": rid, "fieldsToNull": [f.name]}])
        assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", NOT_WRITABLE_MSG.format(f.name),
                     [f.name])
        return
    before = api.retrieve_one(obj, rid)[f.name]
    if not f.nillable:
        [r] = api.update([{"type": obj.name, "Id": rid, "fieldsToNull": [f.name]}])
        assert_error(r, "REQUIRED_FIELD_MISSING", "Required fields are missing: [%s]" % f.name,
                     [f.name])
        assert same_value(f, before, api.retrieve_one(obj, rid)[f.name])
        return
    if before is None and factory.can_make_value(f):
        # Give it a value first, so that nulling is seen.
        assert_ok(api.update([{"type": obj.name, "Id": rid,
                               f.name: different_value(factory, f, None)}])[0])
        assert api.retrieve_one(obj, rid)[f.name] is not None
    [r] = api.update([{"type": obj.name, "Id": rid, "fieldsToNull": [f.name]}])
    assert_ok(r)
    assert api.retrieve_one(obj, rid)[f.name] is None


@pytest.mark.parametrize(
    "pair",
    # A nillable createable field nulled on create makes a record: not for rationed objects.
    pairs(CREATEABLE, lambda o, f: f.name != "Id" and not (o.scarce and f.createable
                                                           and f.nillable)),
    ids=field_id)
def test_fields_to_null_on_create(api, factory, pair):
    obj, f = pair
    if not f.createable:
        rec = factory.build(obj.name, refused=True, fieldsToNull=[f.name])
        [r] = api.create([rec])
        assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", NOT_WRITABLE_MSG.format(f.name),
                     [f.name])
        return
    if not f.nillable:
        rec = factory.build(obj.name, refused=True, fieldsToNull=[f.name], **{f.name: OMIT})
        [r] = api.create([rec])
        assert_error(r, "REQUIRED_FIELD_MISSING", "Required fields are missing: [%s]" % f.name,
                     [f.name])
        return
    rec = factory.build(obj.name, fieldsToNull=[f.name], **{f.name: OMIT})
    [r] = api.create([rec])
    assert_ok(r)
    if not f.defaulted and f.default is None:
        assert api.retrieve_one(obj, r.id)[f.name] is None


# ---------------------------------------------------------------------------------------------
# Restricted picklists
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", with_ops(CREATEABLE, lambda o, f: f.restricted), ids=field_id)
def test_restricted_picklist_refuses_bad_value(api, factory, case):
    obj, f, op = case
    bad = "NoSuch" + uuid.uuid4().hex[:8]
    r = write(api, factory, obj, op, {f.name: bad})
    assert_error(r, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                 "%s: bad value for restricted picklist field: %s" % (f.label, bad), [f.name])


@pytest.mark.parametrize(
    "pair", pairs(CREATEABLE, lambda o, f: f.restricted and (f.createable or f.updateable)),
    ids=field_id)
def test_restricted_picklist_accepts_listed_values(api, factory, pair):
    obj, f = pair
    if f is obj.scarce_field:
        # Only first and last: each value is a record that can never be deleted. (A value another
        # suite holds is shown valid by its DUPLICATE_VALUE; pooled() then names that record.)
        for value in (f.values[0], f.values[-1]):
            rid = factory.pooled(obj.name, value)
            assert api.retrieve_one(obj, rid)[f.name] == value
        return
    if f.createable and not obj.scarce:
        recs = [factory.build(obj.name, **{f.name: v}) for v in f.values]
        results = api.create(recs)
        for v, r in zip(f.values, results):
            assert r.success, "%s=%s refused: %s" % (f.name, v, r.errors)
        rows = api.retrieve(["Id", f.name], obj.name, [r.id for r in results])
        assert [row[f.name] for row in rows] == f.values
    if f.updateable and obj.supports("update"):
        # Through update as well; on a rationed object (no new records) every value this way.
        rid = victim(factory, obj)
        for v in (f.values if obj.scarce else (f.values[-1], f.values[0])):
            assert_ok(api.update([{"type": obj.name, "Id": rid, f.name: v}])[0])
            assert api.retrieve_one(obj, rid)[f.name] == v


# ---------------------------------------------------------------------------------------------
# Unique
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", with_ops(CREATEABLE, lambda o, f: f.unique), ids=field_id)
def test_unique_field_duplicate_value(api, factory, case):
    obj, f, op = case
    existing = factory.shared(obj.name)
    value = api.retrieve_one(obj, existing)[f.name]
    assert value is not None
    if op == "create":
        [r] = api.create([factory.build(obj.name, refused=True, **{f.name: value})])
    else:
        # Another record of the object takes the existing record's value.
        if f is obj.scarce_field:
            other = factory.pooled(obj.name, f.values[-1])
            if other == existing:  # a long-lived server, where the shared record is that one
                other = factory.pooled(obj.name, f.values[0])
        else:
            other = victim(factory, obj)
        assert other != existing
        [r] = api.update([{"type": obj.name, "Id": other, f.name: value}])
    assert_error(r, "DUPLICATE_VALUE",
                 "duplicate value found: %s duplicates value on record with id: %s"
                 % (f.name, existing), [f.name])


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------

def _wrong_object(f):
    for o in CREATEABLE:
        if o.name not in f.reference_to:
            return o
    raise AssertionError("every createable object is a target of %s" % f.name)


REFERENCE_CASES = [c + (kind,) for c in with_ops(CREATEABLE, lambda o, f: f.type == "reference")
                   for kind in ("wrong-object", "missing", "malformed")]


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=field_id)
def test_reference_field_refuses_bad_ids(api, factory, case):
    obj, f, op, kind = case
    if kind == "wrong-object":
        bad = factory.shared(_wrong_object(f).name)
        r = write(api, factory, obj, op, {f.name: bad})
        assert_error(r, "INVALID_CROSS_REFERENCE_KEY",
                     "%s: id value of incorrect type: %s" % (f.label, bad), [f.name])
    elif kind == "missing":
        bad = fake_id(CATALOG[f.reference_to[0]].key_prefix)
        r = write(api, factory, obj, op, {f.name: bad})
        assert_error(r, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    else:
        bad = "notAnId" + uuid.uuid4().hex[:4]
        r = write(api, factory, obj, op, {f.name: bad})
        assert_error(r, "MALFORMED_ID", "%s: id value of incorrect type: %s" % (f.label, bad),
                     [f.name])


# ---------------------------------------------------------------------------------------------
# Defaults and auto-numbers
# ---------------------------------------------------------------------------------------------

_minimal = {}


def minimal_record(api, factory, obj):
    """(values sent, record read back right after create) of a record with only required fields
    (the shared record for rationed objects)."""
    if obj.name not in _minimal:
        if obj.scarce:
            factory.require_owned_shared(obj.name)
            _minimal[obj.name] = (factory.sent[obj.name], factory.snapshots[obj.name])
        else:
            rec = factory.build(obj.name)
            rid = api.create_ok(rec)
            _minimal[obj.name] = (rec, api.retrieve_one(obj, rid))
    return _minimal[obj.name]


@pytest.mark.parametrize(
    "pair", pairs(CREATEABLE, lambda o, f: f.defaulted or f.default is not None), ids=field_id)
def test_defaulted_field_filled_on_create(api, factory, pair):
    obj, f = pair
    sent, got = minimal_record(api, factory, obj)
    value = got[f.name]
    if f.name in sent:
        assert same_value(f, sent[f.name], value)
        return
    assert value not in (None, ""), "%s.%s was not filled on create" % (obj.name, f.name)
    if f.default is not None:
        assert same_value(f, f.default, value), (f.default, value)
    if f.type == "reference" and "User" in f.reference_to:
        # Owner and audit references default to the caller.
        assert value == api.user_id


def _auto_number_regex(fmt):
    m = re.fullmatch(r"(.*)\{(0+)\}(.*)", fmt or "{0}")
    return re.compile(re.escape(m.group(1)) + r"(\d{%d,})" % len(m.group(2)) +
                      re.escape(m.group(3)) + "$")


@pytest.mark.parametrize("pair", pairs(CREATEABLE, lambda o, f: f.autonumber), ids=field_id)
def test_autonumber_increases(api, factory, pair):
    obj, f = pair
    regex = _auto_number_regex(f.auto_number_format)
    results = api.create([factory.build(obj.name), factory.build(obj.name)])
    results += api.create([factory.build(obj.name)])
    for r in results:
        assert_ok(r)
    rows = api.retrieve(["Id", f.name], obj.name, [r.id for r in results])
    numbers = []
    for row in rows:
        m = regex.match(row[f.name] or "")
        assert m, "%s=%r does not match %s" % (f.name, row[f.name], f.auto_number_format)
        numbers.append(int(m.group(1)))
    assert numbers[0] < numbers[1] < numbers[2], numbers


# ---------------------------------------------------------------------------------------------
# Lengths
# ---------------------------------------------------------------------------------------------

def _text_with_length(f, n):
    if (f.owner, f.name) in RULED_TEXT:
        return RULED_TEXT[(f.owner, f.name)](n)
    if f.type == "email":
        local = ("u" + uuid.uuid4().hex)[: n - 6]
        return local + "x" * (n - 6 - len(local)) + "@x.com"
    text = ("L" + uuid.uuid4().hex)[:n]
    return text + "y" * (n - len(text))


def _length_limited(o, f):
    return f.is_text and f.length > 0 and not f.restricted


@pytest.mark.parametrize("case", with_ops(CREATEABLE, _length_limited), ids=field_id)
def test_string_too_long(api, factory, case):
    obj, f, op = case
    value = _text_with_length(f, f.length + 1)
    r = write(api, factory, obj, op, {f.name: value})
    assert_error(r, "STRING_TOO_LONG", fields=[f.name],
                 message_startswith="%s: data value too large: " % f.label)


@pytest.mark.parametrize(
    "pair", pairs(CREATEABLE, lambda o, f: _length_limited(o, f) and (
        (f.updateable and o.supports("update")) or (f.createable and not o.scarce))),
    ids=field_id)
def test_string_of_max_length_accepted(api, factory, pair):
    obj, f = pair
    value = _text_with_length(f, f.length)
    if f.updateable and obj.supports("update"):
        rid = victim(factory, obj)
        assert_ok(api.update([{"type": obj.name, "Id": rid, f.name: value}])[0])
    else:
        rid = api.create_ok(factory.build(obj.name, **{f.name: value}))
    assert api.retrieve_one(obj, rid)[f.name] == value

"""Every call on every catalog object: works end to end where the catalog lists the call, is
refused with Salesforce's status code and message where it does not.

Parametrized over wsdl/catalog.xml; nothing here names an object except the one usage rule the
catalog cannot express (which AgentWork records may be deleted).
"""
import datetime

import pytest
import zeep

from conftest import (CATALOG, assert_error, assert_ok, fake_id, is_valid_id, object_id,
                      parse_datetime, different_value, same_value)

OBJECTS = CATALOG.objects

# Usage rules outside the catalog: an object whose records may only be deleted while a field
# holds one of these values (Omni-Channel guide, AgentWork "Usage"). Nothing in the API can put
# a new AgentWork into such a status (Status is neither createable nor updateable), so a fresh
# AgentWork is never deletable through the API.
DELETE_ONLY_WHEN = {"AgentWork": ("Status", {"Closed", "Declined", "Unavailable"})}

CLOCK_SKEW = datetime.timedelta(minutes=5)


def _deletable(obj, record):
    rule = DELETE_ONLY_WHEN.get(obj.name)
    return rule is None or record.get(rule[0]) in rule[1]


def _first_updateable(obj):
    """The first updateable custom (non-system) field, preferring ones that are not Unique."""
    fields = [f for f in obj.fields if f.updateable and not f.system]
    fields.sort(key=lambda f: f.unique)
    return fields[0] if fields else None


# ---------------------------------------------------------------------------------------------
# create
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_create(api, factory, obj):
    if not obj.supports("create"):
        [r] = api.create([factory.build(obj.name, refused=True)])
        assert_error(r, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                     "entity type cannot be inserted: " + obj.label)
        assert r.id is None
        return
    before = datetime.datetime.now(datetime.timezone.utc)
    rec, r = factory.insert(obj.name)
    assert_ok(r)
    assert is_valid_id(r.id, obj.key_prefix), r.id

    got = api.retrieve_one(obj, r.id)
    assert got is not None, "a record just created is not retrievable"
    assert got["type"] == obj.name
    assert got["Id"] == r.id
    assert got["IsDeleted"] == "false"
    assert got["CreatedById"] == api.user_id
    assert got["LastModifiedById"] == api.user_id
    created = parse_datetime(got["CreatedDate"])
    assert abs(created - before) < CLOCK_SKEW, (created, before)
    assert got["LastModifiedDate"] == got["CreatedDate"]
    assert got["SystemModstamp"] == got["CreatedDate"]
    for name, sent in rec.items():
        if name == "type":
            continue
        f = obj.field(name)
        assert same_value(f, sent, got[f.name]), (f.name, sent, got[f.name])
    for f in obj.fields:
        if f.system or f.name in rec:
            continue
        if f.default is not None:
            assert same_value(f, f.default, got[f.name]), (f.name, f.default, got[f.name])
        elif f.defaulted:
            assert got[f.name] not in (None, ""), "%s is DefaultedOnCreate but empty" % f.name
        elif f.createable and f.nillable:
            assert got[f.name] is None, (f.name, got[f.name])


# ---------------------------------------------------------------------------------------------
# retrieve
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_retrieve(api, factory, obj):
    missing = fake_id(obj.key_prefix)
    if not obj.supports("retrieve"):
        with pytest.raises(zeep.exceptions.Fault) as exc:
            api.retrieve("Id", obj.name, [missing])
        assert exc.value.code == "sf:INVALID_TYPE_FOR_OPERATION"
        return
    if not obj.supports("create"):
        # Nothing of this type can be made through the API: a well-formed id finds nothing.
        assert api.retrieve("Id", obj.name, [missing, missing[:15]]) == [None, None]
        return
    rid = factory.shared(obj.name)
    names = [f.name for f in obj.fields]
    got = api.retrieve(names, obj.name, [rid, missing, rid[:15]])
    assert len(got) == 3
    assert got[1] is None
    for rec in (got[0], got[2]):
        assert rec is not None
        assert rec["Id"] == rid
        assert set(names) <= set(rec), set(names) - set(rec)
    assert got[0] == got[2]
    # Only the fields asked for (and the type) come back.
    [one] = api.retrieve("Id, CreatedDate", obj.name, [rid])
    assert set(one) == {"type", "Id", "CreatedDate"}


# ---------------------------------------------------------------------------------------------
# update
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_update(api, factory, obj):
    if not obj.supports("update"):
        rid = factory.disposable(obj.name) if obj.supports("create") else fake_id(obj.key_prefix)
        [r] = api.update([{"type": obj.name, "Id": rid}])
        assert_error(r, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                     "entity type cannot be updated: " + obj.label)
        return
    if not obj.supports("create"):
        [r] = api.update([{"type": obj.name, "Id": fake_id(obj.key_prefix)}])
        assert_error(r, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        return
    rid = factory.disposable(obj.name)
    before = api.retrieve_one(obj, rid)
    f = _first_updateable(obj)
    change = {"type": obj.name, "Id": rid}
    if f is not None:
        change[f.name] = different_value(factory, f, before[f.name])
    [r] = api.update([change])
    assert_ok(r)
    assert r.id == rid
    after = api.retrieve_one(obj, rid)
    if f is not None:
        assert same_value(f, change[f.name], after[f.name]), (f.name, change[f.name], after)
    assert after["LastModifiedById"] == api.user_id
    assert parse_datetime(after["LastModifiedDate"]) >= parse_datetime(before["LastModifiedDate"])
    assert parse_datetime(after["SystemModstamp"]) >= parse_datetime(before["SystemModstamp"])
    assert after["CreatedDate"] == before["CreatedDate"]
    assert after["CreatedById"] == before["CreatedById"]
    # A well-formed id that names no record.
    [r] = api.update([{"type": obj.name, "Id": fake_id(obj.key_prefix)}])
    assert_error(r, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")


# ---------------------------------------------------------------------------------------------
# upsert
# ---------------------------------------------------------------------------------------------

def _id_lookup_fields(obj):
    return [f for f in obj.fields if f.id_lookup and f.name != "Id"]


@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_upsert(api, factory, obj):
    if not obj.supports("upsert"):
        [r] = api.upsert("Id", [factory.build(obj.name, refused=True)])
        assert_error(r, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                     "entity type cannot be upserted: " + obj.label)
        assert not r.created
        return
    # By Id: no Id inserts, an Id updates.
    rec, r = factory.insert(obj.name, send=lambda rec: api.upsert("Id", [rec])[0])
    assert_ok(r)
    assert r.created is True
    assert is_valid_id(r.id, obj.key_prefix)
    rid = r.id
    got = api.retrieve_one(obj, rid)
    assert got is not None
    f = _first_updateable(obj)
    change = {"type": obj.name, "Id": rid}
    if f is not None:
        change[f.name] = different_value(factory, f, got[f.name])
    [r] = api.upsert("Id", [change])
    assert_ok(r)
    assert r.created is False
    assert r.id == rid
    if f is not None:
        assert same_value(f, change[f.name], api.retrieve_one(obj, rid)[f.name])
    # By every idLookup field: an existing value updates that record; a new one inserts.
    for lf in _id_lookup_fields(obj):
        current = api.retrieve_one(obj, rid)[lf.name]
        # A nillable idLookup field the record leaves empty (LiveChatTranscript.ChatKey) has no
        # value to match by.
        if current is not None:
            [r] = api.upsert(lf.name, [{"type": obj.name, lf.name: current}])
            assert_ok(r)
            assert (r.created, r.id) == (False, rid), lf.name
        if lf.createable and not obj.scarce:
            new = factory.build(obj.name)
            new.setdefault(lf.name, factory.value(lf))  # an optional idLookup field too
            [r] = api.upsert(lf.name, [new])
            assert_ok(r)
            assert r.created is True and r.id != rid
            assert same_value(lf, new[lf.name], api.retrieve_one(obj, r.id)[lf.name])


# ---------------------------------------------------------------------------------------------
# delete
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_delete(api, factory, obj):
    if not obj.supports("delete"):
        rid = factory.shared(obj.name) if obj.supports("create") else fake_id(obj.key_prefix)
        [r] = api.delete([rid])
        assert_error(r, "INVALID_TYPE_FOR_OPERATION", "entity type cannot be deleted: " + obj.label)
        if obj.supports("create"):
            assert api.retrieve("Id", obj.name, [rid])[0] is not None, "refused, yet deleted"
        return
    missing = fake_id(obj.key_prefix)
    [r] = api.delete([missing])
    assert_error(r, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if not obj.supports("create"):
        return
    rid = factory.disposable(obj.name)
    record = api.retrieve_one(obj, rid)
    [r] = api.delete([rid])
    if not _deletable(obj, record):
        # A usage rule refuses it (a fresh AgentWork is Assigned); the message is the server's own.
        assert_error(r, "DELETE_FAILED")
        assert api.retrieve("Id", obj.name, [rid])[0] is not None, "refused, yet deleted"
        return
    assert_ok(r)
    assert r.id == rid
    assert api.retrieve("Id", obj.name, [rid]) == [None]
    [r] = api.delete([rid])
    assert_error(r, "ENTITY_IS_DELETED", "entity is deleted")
    if obj.supports("update"):
        [r] = api.update([{"type": obj.name, "Id": rid}])
        assert_error(r, "ENTITY_IS_DELETED", "entity is deleted")
    if obj.supports("undelete"):
        [r] = api.undelete([rid])
        assert_ok(r)
        back = api.retrieve_one(obj, rid)
        assert back is not None and back["IsDeleted"] == "false"


# ---------------------------------------------------------------------------------------------
# undelete
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_undelete(api, factory, obj):
    refused = ("INVALID_TYPE_FOR_OPERATION", "entity type cannot be undeleted: " + obj.label)
    if not obj.supports("create"):
        [r] = api.undelete([fake_id(obj.key_prefix)])
        if obj.supports("undelete"):
            assert_error(r, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        else:
            assert_error(r, *refused)
        return
    if not obj.supports("undelete"):
        rid = factory.disposable(obj.name)
        deleted = False
        if obj.supports("delete") and _deletable(obj, api.retrieve_one(obj, rid)):
            assert_ok(api.delete([rid])[0])
            deleted = True
        [r] = api.undelete([rid])
        assert_error(r, *refused)
        # The refusal leaves the record as it was.
        assert (api.retrieve("Id", obj.name, [rid])[0] is None) == deleted
        return
    rid = factory.disposable(obj.name)
    [r] = api.undelete([rid])
    assert_error(r, "UNDELETE_FAILED", "Entity is not in the recycle bin")
    [r] = api.undelete([fake_id(obj.key_prefix)])
    assert_error(r, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if not (obj.supports("delete") and _deletable(obj, api.retrieve_one(obj, rid))):
        return
    before = api.retrieve_one(obj, rid)
    assert_ok(api.delete([rid])[0])
    assert api.retrieve("Id", obj.name, [rid]) == [None]
    [r] = api.undelete([rid])
    assert_ok(r)
    assert r.id == rid
    after = api.retrieve_one(obj, rid)
    assert after is not None
    assert after["IsDeleted"] == "false"
    # Undelete restores the record as it was, field for field (audit fields aside).
    for f in obj.fields:
        if f.name in ("IsDeleted", "LastModifiedDate", "LastModifiedById", "SystemModstamp"):
            continue
        assert same_value(f, before[f.name], after[f.name]), f.name

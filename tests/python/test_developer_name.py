"""DeveloperName on every catalog object that has one (issue 7 item 4), through the real server.

Salesforce generates a DeveloperName from the record's name field (MasterLabel, or Group's Name)
when a create leaves it out, numbering it on a clash; it refuses, per record, one that breaks the
guide's rules ("can contain only underscores and alphanumeric characters ... must begin with a
letter, not include spaces, not end with an underscore, and not contain two consecutive
underscores") with FIELD_INTEGRITY_EXCEPTION, and one another record of the object already holds
(whatever the case) with DUPLICATE_DEVELOPER_NAME, on create and on update. The objects come from
wsdl/catalog.xml: every object with a DeveloperName field and a name field.
"""
import uuid
import xml.etree.ElementTree as ET

import pytest
import zeep

from conftest import (CATALOG, CATALOG_PATH, ENTERPRISE_SOBJECT_NS, OMIT, assert_error, assert_ok,
                      body_result, describe_errors, object_id)

INVALID_MSG = ("The {} field can only contain underscores and alphanumeric characters. It must be "
               "unique, begin with a letter, not include spaces, not end with an underscore, and "
               "not contain two consecutive underscores.")
DUPLICATE_MSG = "Developer name already exists for {} records. Please choose a different name."


def _developer_name_objects():
    """(object name, object label, DeveloperName label, name field) from the catalog."""
    out = []
    for o in ET.parse(CATALOG_PATH).getroot().findall("object"):
        fields = {f.get("name"): f for f in o.findall("field")}
        dev = fields.get("DeveloperName")
        name_field = next((f.get("name") for f in o.findall("field")
                           if f.get("nameField") == "true"), None)
        if dev is None or name_field is None or "create" not in o.get("calls", "").split():
            continue
        out.append((o.get("name"), o.get("label", o.get("name")), dev.get("label"), name_field))
    return out


DEV_OBJECTS = _developer_name_objects()
DEV_IDS = [o[0] for o in DEV_OBJECTS]
# Objects whose records are rationed (a Unique restricted picklist, never deleted: ServiceChannel)
# get one stored record here; every other record of theirs is one the server must refuse, built
# with the factory's spare value. The tests that need several stored records run on the others.
PLENTIFUL = [o for o in DEV_OBJECTS if not CATALOG[o[0]].scarce]
PLENTIFUL_IDS = [o[0] for o in PLENTIFUL]


def test_the_catalog_has_developer_name_objects():
    # The six Omni metadata objects and Group, as catalog.xml has them today.
    assert len(DEV_OBJECTS) >= 7, DEV_OBJECTS


def tag():
    """Unique, starts with a letter."""
    return "t" + uuid.uuid4().hex[:10]


def dev_name_of(api, obj_name, record_id):
    return api.retrieve("Id, DeveloperName", obj_name, [record_id])[0]["DeveloperName"]


def create(api, factory, obj_name, **overrides):
    return api.create([factory.build(obj_name, **overrides)])[0]


def refused(api, factory, obj_name, **overrides):
    """Sends a record the server must refuse (a rationed value is the spare)."""
    return api.create([factory.build(obj_name, refused=True, **overrides)])[0]


@pytest.mark.parametrize("obj", DEV_OBJECTS, ids=DEV_IDS)
def test_missing_developer_name_is_generated_from_the_label(api, factory, obj):
    """Then the generated name is taken: a create naming it (any case) and an update of
    another record to it are refused, and so is an update of this record to a bad name."""
    name, label, dev_label, label_field = obj
    t = tag()
    _, r = factory.insert(name, DeveloperName=OMIT, **{label_field: "My Label " + t})
    assert_ok(r)
    assert dev_name_of(api, name, r.id) == "My_Label_" + t
    dup = refused(api, factory, name, DeveloperName="my_label_" + t)
    assert_error(dup, "DUPLICATE_DEVELOPER_NAME", DUPLICATE_MSG.format(label), ["DeveloperName"])
    other = factory.shared(name)
    upd = api.update([{"type": name, "Id": other, "DeveloperName": "MY_LABEL_" + t}])[0]
    assert_error(upd, "DUPLICATE_DEVELOPER_NAME", DUPLICATE_MSG.format(label), ["DeveloperName"])
    upd = api.update([{"type": name, "Id": r.id, "DeveloperName": "My__Label"}])[0]
    assert_error(upd, "FIELD_INTEGRITY_EXCEPTION", INVALID_MSG.format(dev_label),
                 ["DeveloperName"])


@pytest.mark.parametrize("obj", PLENTIFUL, ids=PLENTIFUL_IDS)
def test_generated_name_is_numbered_on_a_clash(api, factory, obj):
    """The first record takes the bare name; later ones (in this call or earlier ones, and
    against an explicit name of another case) take the smallest free number."""
    name, _, _, label_field = obj
    t = tag()
    label = {label_field: "Clash " + t}
    first = create(api, factory, name, DeveloperName=OMIT, **label)
    assert_ok(first)
    rs = api.create([factory.build(name, DeveloperName=OMIT, **label),
                     factory.build(name, DeveloperName=OMIT, **label)])
    for r in rs:
        assert_ok(r)
    names = [dev_name_of(api, name, r.id) for r in [first] + rs]
    assert names == ["Clash_" + t, "Clash_%s1" % t, "Clash_%s2" % t]
    # A name held with another case counts as taken.
    upper = create(api, factory, name, DeveloperName="CLASH_%s3" % t.upper(),
                   **{label_field: "other"})
    assert_ok(upper)
    r = create(api, factory, name, DeveloperName=OMIT, **label)
    assert_ok(r)
    assert dev_name_of(api, name, r.id) == "Clash_%s4" % t


@pytest.mark.parametrize("label, expected", [
    ("  Chat -- Sales: (EMEA)! ", "Chat_Sales_EMEA"),
    ("3rd line", "X3rd_line"),
    ("__a__b__", "a_b"),
    ("\u00dcn\u00efcode fa\u00e7ade", "n_code_fa_ade"),
    ("!!! ---", ""),
])
def test_generated_name_follows_the_rules(api, factory, label, expected):
    """Each run of other characters (spaces, punctuation, letters outside ASCII) becomes one
    underscore, none leads or trails, and a name that would start with a digit starts with X."""
    name, _, _, label_field = PLENTIFUL[0]
    t = tag()
    r = create(api, factory, name, DeveloperName=OMIT, **{label_field: label + " " + t})
    assert_ok(r)
    assert dev_name_of(api, name, r.id) == (expected + "_" + t if expected else t)


def test_generated_name_is_cut_to_the_field_length(api, factory):
    name, _, _, label_field = PLENTIFUL[0]
    label = "1" * 80
    # 96 characters, the DeveloperName holds 80. A label whose 80th character is "1" would make
    # the clash's "<79 characters>1" the first name itself (then "...2" is right): not this test.
    while label[79] == "1":
        label = ("L" + tag()) * 8
    first = create(api, factory, name, DeveloperName=OMIT, **{label_field: label[:80]})
    second = create(api, factory, name, DeveloperName=OMIT, **{label_field: label[:80]})
    assert_ok(first)
    assert_ok(second)
    assert dev_name_of(api, name, first.id) == label[:80]
    assert dev_name_of(api, name, second.id) == label[:79] + "1"


BAD_NAMES = ["1abc", "_abc", "abc_", "ab__c", "ab c", "ab-c", "caf\u00e9", "a.b"]


@pytest.mark.parametrize("obj", DEV_OBJECTS, ids=DEV_IDS)
@pytest.mark.parametrize("bad", BAD_NAMES)
def test_invalid_developer_name_is_refused_on_create(api, factory, obj, bad):
    name, _, dev_label, _ = obj
    r = refused(api, factory, name, DeveloperName=bad)
    assert_error(r, "FIELD_INTEGRITY_EXCEPTION", INVALID_MSG.format(dev_label), ["DeveloperName"])


@pytest.mark.parametrize("obj", PLENTIFUL, ids=PLENTIFUL_IDS)
def test_valid_names_are_accepted(api, factory, obj):
    name = obj[0]
    t = tag()
    for good in ["a" + t, "A_1_b" + t, "Z9" + t]:
        assert_ok(create(api, factory, name, DeveloperName=good))


@pytest.mark.parametrize("obj", PLENTIFUL, ids=PLENTIFUL_IDS)
def test_duplicate_developer_name_is_refused_per_record(api, factory, obj):
    name, label, _, _ = obj
    dn = "Dup_" + tag()
    assert_ok(create(api, factory, name, DeveloperName=dn))
    # Same name, and the same name in another case; the good record of the call is stored.
    good = "Good_" + tag()
    rs = api.create([factory.build(name, DeveloperName=dn),
                     factory.build(name, DeveloperName=dn.upper()),
                     factory.build(name, DeveloperName=good)])
    for r in rs[:2]:
        assert_error(r, "DUPLICATE_DEVELOPER_NAME", DUPLICATE_MSG.format(label), ["DeveloperName"])
    assert_ok(rs[2])
    assert dev_name_of(api, name, rs[2].id) == good
    # A single-record call gets the same per-record answer.
    assert_error(create(api, factory, name, DeveloperName=dn), "DUPLICATE_DEVELOPER_NAME",
                 DUPLICATE_MSG.format(label), ["DeveloperName"])


DELETABLE = [o for o in PLENTIFUL if CATALOG[o[0]].supports("delete")]


@pytest.mark.parametrize("obj", DELETABLE, ids=[o[0] for o in DELETABLE])
def test_duplicate_of_a_deleted_record_is_refused(api, factory, obj):
    """The recycle bin keeps a DeveloperName reserved, as it does unique values."""
    name, label, _, _ = obj
    dn = "Gone_" + tag()
    r = create(api, factory, name, DeveloperName=dn)
    assert_ok(r)
    assert_ok(api.delete([r.id])[0])
    assert_error(create(api, factory, name, DeveloperName=dn), "DUPLICATE_DEVELOPER_NAME",
                 DUPLICATE_MSG.format(label), ["DeveloperName"])


@pytest.mark.parametrize("obj", PLENTIFUL, ids=PLENTIFUL_IDS)
def test_update_to_a_taken_or_invalid_name_is_refused(api, factory, obj):
    name, label, dev_label, _ = obj
    taken = "Taken_" + tag()
    assert_ok(create(api, factory, name, DeveloperName=taken))
    r = create(api, factory, name, DeveloperName="Mine_" + tag())
    assert_ok(r)
    upd = api.update([{"type": name, "Id": r.id, "DeveloperName": taken.lower()}])[0]
    assert_error(upd, "DUPLICATE_DEVELOPER_NAME", DUPLICATE_MSG.format(label), ["DeveloperName"])
    upd = api.update([{"type": name, "Id": r.id, "DeveloperName": "bad__name"}])[0]
    assert_error(upd, "FIELD_INTEGRITY_EXCEPTION", INVALID_MSG.format(dev_label),
                 ["DeveloperName"])
    # Renaming to a free name, or to its own name in another case, works.
    own = dev_name_of(api, name, r.id)
    assert_ok(api.update([{"type": name, "Id": r.id, "DeveloperName": own.upper()}])[0])
    fresh = "Fresh_" + tag()
    assert_ok(api.update([{"type": name, "Id": r.id, "DeveloperName": fresh}])[0])
    assert dev_name_of(api, name, r.id) == fresh
    # The old name is free again.
    assert_ok(create(api, factory, name, DeveloperName=own))


LABEL_REQUIRED = [o for o in DEV_OBJECTS if CATALOG[o[0]].field(o[3]).required]


@pytest.mark.parametrize("obj", LABEL_REQUIRED, ids=[o[0] for o in LABEL_REQUIRED])
def test_missing_label_is_still_required(api, factory, obj):
    """Without a name field value nothing can be generated: the name field is what is missing
    (for objects whose name field is required)."""
    name, _, _, label_field = obj
    r = refused(api, factory, name, DeveloperName=OMIT, **{label_field: OMIT})
    assert_error(r, "REQUIRED_FIELD_MISSING", "Required fields are missing: [%s]" % label_field,
                 [label_field])


# --------------------------------------------------------------------------------------------
# The enterprise API: the same rules, through the enterprise WSDL the server serves
# --------------------------------------------------------------------------------------------

def _enterprise_create(enterprise, client, obj_name, **fields):
    svc, headers, _ = enterprise
    so = client.get_type("{%s}%s" % (ENTERPRISE_SOBJECT_NS, obj_name))(**fields)
    return list(body_result(svc.create([so], _soapheaders=headers)))[0]


def _enterprise_record(factory, obj_name, **overrides):
    rec = factory.build(obj_name, **overrides)
    rec.pop("type")
    return rec


@pytest.mark.parametrize("obj", PLENTIFUL, ids=PLENTIFUL_IDS)
def test_enterprise_generates_and_refuses(api, factory, enterprise, our_enterprise_client, obj):
    name, label, dev_label, label_field = obj
    t = tag()
    rec = _enterprise_record(factory, name, DeveloperName=OMIT, **{label_field: "Ent " + t})
    r = _enterprise_create(enterprise, our_enterprise_client, name, **rec)
    assert r.success, describe_errors(r)
    assert dev_name_of(api, name, r.id) == "Ent_" + t
    r = _enterprise_create(enterprise, our_enterprise_client, name,
                           **dict(rec, DeveloperName="ENT_" + t))
    assert_error(r, "DUPLICATE_DEVELOPER_NAME", DUPLICATE_MSG.format(label), ["DeveloperName"])
    r = _enterprise_create(enterprise, our_enterprise_client, name,
                           **dict(rec, DeveloperName="Ent_" + t + "_"))
    assert_error(r, "FIELD_INTEGRITY_EXCEPTION", INVALID_MSG.format(dev_label), ["DeveloperName"])

"""Shared fixtures for the zeep suites: the server, SOAP clients, the catalog and a record factory.

The server under test is given by OMNI_URL (CTest starts a fresh one per run, shared by every test
of the run), the checkout by OMNI_SOURCE_DIR. Salesforce's own partner WSDL is read from the
shared/ folder beside the checkout (OMNI_SOURCE_DIR/../shared), because the point of these tests
is that a client nobody here wrote, generated from Salesforce's WSDL, works against the emulator.

Everything object- or field-specific is derived from wsdl/catalog.xml: the tests are parametrized
over the catalog, and the record factory builds a valid record of any object by walking it.
"""
import datetime
import os
import random
import re
import string
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field as dc_field
from typing import Dict, List, Optional

import pytest
import requests
import zeep
from lxml import etree

OMNI_URL = os.environ.get("OMNI_URL", "http://localhost:18044").rstrip("/")
SOURCE_DIR = os.path.abspath(
    os.environ.get("OMNI_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")))
SHARED_DIR = os.path.join(SOURCE_DIR, "..", "shared")
SF_PARTNER_WSDL = os.path.join(SHARED_DIR, "reference", "wsdl", "salesforce-partner-v44.wsdl")
CATALOG_PATH = os.path.join(SOURCE_DIR, "wsdl", "catalog.xml")
API = "44.0"
ADMIN_USER = "admin@omni.local"
ADMIN_PASSWORD = "password"

PARTNER_NS = "urn:partner.soap.sforce.com"
PARTNER_SOBJECT_NS = "urn:sobject.partner.soap.sforce.com"
ENTERPRISE_NS = "urn:enterprise.soap.sforce.com"
ENTERPRISE_SOBJECT_NS = "urn:sobject.enterprise.soap.sforce.com"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Exact texts the API uses (Salesforce's wording; see the wire notes in shared/reference).
NOT_WRITABLE_MSG = ("Unable to create/update fields: {}. Please check the security settings of "
                    "this field and verify that it is read/write for your profile or permission "
                    "set.")
ROLLED_BACK_MSG = ("Record rolled back because not all records were valid and the request was "
                   "using AllOrNone header")
NO_SUCH_COLUMN_MSG = ("No such column '{}' on entity '{}'. If you are attempting to use a custom "
                      "field, be sure to append the '__c' after the custom field name. Please "
                      "reference your WSDL or the describe call for the appropriate names.")


# --------------------------------------------------------------------------------------------
# The catalog
# --------------------------------------------------------------------------------------------

TEXT_TYPES = {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
              "combobox", "encryptedstring"}


@dataclass
class Field:
    name: str
    label: str
    type: str
    props: frozenset
    length: int = 0
    values: List[str] = dc_field(default_factory=list)
    default: Optional[str] = None
    reference_to: List[str] = dc_field(default_factory=list)
    auto_number_format: Optional[str] = None
    precision: int = 0
    scale: int = 0
    system: bool = False
    owner: str = ""  # the object declaring the field ("" for the system fields)

    @property
    def createable(self):
        return "Create" in self.props

    @property
    def updateable(self):
        return "Update" in self.props

    @property
    def nillable(self):
        return "Nillable" in self.props

    @property
    def defaulted(self):
        # Booleans are always defaulted on create (CATALOG-DECISIONS D18).
        return "DefaultedOnCreate" in self.props or self.type == "boolean"

    @property
    def required(self):
        """Must be given on create: createable, not nillable, not defaulted, not boolean."""
        return self.createable and not self.nillable and not self.defaulted

    @property
    def restricted(self):
        return "RestrictedPicklist" in self.props

    @property
    def unique(self):
        return "Unique" in self.props

    @property
    def autonumber(self):
        return "Autonumber" in self.props

    @property
    def id_lookup(self):
        return "IdLookup" in self.props

    @property
    def is_text(self):
        return self.type in TEXT_TYPES

    def __repr__(self):
        return "Field(%s)" % self.name


@dataclass
class SObjectDef:
    name: str
    label: str
    key_prefix: str
    calls: frozenset
    fields: List[Field]
    supporting: bool = False

    def supports(self, call):
        return call in self.calls

    def field(self, name):
        for f in self.fields:
            if f.name.lower() == name.lower():
                return f
        raise KeyError(name)

    @property
    def required_fields(self):
        return [f for f in self.fields if f.required]

    @property
    def scarce_field(self):
        """A Unique field whose values come from a fixed (restricted) picklist: only that many
        records of the object can ever exist (ServiceChannel.RelatedEntity)."""
        for f in self.fields:
            if f.unique and f.restricted and f.values:
                return f
        return None

    @property
    def scarce(self):
        return self.scarce_field is not None

    def __repr__(self):
        return "SObjectDef(%s)" % self.name


class Catalog:
    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.api_version = root.get("apiVersion")
        system = [self._field(n, True) for n in root.find("systemFields").findall("field")]
        self.objects: List[SObjectDef] = []
        for o in root.findall("object"):
            own = [self._field(n, False, o.get("name")) for n in o.findall("field")]
            names = {f.name for f in own}
            fields = [f for f in system if f.name not in names] + own
            self.objects.append(SObjectDef(
                name=o.get("name"), label=o.get("label", o.get("name")),
                key_prefix=o.get("keyPrefix"), calls=frozenset((o.get("calls") or "").split()),
                fields=fields, supporting=o.get("supporting") == "true"))
        self._by_name = {o.name.lower(): o for o in self.objects}

    @staticmethod
    def _field(n, system, owner=""):
        ftype = n.get("type")
        length = int(n.get("length", "0"))
        if ftype in ("id", "reference") and not length:
            length = 18
        return Field(
            name=n.get("name"), label=n.get("label", n.get("name")), type=ftype,
            props=frozenset((n.get("properties") or "").split()), length=length,
            values=[v.text for v in n.findall("value")], default=n.get("default"),
            reference_to=(n.get("referenceTo") or "").split(),
            auto_number_format=n.get("autoNumberFormat"),
            precision=int(n.get("precision", "0")), scale=int(n.get("scale", "0")), system=system,
            owner=owner)

    def __getitem__(self, name) -> SObjectDef:
        return self._by_name[name.lower()]

    def __contains__(self, name):
        return name.lower() in self._by_name

    def by_prefix(self, prefix):
        for o in self.objects:
            if o.key_prefix == prefix:
                return o
        return None


# Loaded at import time: parametrization happens at collection, before any fixture runs.
CATALOG = Catalog(CATALOG_PATH)


def object_id(o):
    return o.name


def field_id(pair):
    o, f = pair[0], pair[1]
    return "%s.%s" % (o.name, f.name) + "".join("-%s" % x for x in pair[2:])


# --------------------------------------------------------------------------------------------
# Salesforce ids
# --------------------------------------------------------------------------------------------

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def id_checksum(id15):
    out = ""
    for chunk in range(3):
        flags = 0
        for i in range(5):
            c = id15[chunk * 5 + i]
            if "A" <= c <= "Z":
                flags |= 1 << i
        out += _CHECKSUM_ALPHABET[flags]
    return out


def is_valid_id(value, prefix=None):
    if not isinstance(value, str) or len(value) != 18 or not value.isalnum():
        return False
    if value[15:] != id_checksum(value[:15]):
        return False
    return prefix is None or value.startswith(prefix)


def fake_id(prefix):
    """A well-formed 18-char id of the object with this key prefix that no record has."""
    body = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(9))
    id15 = prefix + "Zz9" + body
    return id15 + id_checksum(id15)


def unique_text(n=12, prefix="T"):
    """Unique, developer-name-safe text of at most n characters."""
    return (prefix + uuid.uuid4().hex)[:n]


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_datetime(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


# Fields whose valid values a rule beyond the catalog's properties restricts (a PushTopic's Query
# must be a PushTopic query, its ApiVersion above 20.0; CATALOG-DECISIONS.md Q): the values the
# factory uses, by variant (0, 1, "full").
RULED_VALUES = {
    # Each with a field other than Id in SELECT and in WHERE: valid whatever NotifyForFields.
    ("PushTopic", "Query"): {
        0: "SELECT Id, Subject FROM Case WHERE Status != 'Closed'",
        1: "SELECT Id, Status FROM Case WHERE Subject != null",
        "full": "SELECT Id, Subject, Status FROM Case WHERE Priority != 'Low'"},
    ("PushTopic", "ApiVersion"): {0: "44.0", 1: "39.0", "full": "43.0"},
}


# Valid text of exactly n characters for those fields (for the length tests).
RULED_TEXT = {
    ("PushTopic", "Query"): lambda n: "SELECT Id, Status FROM Case WHERE Subject != '%s'" % (
        "q" * (n - len("SELECT Id, Status FROM Case WHERE Subject != ''"))),
}


def same_value(f: Field, sent, got):
    """Compares a value sent to the API with the one read back, in the field type's terms."""
    if sent is None or got is None:
        return sent is None and got is None
    sent, got = str(sent), str(got)
    if f.type == "datetime":
        return parse_datetime(sent) == parse_datetime(got)
    if f.type in ("double", "percent", "currency"):
        return float(sent) == float(got)
    if f.type == "int":
        return int(sent) == int(got)
    if f.type == "boolean":
        return sent.lower() == got.lower()
    if f.type in ("id", "reference"):
        return sent[:15] == got[:15]
    return sent == got


def different_value(factory, f, current):
    """A valid value of f that differs from current (for updates that must change something)."""
    for variant in (1, "full", 0):
        v = factory.value(f, variant)
        if not same_value(f, v, current):
            return v
    raise AssertionError("no second valid value for %s" % f.name)


# --------------------------------------------------------------------------------------------
# The partner API through zeep
# --------------------------------------------------------------------------------------------

def _sobject_element(name, value):
    e = etree.Element("{%s}%s" % (PARTNER_SOBJECT_NS, name))
    if value is None:
        e.set("{%s}nil" % XSI_NS, "true")
    else:
        e.text = str(value)
    return e


def _read_partner_sobject(so):
    # zeep reads <result xsi:nil="true"/> as an sObject whose members are all None.
    if so is None or (so.type is None and not so._value_1):
        return None
    out = {"type": so.type}
    for e in so._value_1 or []:
        name = etree.QName(e).localname
        nil = e.get("{%s}nil" % XSI_NS) in ("true", "1")
        out[name] = None if nil else (e.text or "")
    if so.Id and "Id" not in out:
        out["Id"] = so.Id
    return out


class PartnerApi:
    """A logged-in partner session over a zeep client. Records are dicts:
    {'type': 'Case', 'Id': ..., 'fieldsToNull': [...], 'Subject': 'x', 'Origin': None (xsi:nil)}"""

    def __init__(self, client, login_result):
        self.client = client
        self.login_result = login_result
        self.session_id = login_result.sessionId
        self.user_id = login_result.userId
        self.profile_id = login_result.userInfo.profileId
        self.service = client.create_service("{%s}SoapBinding" % PARTNER_NS,
                                             login_result.serverUrl)
        self._sobject = client.get_type("{%s}sObject" % PARTNER_SOBJECT_NS)

    def headers(self, all_or_none=False, session_id=None):
        h = {"SessionHeader": {"sessionId": session_id or self.session_id}}
        if all_or_none:
            h["AllOrNoneHeader"] = {"allOrNone": True}
        return h

    def sobject(self, rec):
        rec = dict(rec)
        kwargs = {"type": rec.pop("type")}
        if "Id" in rec:
            kwargs["Id"] = rec.pop("Id")
        if "fieldsToNull" in rec:
            kwargs["fieldsToNull"] = rec.pop("fieldsToNull")
        kwargs["_value_1"] = [_sobject_element(k, v) for k, v in rec.items()]
        return self._sobject(**kwargs)

    @staticmethod
    def _result(resp):
        return list(body_result(resp) or [])

    def create(self, records, all_or_none=False, session_id=None):
        return self._result(self.service.create(
            [self.sobject(r) for r in records],
            _soapheaders=self.headers(all_or_none, session_id)))

    def update(self, records, all_or_none=False):
        return self._result(self.service.update(
            [self.sobject(r) for r in records], _soapheaders=self.headers(all_or_none)))

    def upsert(self, external_id_field, records, all_or_none=False):
        return self._result(self.service.upsert(
            external_id_field, [self.sobject(r) for r in records],
            _soapheaders=self.headers(all_or_none)))

    def delete(self, ids, all_or_none=False):
        return self._result(self.service.delete(ids, _soapheaders=self.headers(all_or_none)))

    def undelete(self, ids, all_or_none=False):
        return self._result(self.service.undelete(ids, _soapheaders=self.headers(all_or_none)))

    def retrieve(self, fields, sobject_type, ids):
        if not isinstance(fields, str):
            fields = ", ".join(fields)
        resp = self.service.retrieve(fields, sobject_type, ids, _soapheaders=self.headers())
        return [_read_partner_sobject(so) for so in (body_result(resp) or [])]

    def get_user_info(self):
        return body_result(self.service.getUserInfo(_soapheaders=self.headers()))

    def get_server_timestamp(self):
        return body_result(self.service.getServerTimestamp(_soapheaders=self.headers()))

    def retrieve_one(self, obj: SObjectDef, record_id):
        return self.retrieve([f.name for f in obj.fields], obj.name, [record_id])[0]

    # Convenience: one record, success asserted.
    def create_ok(self, rec):
        r = self.create([rec])[0]
        assert r.success, "create %s failed: %s" % (rec.get("type"), describe_errors(r))
        return r.id


def body_result(resp):
    """The operation's result. zeep wraps it as {'header', 'body': {'result'}} when the WSDL
    declares response headers (Salesforce's does: LimitInfoHeader), and returns it bare when not."""
    if hasattr(resp, "body") or (isinstance(resp, dict) and "body" in resp):
        return resp["body"]["result"]
    return resp


def describe_errors(result):
    return "; ".join("%s %s %s" % (e.statusCode, e.message, list(e.fields or []))
                     for e in (result.errors or []))


def assert_ok(result):
    assert result.success, describe_errors(result)
    assert not result.errors


def assert_error(result, code, message=None, fields=None, message_startswith=None):
    """The result failed with exactly one error of this code (and message / fields if given)."""
    assert not result.success, "expected %s, but the record succeeded" % code
    errs = list(result.errors or [])
    assert len(errs) == 1, "expected one error %s, got %s" % (code, describe_errors(result))
    e = errs[0]
    assert e.statusCode == code, "expected %s, got %s" % (code, describe_errors(result))
    if message is not None:
        assert e.message == message
    if message_startswith is not None:
        assert e.message.startswith(message_startswith), e.message
    if fields is not None:
        assert list(e.fields or []) == list(fields)
    return e


# --------------------------------------------------------------------------------------------
# The record factory
# --------------------------------------------------------------------------------------------

OMIT = object()  # an override value that leaves the field out of the record


DUPLICATE_ID = re.compile(r"duplicates value on record with id: ([A-Za-z0-9]{15,18})")


class RecordFactory:
    """Builds a valid record of any catalog object by walking the catalog.

    Required fields (createable, not nillable, not defaulted, not boolean) get a valid value by
    type; references point at a record of the first referenceTo object that supports create
    (created once, memoised), or at the admin user / its profile for User / Profile.

    Objects with a Unique restricted picklist (ServiceChannel.RelatedEntity) can only have as
    many records as the picklist has values, and cannot be deleted; other suites on the same
    server (the JS suite) make theirs too. Their values are therefore rationed, and taken from
    the front of the picklist (the JS suite takes its one from the back):
      * the first free value goes to the shared record, created once with every createable field;
      * a spare value (the third, or the next that names no catalog object: the routing suite
        needs the channels of the routable objects), carried by records a test expects to be
        refused: it is never stored unless the server wrongly accepts such a record;
      * the other values go, front first, to tests that must create a fresh record; a value found
        taken (DUPLICATE_VALUE) is skipped;
      * pooled(value) is the record with a given value: created, or, when another suite has it,
        the record the DUPLICATE_VALUE error names.
    """

    def __init__(self, api: PartnerApi, catalog: Catalog):
        self.api = api
        self.catalog = catalog
        self._shared: Dict[str, str] = {}
        self.owned: Dict[str, bool] = {}      # object -> shared record made by this suite
        self.snapshots: Dict[str, dict] = {}  # object -> shared record as read right after create
        self.sent: Dict[str, dict] = {}       # object -> values sent for the shared record
        self._pooled: Dict[tuple, str] = {}
        self._used: Dict[tuple, set] = {}

    # -- values ---------------------------------------------------------------------------
    def reference_target(self, f: Field):
        """The object a valid value of this reference field is taken from, or None."""
        for target in f.reference_to:
            if target in ("User", "Profile"):
                return target
            if self.catalog[target].supports("create"):
                return target
        return None

    def can_make_value(self, f: Field):
        return f.type != "reference" or self.reference_target(f) is not None

    def value(self, f: Field, variant=0, length=None):
        """A valid value of field f. variant 0 is the plain value; 1 is a different valid value
        (for updates); 'full' is a non-default value (for records with every field set)."""
        ruled = RULED_VALUES.get((f.owner, f.name))
        if ruled is not None and length is None:
            return ruled[variant]
        t = f.type
        if t == "reference":
            target = self.reference_target(f)
            if target is None:
                raise LookupError("no record of %s can be created" % f.reference_to)
            if variant == 0 or variant == "full":
                return self.shared(target)
            target_obj = self.catalog[target]
            if target_obj.scarce:
                # A second record of a rationed object: the one the picklist tests also use.
                return self.pooled(target, target_obj.scarce_field.values[-1])
            return self.create(target)
        if t in ("picklist", "multipicklist", "combobox"):
            if not f.values:
                return unique_text(min(f.length or 12, 12))
            if variant == 0:
                return f.values[0]
            choices = [v for v in f.values if v != f.default] or f.values
            return choices[-1] if variant == "full" else (f.values[1] if len(f.values) > 1
                                                           else f.values[0])
        if t == "boolean":
            default = (f.default or "false").lower()
            if variant == 0:
                return default
            return "false" if default == "true" else "true"
        if t == "int":
            return "1" if variant == 0 else "2"
        if t in ("double", "percent", "currency"):
            return "1" if variant == 0 else "2.5"
        if t == "datetime":
            if variant == 0:
                return now_iso()
            return "2021-06-15T08:30:00.000Z"
        if t == "date":
            return datetime.date.today().isoformat() if variant == 0 else "2021-06-15"
        if t == "time":
            return "10:00:00.000Z"
        if t == "email":
            n = length or min(f.length or 40, 40)
            local = unique_text(max(n - 6, 1), "u")
            local = local + "x" * (n - 6 - len(local))
            return local + "@x.com"
        if t == "url":
            return "https://example.com/" + unique_text(8)
        if t == "phone":
            return "555-0100"
        if t in ("id",):
            raise LookupError("an id is never a field value")
        # string / textarea / anything textual: unique text within the length.
        n = length or min(f.length or 12, 12)
        text = unique_text(n)
        return text + "x" * (n - len(text)) if length else text

    # -- rationed values --------------------------------------------------------------------
    def _used_values(self, obj):
        return self._used.setdefault(obj.name, set())

    def spare_value(self, obj: SObjectDef):
        values = obj.scarce_field.values
        # Never a value that names a catalog object: the routing suite needs the ServiceChannel
        # of each routable object (Case, LiveChatTranscript) and may have made it already.
        for v in values[2:-1]:
            if v not in self.catalog:
                return v
        return values[2] if len(values) > 3 else values[-1]

    def _take_fresh(self, obj: SObjectDef):
        used = self._used_values(obj)
        for v in obj.scarce_field.values:
            if v not in used and v != self.spare_value(obj):
                used.add(v)
                return v
        pytest.skip("every %s.%s value is taken (this suite's records and other suites' on the "
                    "same server): no fresh %s can be made" % (obj.name, obj.scarce_field.name,
                                                               obj.name))

    @staticmethod
    def duplicate_of(result, f: Field):
        """The id of the record a DUPLICATE_VALUE error on field f names, or None."""
        for e in result.errors or []:
            if e.statusCode == "DUPLICATE_VALUE" and list(e.fields or []) == [f.name]:
                m = DUPLICATE_ID.search(e.message)
                if m:
                    return m.group(1)
        return None

    # -- records --------------------------------------------------------------------------
    def build(self, obj_name, full=False, refused=False, **overrides):
        """A valid record of obj_name: its required fields (or, with full, every createable field
        for which a value can be made). refused=True marks a record the test expects the server
        to refuse: a rationed Unique value is then the spare, never a fresh one."""
        obj = self.catalog[obj_name]
        rec = {"type": obj.name}
        for f in obj.fields:
            if f.name in overrides:
                continue
            if not (f.required or (full and f.createable)):
                continue
            if f is obj.scarce_field:
                rec[f.name] = self.spare_value(obj) if refused else self._take_fresh(obj)
                continue
            if not self.can_make_value(f):
                continue
            rec[f.name] = self.value(f, "full" if full else 0)
        for k, v in overrides.items():
            if v is OMIT:
                rec.pop(k, None)
            else:
                rec[k] = v
        return rec

    def insert(self, obj_name, send=None, full=False, **overrides):
        """Builds a valid record and sends it (send(rec) -> result; create by default) until it
        is stored: for a rationed object a value some other suite took is passed over.
        Returns (record sent, result)."""
        obj = self.catalog[obj_name]
        send = send or (lambda rec: self.api.create([rec])[0])
        while True:
            rec = self.build(obj_name, full=full, **overrides)
            r = send(rec)
            if (obj.scarce and obj.scarce_field.name not in overrides
                    and self.duplicate_of(r, obj.scarce_field)):
                continue
            return rec, r

    def create(self, obj_name, **overrides):
        rec, r = self.insert(obj_name, **overrides)
        assert r.success, "create %s failed: %s" % (obj_name, describe_errors(r))
        return r.id

    def shared(self, obj_name):
        """One record of obj_name for the whole session, to point references at. For User and
        Profile: the admin user and its profile."""
        if obj_name == "User":
            return self.api.user_id
        if obj_name == "Profile":
            return self.api.profile_id
        if obj_name not in self._shared:
            obj = self.catalog[obj_name]
            owned = True
            if obj.scarce:
                f = obj.scarce_field
                used = self._used_values(obj)
                rid = rec = None
                for v in f.values:
                    if v in used or v == self.spare_value(obj):
                        continue
                    used.add(v)
                    rec = self.build(obj_name, full=True, **{f.name: v})
                    r = self.api.create([rec])[0]
                    if r.success:
                        rid = r.id
                        break
                    rid = self.duplicate_of(r, f)
                    assert rid, "create %s failed: %s" % (obj_name, describe_errors(r))
                    owned = False  # every value is taken: use another suite's record
                    rec = None
            else:
                rec = self.build(obj_name)
                rid = self.api.create_ok(rec)
            self._shared[obj_name] = rid
            self.owned[obj_name] = owned
            self.sent[obj_name] = rec
            self.snapshots[obj_name] = self.api.retrieve_one(obj, rid)
        return self._shared[obj_name]

    def require_owned_shared(self, obj_name):
        self.shared(obj_name)
        if not self.owned[obj_name]:
            pytest.skip("the shared %s was made by another suite on this server" % obj_name)

    def pooled(self, obj_name, value):
        """The record of a rationed object whose Unique field has this value: created once, or
        the other suite's record when the value is taken."""
        obj = self.catalog[obj_name]
        f = obj.scarce_field
        if self.owned.get(obj_name) and self.sent[obj_name].get(f.name) == value:
            return self.shared(obj_name)
        key = (obj_name, value)
        if key not in self._pooled:
            self._used_values(obj).add(value)
            r = self.api.create([self.build(obj_name, **{f.name: value})])[0]
            rid = r.id if r.success else self.duplicate_of(r, f)
            assert rid, "create %s failed: %s" % (obj_name, describe_errors(r))
            self._pooled[key] = rid
        return self._pooled[key]

    def disposable(self, obj_name):
        """A record a test may change or delete: a fresh one, except for rationed objects, where
        it is the shared record."""
        if self.catalog[obj_name].scarce:
            self.require_owned_shared(obj_name)
            return self.shared(obj_name)
        return self.create(obj_name)


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def omni_url():
    return OMNI_URL


@pytest.fixture(scope="session")
def catalog():
    return CATALOG


@pytest.fixture(scope="session")
def server_up(omni_url):
    r = requests.get(omni_url + "/_emulator/health", timeout=30)
    assert r.status_code == 200, "the server at %s is not healthy: %s" % (omni_url, r.text)
    return True


@pytest.fixture(scope="session")
def sf_partner_client(server_up):
    """zeep client built from Salesforce's own partner WSDL."""
    assert os.path.exists(SF_PARTNER_WSDL), SF_PARTNER_WSDL
    return zeep.Client(SF_PARTNER_WSDL)


@pytest.fixture(scope="session")
def our_partner_client(omni_url, server_up):
    """zeep client built from the partner WSDL the server serves."""
    return zeep.Client(omni_url + "/services/wsdl/partner")


@pytest.fixture(scope="session")
def our_enterprise_client(omni_url, server_up):
    """zeep client built from the enterprise WSDL the server serves."""
    return zeep.Client(omni_url + "/services/wsdl/enterprise")


def partner_login_service(client, url=None):
    return client.create_service("{%s}SoapBinding" % PARTNER_NS,
                                 url or OMNI_URL + "/services/Soap/u/" + API)


def partner_login(client, username=ADMIN_USER, password=ADMIN_PASSWORD):
    return partner_login_service(client).login(username, password)


@pytest.fixture(scope="session")
def api(sf_partner_client):
    """The logged-in admin session, through Salesforce's partner WSDL."""
    return PartnerApi(sf_partner_client, partner_login(sf_partner_client))


@pytest.fixture(scope="session")
def factory(api, catalog):
    return RecordFactory(api, catalog)


@pytest.fixture(scope="session")
def enterprise(our_enterprise_client):
    """(service, headers) of a logged-in enterprise session."""
    c = our_enterprise_client
    svc = c.create_service("{%s}SoapBinding" % ENTERPRISE_NS, OMNI_URL + "/services/Soap/c/" + API)
    r = svc.login(ADMIN_USER, ADMIN_PASSWORD)
    svc = c.create_service("{%s}SoapBinding" % ENTERPRISE_NS, r.serverUrl)
    return svc, {"SessionHeader": {"sessionId": r.sessionId}}, r

"""Wire-level behaviour: login and session faults, whole-call faults, call limits, AllOrNoneHeader,
15-character ids, getUserInfo / getServerTimestamp / logout, the served WSDLs, the enterprise
endpoint through the project's enterprise WSDL, the AgentWork lifecycle, and the raw HTTP shape
of faults (including garbage request bodies).
"""
import datetime
import socket
import urllib.parse
import uuid

import pytest
import requests
import zeep
from lxml import etree

from conftest import (ADMIN_PASSWORD, ADMIN_USER, API, CATALOG, ENTERPRISE_NS,
                      ENTERPRISE_SOBJECT_NS, NO_SUCH_COLUMN_MSG, OMNI_URL, PARTNER_NS,
                      ROLLED_BACK_MSG, PartnerApi, assert_error, assert_ok, fake_id,
                      is_valid_id, parse_datetime, partner_login, partner_login_service)

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PARTNER_FAULT_NS = "urn:fault.partner.soap.sforce.com"
ENTERPRISE_FAULT_NS = "urn:fault.enterprise.soap.sforce.com"
INVALID_SESSION = "Invalid Session ID found in SessionHeader: Illegal Session"
INVALID_LOGIN = "Invalid username, password, security token; or user locked out."
LIMIT_MSG = "record limit reached. cannot submit more than 200 records into this call"
HTTP_TIMEOUT = 15  # a request the server does not answer in this time counts as a hang


def fault_of(fn, *args, **kwargs):
    with pytest.raises(zeep.exceptions.Fault) as exc:
        fn(*args, **kwargs)
    return exc.value


def detail_child(fault):
    assert fault.detail is not None and len(fault.detail), "fault without detail"
    return fault.detail[0]


def detail_text(fault, name):
    el = detail_child(fault).find("{*}" + name)
    return None if el is None else el.text


def case_subject(api, ids):
    return [None if r is None else r["Subject"] for r in api.retrieve("Id, Subject", "Case", ids)]


# ---------------------------------------------------------------------------------------------
# login and sessions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username,password", [(ADMIN_USER, "wrong-password"),
                                               ("nobody@omni.local", ADMIN_PASSWORD),
                                               ("", "")],
                         ids=["bad-password", "unknown-user", "empty"])
def test_login_refused(sf_partner_client, username, password):
    f = fault_of(partner_login_service(sf_partner_client).login, username, password)
    assert f.code == "INVALID_LOGIN"  # a LoginFault's faultcode carries no sf: prefix
    assert f.message == "INVALID_LOGIN: " + INVALID_LOGIN
    child = detail_child(f)
    assert etree.QName(child).localname == "LoginFault"
    assert detail_text(f, "exceptionCode") == "INVALID_LOGIN"
    assert detail_text(f, "exceptionMessage") == INVALID_LOGIN


@pytest.mark.parametrize("client_name", ["sf_partner_client", "our_partner_client"])
def test_login_result(request, client_name):
    client = request.getfixturevalue(client_name)
    r = partner_login(client)
    org = r.userInfo.organizationId
    assert is_valid_id(org, "00D")
    assert r.serverUrl == "%s/services/Soap/u/%s/%s" % (OMNI_URL, API, org[:15])
    assert r.metadataServerUrl.startswith(OMNI_URL + "/services/Soap/m/" + API)
    assert r.sessionId
    assert is_valid_id(r.userId, "005")
    assert r.passwordExpired is False
    assert r.userInfo.userName == ADMIN_USER
    assert r.userInfo.userId == r.userId
    assert is_valid_id(r.userInfo.profileId, "00e")


SESSION_CALLS = {
    "create": lambda api, h: api.service.create([api.sobject({"type": "Case"})], _soapheaders=h),
    "update": lambda api, h: api.service.update(
        [api.sobject({"type": "Case", "Id": fake_id("500")})], _soapheaders=h),
    "upsert": lambda api, h: api.service.upsert("Id", [api.sobject({"type": "Case"})],
                                                _soapheaders=h),
    "delete": lambda api, h: api.service.delete([fake_id("500")], _soapheaders=h),
    "undelete": lambda api, h: api.service.undelete([fake_id("500")], _soapheaders=h),
    "retrieve": lambda api, h: api.service.retrieve("Id", "Case", [fake_id("500")],
                                                    _soapheaders=h),
    "getUserInfo": lambda api, h: api.service.getUserInfo(_soapheaders=h),
    "getServerTimestamp": lambda api, h: api.service.getServerTimestamp(_soapheaders=h),
    "logout": lambda api, h: api.service.logout(_soapheaders=h),
}


@pytest.mark.parametrize("call", sorted(SESSION_CALLS))
@pytest.mark.parametrize("session", ["bogus", "missing-header"])
def test_invalid_session(api, call, session):
    headers = {} if session == "missing-header" else {"SessionHeader": {"sessionId": "00Dbogus!x"}}
    f = fault_of(SESSION_CALLS[call], api, headers)
    assert f.code == "sf:INVALID_SESSION_ID"
    assert f.message == "INVALID_SESSION_ID: " + INVALID_SESSION
    assert etree.QName(detail_child(f)).localname == "UnexpectedErrorFault"
    assert detail_text(f, "exceptionCode") == "INVALID_SESSION_ID"
    assert detail_text(f, "exceptionMessage") == INVALID_SESSION


def test_logout_invalidates_the_session(sf_partner_client, api):
    other = PartnerApi(sf_partner_client, partner_login(sf_partner_client))
    assert other.session_id != api.session_id
    assert other.get_user_info().userId == other.user_id
    other.service.logout(_soapheaders=other.headers())
    f = fault_of(other.service.getUserInfo, _soapheaders=other.headers())
    assert f.code == "sf:INVALID_SESSION_ID"
    f = fault_of(other.create, [{"type": "Case"}])
    assert f.code == "sf:INVALID_SESSION_ID"
    # Other sessions of the same user are unaffected.
    assert api.get_user_info().userId == api.user_id


def test_get_user_info(api):
    u = api.get_user_info()
    assert u.userId == api.user_id
    assert u.userName == ADMIN_USER
    assert u.profileId == api.profile_id
    assert is_valid_id(u.organizationId, "00D")
    assert u.organizationId == api.login_result.userInfo.organizationId
    assert u.userFullName
    assert u.userEmail
    assert u.sessionSecondsValid > 0
    # The same user as a retrieve of the User record shows.
    user = api.retrieve_one(CATALOG["User"], api.user_id)
    assert user["Username"] == u.userName
    assert user["Email"] == u.userEmail
    assert user["ProfileId"] == u.profileId


def test_get_server_timestamp(api):
    before = datetime.datetime.now(datetime.timezone.utc)
    ts = api.get_server_timestamp().timestamp
    after = datetime.datetime.now(datetime.timezone.utc)
    assert ts.tzinfo is not None
    assert before - datetime.timedelta(seconds=5) <= ts <= after + datetime.timedelta(seconds=5)


# ---------------------------------------------------------------------------------------------
# Whole-call faults
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", ["create", "update", "upsert", "retrieve"])
def test_unknown_type_fault(api, call):
    name = "NoSuchObject%s" % uuid.uuid4().hex[:6]
    rec = {"type": name}
    if call == "update":
        rec["Id"] = fake_id("500")
    fn = {"create": lambda: api.create([rec]), "update": lambda: api.update([rec]),
          "upsert": lambda: api.upsert("Id", [rec]),
          "retrieve": lambda: api.retrieve("Id", name, [fake_id("500")])}[call]
    f = fault_of(fn)
    msg = "sObject type '%s' is not supported." % name
    assert f.code == "sf:INVALID_TYPE"
    assert f.message == "INVALID_TYPE: " + msg
    assert etree.QName(detail_child(f)).localname == "InvalidSObjectFault"
    assert detail_text(f, "exceptionMessage") == msg


@pytest.mark.parametrize("call", ["create", "update", "upsert"])
def test_unknown_field_fault(api, factory, call):
    rec = {"type": "Case", "Subject": "x", "NoSuchField": "y"}
    if call == "update":
        rec["Id"] = factory.shared("Case")
    fn = {"create": api.create, "update": api.update,
          "upsert": lambda recs: api.upsert("Id", recs)}[call]
    # One good record beside the bad one: the whole call fails, not just that record.
    f = fault_of(fn, [{"type": "Case", "Subject": "fine"}, rec])
    msg = NO_SUCH_COLUMN_MSG.format("NoSuchField", "Case")
    assert f.code == "sf:INVALID_FIELD"
    assert f.message == "INVALID_FIELD: " + msg
    assert etree.QName(detail_child(f)).localname == "InvalidFieldFault"
    assert detail_text(f, "exceptionCode") == "INVALID_FIELD"
    assert detail_text(f, "exceptionMessage") == msg


def test_retrieve_unknown_field_fault(api, factory):
    fields = "Id, Subject, NoSuchField"
    column = len("SELECT Id, Subject, ") + 1
    f = fault_of(api.retrieve, fields, "Case", [factory.shared("Case")])
    msg = ("\nSELECT %s FROM Case\n%s^\nERROR at Row:1:Column:%d\n" % (fields, " " * (column - 1),
                                                                      column)
           + NO_SUCH_COLUMN_MSG.format("NoSuchField", "Case"))
    assert f.code == "sf:INVALID_FIELD"
    assert f.message == "INVALID_FIELD: " + msg
    assert detail_text(f, "exceptionMessage") == msg
    assert detail_text(f, "row") == "1"
    assert detail_text(f, "column") == str(column)


def test_upsert_on_a_field_that_is_not_an_id_lookup(api):
    f = fault_of(api.upsert, "Subject", [{"type": "Case", "Subject": "x"}])
    assert f.code == "sf:INVALID_FIELD"
    assert f.message == ("INVALID_FIELD: Field name provided, Subject is not an External ID or "
                         "indexed field for Case")


def test_upsert_by_id_lookup_field(api, factory):
    """User.Username is an idLookup field: a known value updates that user, a new one inserts."""
    rec = factory.build("User")
    [r] = api.upsert("Username", [rec])
    assert_ok(r)
    assert r.created is True
    [again] = api.upsert("Username", [{"type": "User", "Username": rec["Username"],
                                       "LastName": "Upserted"}])
    assert_ok(again)
    assert (again.id, again.created) == (r.id, False)
    assert api.retrieve("LastName", "User", [r.id])[0]["LastName"] == "Upserted"


def test_unknown_field_in_fields_to_null_fault(api, factory):
    f = fault_of(api.update, [{"type": "Case", "Id": factory.shared("Case"),
                              "fieldsToNull": ["NoSuchField"]}])
    assert f.code == "sf:INVALID_FIELD"
    assert f.message == "INVALID_FIELD: " + NO_SUCH_COLUMN_MSG.format("NoSuchField", "Case")


def test_retrieve_more_than_2000_ids_fault(api):
    f = fault_of(api.retrieve, "Id", "Case", [fake_id("500") for _ in range(2001)])
    assert f.code == "sf:EXCEEDED_ID_LIMIT"


def test_field_and_type_names_are_case_insensitive(api):
    [r] = api.create([{"type": "case", "subJECT": "any case"}])
    assert_ok(r)
    [got] = api.retrieve("id, SUBJECT", "CASE", [r.id])
    assert got["type"] == "Case"
    assert got["Subject"] == "any case"  # names come back in the catalog's spelling


def test_nil_field_element_is_a_missing_value(api, factory):
    """<Field xsi:nil="true"/> is no value: on a required field, REQUIRED_FIELD_MISSING."""
    obj = next(o for o in CATALOG.objects if o.supports("create") and o.required_fields
               and not o.scarce)
    f = obj.required_fields[0]
    [r] = api.create([factory.build(obj.name, **{f.name: None})])
    assert_error(r, "REQUIRED_FIELD_MISSING", "Required fields are missing: [%s]" % f.name,
                 [f.name])


def test_delete_malformed_id(api):
    [r] = api.delete(["not-an-id"])
    assert_error(r, "MALFORMED_ID", "bad id not-an-id", [])
    assert r.id is None


def _cases(n, tag):
    return [{"type": "Case", "Subject": "%s-%d" % (tag, i)} for i in range(n)]


@pytest.mark.parametrize("call", ["create", "update", "upsert", "delete", "undelete"])
def test_more_than_200_records_fault(api, call):
    tag = uuid.uuid4().hex[:8]
    ids = [fake_id("500") for _ in range(201)]
    fn = {"create": lambda: api.create(_cases(201, tag)),
          "update": lambda: api.update([dict(c, Id=i) for c, i in zip(_cases(201, tag), ids)]),
          "upsert": lambda: api.upsert("Id", _cases(201, tag)),
          "delete": lambda: api.delete(ids),
          "undelete": lambda: api.undelete(ids)}[call]
    f = fault_of(fn)
    assert f.code == "sf:EXCEEDED_ID_LIMIT"
    assert f.message == "EXCEEDED_ID_LIMIT: " + LIMIT_MSG
    assert detail_text(f, "exceptionCode") == "EXCEEDED_ID_LIMIT"


def test_200_records_in_one_call(api):
    tag = uuid.uuid4().hex[:8]
    results = api.create(_cases(200, tag))
    assert len(results) == 200
    for r in results:
        assert_ok(r)
    ids = [r.id for r in results]
    assert len(set(ids)) == 200
    assert case_subject(api, ids) == ["%s-%d" % (tag, i) for i in range(200)]
    results = api.update([{"type": "Case", "Id": i, "Subject": "u-%d" % n}
                          for n, i in enumerate(ids)])
    assert all(r.success for r in results)
    results = api.delete(ids)
    assert [r.id for r in results] == ids and all(r.success for r in results)
    assert api.retrieve("Id", "Case", ids) == [None] * 200


# ---------------------------------------------------------------------------------------------
# AllOrNoneHeader
# ---------------------------------------------------------------------------------------------

def _assert_rolled_back(result):
    assert_error(result, "ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK_MSG)


def test_all_or_none_create_stores_nothing(api, factory):
    user = factory.build("User")
    too_long = {"type": "Case", "Subject": "x" * 256}
    results = api.create([{"type": "Case", "Subject": "aon-1"}, user, too_long], all_or_none=True)
    _assert_rolled_back(results[0])
    _assert_rolled_back(results[1])
    assert_error(results[2], "STRING_TOO_LONG", fields=["Subject"])
    # Nothing was stored: an id handed back names no record, and the unique Username is free.
    for r in results[:2]:
        if r.id is not None:
            assert api.retrieve("Id", "Case" if r.id.startswith("500") else "User",
                                [r.id]) == [None]
    assert_ok(api.create([user])[0])


def test_without_all_or_none_good_records_are_stored(api):
    results = api.create([{"type": "Case", "Subject": "partial"},
                          {"type": "Case", "Subject": "x" * 256}])
    assert_ok(results[0])
    assert_error(results[1], "STRING_TOO_LONG", fields=["Subject"])
    assert case_subject(api, [results[0].id]) == ["partial"]


def test_all_or_none_update_changes_nothing(api, factory):
    ids = [factory.create("Case", Subject="before-%d" % i) for i in range(2)]
    results = api.update([{"type": "Case", "Id": ids[0], "Subject": "after-0"},
                          {"type": "Case", "Id": ids[1], "Subject": "after-1"},
                          {"type": "Case", "Id": fake_id("500"), "Subject": "after-2"}],
                         all_or_none=True)
    _assert_rolled_back(results[0])
    _assert_rolled_back(results[1])
    assert_error(results[2], "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    assert case_subject(api, ids) == ["before-0", "before-1"]


def test_all_or_none_delete_deletes_nothing(api, factory):
    ids = [factory.create("Case", Subject="keep-%d" % i) for i in range(2)]
    results = api.delete(ids + ["not-an-id"], all_or_none=True)
    _assert_rolled_back(results[0])
    _assert_rolled_back(results[1])
    assert_error(results[2], "MALFORMED_ID")
    assert case_subject(api, ids) == ["keep-0", "keep-1"]


def test_all_or_none_all_good_commits(api):
    results = api.create(_cases(3, "aon-ok"), all_or_none=True)
    for r in results:
        assert_ok(r)
    assert case_subject(api, [r.id for r in results]) == ["aon-ok-0", "aon-ok-1", "aon-ok-2"]


# ---------------------------------------------------------------------------------------------
# 15-character ids
# ---------------------------------------------------------------------------------------------

def test_15_char_ids_accepted(api, factory):
    rid = factory.create("Case", Subject="fifteen")
    id15 = rid[:15]
    [got] = api.retrieve("Id, Subject", "Case", [id15])
    assert got["Id"] == rid and got["Subject"] == "fifteen"
    [r] = api.update([{"type": "Case", "Id": id15, "Subject": "fifteen-2"}])
    assert_ok(r)
    assert r.id == rid
    assert case_subject(api, [rid]) == ["fifteen-2"]
    [r] = api.upsert("Id", [{"type": "Case", "Id": id15, "Subject": "fifteen-3"}])
    assert_ok(r)
    assert (r.id, r.created) == (rid, False)
    [r] = api.delete([id15])
    assert_ok(r)
    assert r.id == rid
    [r] = api.undelete([id15])
    assert_ok(r)
    assert r.id == rid
    # A 15-char id in a reference field is stored as the 18-char id.
    aw_channel = factory.shared("ServiceChannel")
    [r] = api.create([{"type": "AgentWork", "ServiceChannelId": aw_channel[:15],
                       "UserId": api.user_id[:15], "WorkItemId": id15}])
    assert_ok(r)
    got = api.retrieve("ServiceChannelId, UserId, WorkItemId", "AgentWork", [r.id])[0]
    assert (got["ServiceChannelId"], got["UserId"], got["WorkItemId"]) == (
        aw_channel, api.user_id, rid)


def test_18_char_id_with_wrong_checksum_is_malformed(api, factory):
    rid = factory.create("Case")
    bad = rid[:15] + ("AAA" if rid[15:] != "AAA" else "BBB")
    [r] = api.delete([bad])
    assert_error(r, "MALFORMED_ID", "bad id " + bad)


# ---------------------------------------------------------------------------------------------
# The project's WSDLs and the enterprise endpoint
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flavor,letter", [("partner", "u"), ("enterprise", "c")])
def test_served_wsdl_points_at_the_server(flavor, letter):
    r = requests.get(OMNI_URL + "/services/wsdl/" + flavor, timeout=HTTP_TIMEOUT)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/xml")
    doc = etree.fromstring(r.content)
    addresses = doc.findall(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert [a.get("location") for a in addresses] == [
        "%s/services/Soap/%s/%s" % (OMNI_URL, letter, API)]


def test_project_partner_wsdl_works(our_partner_client):
    api = PartnerApi(our_partner_client, partner_login(our_partner_client))
    [r] = api.create([{"type": "Case", "Subject": "through our partner WSDL"}])
    assert_ok(r)
    [got] = api.retrieve("Id, Subject, IsDeleted", "Case", [r.id])
    assert got["Subject"] == "through our partner WSDL"
    assert got["IsDeleted"] == "false"


def _typed(f, value):
    """A catalog value as the Python type zeep wants for the field's XSD type."""
    if value is None:
        return None
    if f.type == "int":
        return int(value)
    if f.type in ("double", "percent", "currency"):
        return float(value)
    if f.type == "boolean":
        return value == "true"
    if f.type == "datetime":
        return parse_datetime(value)
    return value


def test_enterprise_typed_create_and_retrieve(our_enterprise_client, enterprise, factory):
    svc, headers, login = enterprise
    assert login.serverUrl.startswith(OMNI_URL + "/services/Soap/c/" + API + "/")
    # A typed create carrying every createable field of an object with strings, a restricted
    # picklist, an int, a percent, a double and a reference.
    obj = CATALOG["QueueRoutingConfig"]
    QueueRoutingConfig = our_enterprise_client.get_type("{%s}%s" % (ENTERPRISE_SOBJECT_NS,
                                                                     obj.name))
    rec = factory.build(obj.name, full=True)
    values = {k: _typed(obj.field(k), v) for k, v in rec.items() if k != "type"}
    [r] = svc.create([QueueRoutingConfig(**values)], _soapheaders=headers)
    assert r.success, r.errors
    assert is_valid_id(r.id, obj.key_prefix)
    missing = fake_id(obj.key_prefix)
    got = svc.retrieve(", ".join(f.name for f in obj.fields), obj.name, [r.id, missing],
                       _soapheaders=headers)
    assert len(got) == 2
    # <result xsi:nil="true"/>: zeep reads it as None or as an empty sObject.
    assert got[1] is None or getattr(got[1], "Id", None) is None
    q = got[0]
    assert type(q).__name__ == obj.name  # a typed object, not a generic sObject
    assert q.Id == r.id
    for k, v in values.items():
        assert getattr(q, k) == v, k
    assert q.IsDeleted is False  # typed: a real boolean, not a string
    assert isinstance(q.CreatedDate, datetime.datetime)
    assert q.CreatedById == login.userId

    # ServiceChannel, typed: retrieve the shared channel and update it (fieldsToNull included).
    factory.require_owned_shared("ServiceChannel")
    channel = factory.shared("ServiceChannel")
    ServiceChannel = our_enterprise_client.get_type("{%s}ServiceChannel" % ENTERPRISE_SOBJECT_NS)
    label = "Renamed" + uuid.uuid4().hex[:6]
    [u] = svc.update([ServiceChannel(Id=channel, MasterLabel=label, CapacityWeight=3.5)],
                     _soapheaders=headers)
    assert u.success, u.errors
    [sc] = svc.retrieve("Id, MasterLabel, CapacityWeight, RelatedEntity", "ServiceChannel",
                        [channel], _soapheaders=headers)
    assert type(sc).__name__ == "ServiceChannel"
    assert (sc.MasterLabel, sc.CapacityWeight) == (label, 3.5)
    assert sc.RelatedEntity == factory.sent["ServiceChannel"]["RelatedEntity"]
    [u] = svc.update([ServiceChannel(Id=channel, fieldsToNull=["CapacityWeight"])],
                     _soapheaders=headers)
    assert u.success, u.errors
    [sc] = svc.retrieve("CapacityWeight", "ServiceChannel", [channel], _soapheaders=headers)
    assert sc.CapacityWeight is None


def test_enterprise_errors_and_faults(our_enterprise_client, enterprise):
    svc, headers, _ = enterprise
    Case = our_enterprise_client.get_type("{%s}Case" % ENTERPRISE_SOBJECT_NS)
    [r] = svc.create([Case(Subject="x" * 256)], _soapheaders=headers)
    assert not r.success and r.id is None
    assert [e.statusCode for e in r.errors] == ["STRING_TOO_LONG"]
    f = fault_of(svc.getUserInfo, _soapheaders={"SessionHeader": {"sessionId": "bogus"}})
    assert f.code == "sf:INVALID_SESSION_ID"
    assert f.message == "INVALID_SESSION_ID: " + INVALID_SESSION
    assert etree.QName(detail_child(f)).namespace == ENTERPRISE_FAULT_NS


def test_partner_request_on_enterprise_endpoint_refused(sf_partner_client, api):
    wrong = sf_partner_client.create_service("{%s}SoapBinding" % PARTNER_NS,
                                             OMNI_URL + "/services/Soap/c/" + API)
    for call in (lambda: wrong.login(ADMIN_USER, ADMIN_PASSWORD),
                 lambda: wrong.getUserInfo(_soapheaders=api.headers())):
        f = fault_of(call)
        assert f.code.startswith("sf:")
        assert "{urn:partner.soap.sforce.com}" in f.message
        assert f.message.endswith("invalid at this location")


def test_enterprise_request_on_partner_endpoint_refused(our_enterprise_client, enterprise):
    _, headers, _ = enterprise
    wrong = our_enterprise_client.create_service("{%s}SoapBinding" % ENTERPRISE_NS,
                                                 OMNI_URL + "/services/Soap/u/" + API)
    f = fault_of(wrong.getUserInfo, _soapheaders=headers)
    assert "{urn:enterprise.soap.sforce.com}" in f.message
    assert f.message.endswith("invalid at this location")


# ---------------------------------------------------------------------------------------------
# AgentWork lifecycle
# ---------------------------------------------------------------------------------------------

def test_agent_work_lifecycle(api, factory):
    channel = factory.shared("ServiceChannel")
    case = factory.create("Case", Subject="work item")
    [r] = api.create([{"type": "AgentWork", "ServiceChannelId": channel, "UserId": api.user_id,
                       "WorkItemId": case}])
    assert_ok(r)
    aw = api.retrieve_one(CATALOG["AgentWork"], r.id)
    assert aw["Status"] == "Assigned"
    assert aw["Name"] and aw["Name"].isdigit() and len(aw["Name"]) == 8
    assert (aw["ServiceChannelId"], aw["UserId"], aw["WorkItemId"]) == (channel, api.user_id, case)
    assert aw["ShouldSkipCapacityCheck"] == "false"
    # Assigned work cannot be deleted; the record stays.
    [d] = api.delete([r.id])
    assert_error(d, "DELETE_FAILED")
    assert api.retrieve("Id, Status", "AgentWork", [r.id])[0]["Status"] == "Assigned"
    # AgentWork takes no update at v44.
    [u] = api.update([{"type": "AgentWork", "Id": r.id}])
    assert_error(u, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                 "entity type cannot be updated: Agent Work")
    # Status is set by the server only.
    [c] = api.create([{"type": "AgentWork", "ServiceChannelId": channel, "UserId": api.user_id,
                       "WorkItemId": case, "Status": "Closed"}])
    assert_error(c, "INVALID_FIELD_FOR_INSERT_UPDATE", fields=["Status"])


# ---------------------------------------------------------------------------------------------
# Raw HTTP: the fault envelope, and garbage bodies
# ---------------------------------------------------------------------------------------------

def _post(path, body, content_type="text/xml; charset=UTF-8", connection="keep-alive"):
    return requests.post(OMNI_URL + path, data=body,
                         headers={"Content-Type": content_type, "SOAPAction": '""',
                                  "Connection": connection},
                         timeout=HTTP_TIMEOUT)


def _envelope(ns, body, session=None):
    header = ("<s:Header><a:SessionHeader><a:sessionId>%s</a:sessionId></a:SessionHeader>"
              "</s:Header>" % session) if session else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="%s" xmlns:a="%s">%s'
            '<s:Body>%s</s:Body></s:Envelope>' % (SOAPENV, ns, header, body)).encode()


def _parse_fault(resp):
    assert resp.status_code == 500, (resp.status_code, resp.text[:300])
    assert resp.headers["Content-Type"].startswith("text/xml"), resp.headers["Content-Type"]
    doc = etree.fromstring(resp.content)
    assert etree.QName(doc).namespace == SOAPENV and etree.QName(doc).localname == "Envelope"
    fault = doc.find("{%s}Body/{%s}Fault" % (SOAPENV, SOAPENV))
    assert fault is not None, resp.text[:500]
    return fault


@pytest.mark.parametrize("flavor,path,ns,fault_ns", [
    ("partner", "/services/Soap/u/" + API, PARTNER_NS, PARTNER_FAULT_NS),
    ("enterprise", "/services/Soap/c/" + API, ENTERPRISE_NS, ENTERPRISE_FAULT_NS)])
def test_raw_invalid_session_fault_envelope(flavor, path, ns, fault_ns):
    resp = _post(path, _envelope(ns, "<a:getUserInfo/>", session="00Dnotasession"))
    fault = _parse_fault(resp)
    code = fault.find("faultcode")
    assert code.text == "sf:INVALID_SESSION_ID"
    assert code.nsmap.get("sf") == fault_ns  # the prefix is bound to the fault namespace
    assert fault.find("faultstring").text == "INVALID_SESSION_ID: " + INVALID_SESSION
    detail = fault.find("detail")
    [child] = list(detail)
    assert child.tag == "{%s}UnexpectedErrorFault" % fault_ns
    xsi_type = child.get("{%s}type" % XSI)
    prefix, local = xsi_type.split(":")
    assert (child.nsmap[prefix], local) == (fault_ns, "UnexpectedErrorFault")
    assert child.find("{%s}exceptionCode" % fault_ns).text == "INVALID_SESSION_ID"
    assert child.find("{%s}exceptionMessage" % fault_ns).text == INVALID_SESSION


def test_raw_login_fault_has_unprefixed_code():
    resp = _post("/services/Soap/u/" + API, _envelope(
        PARTNER_NS, "<a:login><a:username>%s</a:username><a:password>nope</a:password></a:login>"
        % ADMIN_USER))
    fault = _parse_fault(resp)
    assert fault.find("faultcode").text == "INVALID_LOGIN"
    [child] = list(fault.find("detail"))
    assert child.tag == "{%s}LoginFault" % PARTNER_FAULT_NS


GARBAGE = {
    "not-xml": b"this is not xml at all",
    "truncated-envelope": b'<?xml version="1.0"?><s:Envelope xmlns:s="' + SOAPENV.encode() +
                          b'"><s:Body><create',
    "not-soap": b"<a><b>c</b></a>",
    "empty": b"",
    "mismatched-tags": b'<s:Envelope xmlns:s="' + SOAPENV.encode() +
                       b'"><s:Body><x></y></s:Body></s:Envelope>',
    "binary": bytes(range(256)) * 4,
    "unknown-operation": _envelope(PARTNER_NS, "<a:frobnicate/>"),
    "envelope-without-body": b'<s:Envelope xmlns:s="' + SOAPENV.encode() + b'"></s:Envelope>',
    "undeclared-prefix": b"<s:Envelope><s:Body><p:create/></s:Body></s:Envelope>",
}


def _health():
    return requests.get(OMNI_URL + "/_emulator/health", timeout=HTTP_TIMEOUT).status_code


@pytest.mark.parametrize("connection", ["keep-alive", "close"])
@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_body_gets_a_soap_fault(name, connection):
    resp = problem = None
    try:
        resp = _post("/services/Soap/u/" + API, GARBAGE[name], connection=connection)
    except requests.exceptions.ReadTimeout:
        problem = "no answer within %d s (the server hangs)" % HTTP_TIMEOUT
    except requests.exceptions.ConnectionError as e:
        problem = "the server closed the connection without an answer (%s)" % e
    assert _health() == 200, "the server stopped answering after a %s body" % name
    if problem:
        pytest.fail("%s body, Connection: %s: %s" % (name, connection, problem))
    fault = _parse_fault(resp)
    assert fault.find("faultcode").text
    assert fault.find("faultstring").text


def test_garbage_then_keep_alive_connection_still_serves(api):
    """A raw socket: garbage first, then (on a new connection) a real call still works."""
    url = urllib.parse.urlsplit(OMNI_URL)
    s = socket.create_connection((url.hostname, url.port or 80), timeout=HTTP_TIMEOUT)
    body = b"<<<>>>"
    try:
        s.sendall(b"POST /services/Soap/u/" + API.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        data = b""
        try:
            while b"</soapenv:Envelope>" not in data and b"</SOAP-ENV:Envelope>" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pytest.fail("no answer within %d s to a garbage body" % HTTP_TIMEOUT)
        assert data.startswith(b"HTTP/1.1 500"), data[:200]
        assert b"Fault>" in data
    finally:
        s.close()
    assert api.get_user_info().userId == api.user_id


def test_unknown_path_is_404():
    assert requests.get(OMNI_URL + "/no/such/page", timeout=HTTP_TIMEOUT).status_code == 404
    resp = _post("/services/Soap/x/" + API, _envelope(PARTNER_NS, "<a:getUserInfo/>"))
    assert resp.status_code == 404

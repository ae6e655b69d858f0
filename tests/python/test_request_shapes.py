"""Hand-built requests, raw XML over `requests`, as long-lived client libraries send them.

Salesforce matches the elements of a call by local name whatever namespace or prefix they carry
(none included), in the headers as in the body, and takes an sObject's type from its `type`
element or, when there is none, from its xsi:type. Every spelling below must create, update and
delete records on both APIs. And the broken ones: an element the server cannot place is a
soapenv:Client fault naming it as the client sent it; no operation answers an empty success for
a request that carried data.
"""
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import pytest
import requests
from lxml import etree

from conftest import ADMIN_PASSWORD, ADMIN_USER, API, OMNI_URL, ROLLED_BACK_MSG, unique_text

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
APIS = {
    "partner": ("u", "urn:partner.soap.sforce.com", "urn:sobject.partner.soap.sforce.com"),
    "enterprise": ("c", "urn:enterprise.soap.sforce.com", "urn:sobject.enterprise.soap.sforce.com"),
}
FOREIGN_CALL_NS = "urn:some.other.namespace"
JSFORCE_SOBJECT_NS = "sobject.partner.soap.sforce.com"  # what jsforce declares, sic


# ---------------------------------------------------------------------------------------------
# A tiny element tree, rendered in each spelling


@dataclass
class E:
    name: str
    children: Tuple = ()
    text: Optional[str] = None
    ns: str = "call"  # "call": the API namespace when qualified; "sobject": the sObject one
    attrs: Optional[Dict[str, str]] = None


def call_el(name, *children, text=None):
    return E(name, tuple(children), text, "call")


def so_el(name, *children, text=None, attrs=None):
    return E(name, tuple(children), text, "sobject", attrs)


@dataclass
class Spelling:
    name: str
    call_prefix: str  # "" = unprefixed
    sobject_prefix: str
    call_ns: Optional[str]  # namespace the call's elements are in (None: unqualified)
    declare_default_on_call: bool = False

    def decls(self, api):
        _, api_ns, sobject_ns = APIS[api]
        out = ""
        if self.call_prefix:
            out += ' xmlns:%s="%s"' % (self.call_prefix, self.call_ns_for(api))
        if self.sobject_prefix and self.sobject_prefix != self.call_prefix:
            out += ' xmlns:%s="%s"' % (self.sobject_prefix, self.sobject_ns_for(api))
        return out

    def call_ns_for(self, api):
        return APIS[api][1] if self.call_ns == "api" else self.call_ns

    def sobject_ns_for(self, api):
        if self.name == "foreign":
            return JSFORCE_SOBJECT_NS
        return APIS[api][2]

    def tag(self, el):
        prefix = self.call_prefix if el.ns == "call" else self.sobject_prefix
        return (prefix + ":" if prefix else "") + el.name

    def render(self, el, api, top=False):
        attrs = ""
        if top and self.declare_default_on_call:
            attrs += ' xmlns="%s"' % APIS[api][1]
        for k, v in (el.attrs or {}).items():
            attrs += ' %s="%s"' % (k, v)
        inner = "".join(self.render(c, api) for c in el.children)
        if el.text is not None:
            inner += el.text.replace("&", "&amp;").replace("<", "&lt;")
        return "<%s%s>%s</%s>" % (self.tag(el), attrs, inner, self.tag(el))

    # The namespace a server names an element of this spelling by.
    def ns_of_call_element(self, api):
        if self.declare_default_on_call:
            return APIS[api][1]
        return self.call_ns_for(api) if self.call_prefix else ""


SPELLINGS = [
    Spelling("qualified", "urn", "sf", "api"),
    Spelling("unqualified", "", "", None),
    Spelling("default-namespace", "", "", None, declare_default_on_call=True),
    Spelling("other-prefixes", "zz", "qq", "api"),
    Spelling("foreign", "f", "g", FOREIGN_CALL_NS),
]
SPELLING_IDS = [s.name for s in SPELLINGS]


def envelope(spelling, api, body_el, header_els=()):
    decls = spelling.decls(api)
    header = "".join(spelling.render(h, api, top=True) for h in header_els)
    return ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="%s" '
            'xmlns:xsi="%s"%s><soapenv:Header>%s</soapenv:Header><soapenv:Body>%s</soapenv:Body>'
            '</soapenv:Envelope>' % (SOAPENV, XSI, decls, header,
                                     spelling.render(body_el, api, top=True)))


def post(api, xml):
    path, _, _ = APIS[api]
    return requests.post("%s/services/Soap/%s/%s" % (OMNI_URL, path, API), data=xml.encode(),
                         timeout=30, headers={"Content-Type": "text/xml", "SOAPAction": '""'})


def session_header(session):
    return call_el("SessionHeader", call_el("sessionId", text=session))


_sessions = {}


def session_for(api):
    if api not in _sessions:
        q = SPELLINGS[0]
        r = post(api, envelope(q, api, call_el("login", call_el("username", text=ADMIN_USER),
                                                call_el("password", text=ADMIN_PASSWORD))))
        assert r.status_code == 200, r.text
        _sessions[api] = re.search(r"<sessionId>([^<]+)</sessionId>", r.text).group(1)
    return _sessions[api]


def send(api, spelling, body_el, headers=()):
    return post(api, envelope(spelling, api, body_el,
                              (session_header(session_for(api)),) + tuple(headers)))


def results(resp):
    assert resp.status_code == 200, resp.text
    root = etree.fromstring(resp.content)
    body = root.find("{%s}Body" % SOAPENV)
    return list(body[0])


def value(el, name):
    for c in el:
        if etree.QName(c).localname == name:
            return None if c.get("{%s}nil" % XSI) == "true" else (c.text or "")
    raise AssertionError("no %s in %s" % (name, etree.tostring(el)))


def fault(resp):
    assert resp.status_code == 500, resp.text
    f = etree.fromstring(resp.content).find("{%s}Body/{%s}Fault" % (SOAPENV, SOAPENV))
    assert f is not None, resp.text
    return f.findtext("faultcode"), f.findtext("faultstring")


def stored_case(api, rid):
    """The stored Case (Subject, IsDeleted), read with a plain qualified queryAll."""
    r = send(api, SPELLINGS[0], call_el("queryAll", call_el(
        "queryString", text="SELECT Id, Subject, IsDeleted FROM Case WHERE Id = '%s'" % rid)))
    [result] = results(r)
    recs = [c for c in result if etree.QName(c).localname == "records"]
    assert len(recs) == 1, r.text
    return value(recs[0], "Subject"), value(recs[0], "IsDeleted") == "true"


# sObjects: the type as a `type` element, or only as xsi:type (prefix bound as the spelling
# binds its sObject namespace; unprefixed when the spelling declares none).
def case(spelling, type_style, *fields):
    kids = list(fields)
    attrs = None
    if type_style == "type-element":
        kids.insert(0, so_el("type", text="Case"))
    else:
        prefix = spelling.sobject_prefix
        attrs = {"xsi:type": (prefix + ":Case") if prefix else "Case"}
    return E("sObjects", tuple(kids), None, "call", attrs)


# ---------------------------------------------------------------------------------------------
# Accepted spellings


@pytest.mark.parametrize("type_style", ["type-element", "xsi-type"])
@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLING_IDS)
@pytest.mark.parametrize("api", list(APIS))
def test_create_update_delete_in_every_spelling(api, spelling, type_style):
    subject = unique_text(prefix="shape ")
    [r] = results(send(api, spelling, call_el(
        "create", case(spelling, type_style, so_el("Subject", text=subject)))))
    assert value(r, "success") == "true", etree.tostring(r)
    rid = value(r, "id")
    assert stored_case(api, rid) == (subject, False)

    renamed = subject + " renamed"
    [r] = results(send(api, spelling, call_el("update", case(
        spelling, type_style, so_el("Id", text=rid), so_el("Subject", text=renamed)))))
    assert value(r, "success") == "true", etree.tostring(r)
    assert stored_case(api, rid) == (renamed, False)

    [r] = results(send(api, spelling, call_el("update", case(
        spelling, type_style, so_el("Id", text=rid), so_el("fieldsToNull", text="Subject")))))
    assert value(r, "success") == "true", etree.tostring(r)
    assert stored_case(api, rid) == (None, False)

    [r] = results(send(api, spelling, call_el("retrieve", call_el("fieldList", text="Id"),
                                              call_el("sObjectType", text="Case"),
                                              call_el("ids", text=rid))))
    assert value(r, "Id") == rid

    [r] = results(send(api, spelling, call_el("delete", call_el("ids", text=rid))))
    assert value(r, "success") == "true", etree.tostring(r)
    assert stored_case(api, rid) == (None, True)

    [r] = results(send(api, spelling, call_el("undelete", call_el("ids", text=rid))))
    assert value(r, "success") == "true", etree.tostring(r)
    assert stored_case(api, rid) == (None, False)


@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLING_IDS)
@pytest.mark.parametrize("api", list(APIS))
def test_upsert_in_every_spelling(api, spelling):
    first, second = results(send(api, spelling, call_el(
        "upsert", call_el("externalIDFieldName", text="Id"),
        case(spelling, "type-element", so_el("Subject", text=unique_text())),
        case(spelling, "xsi-type", so_el("Subject", text=unique_text())))))
    assert value(first, "success") == "true" and value(first, "created") == "true"
    assert value(second, "success") == "true" and value(second, "created") == "true"


@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLING_IDS)
@pytest.mark.parametrize("api", list(APIS))
def test_all_or_none_header_in_every_spelling(api, spelling):
    r = send(api, spelling, call_el(
        "create", case(spelling, "type-element", so_el("Subject", text="x" * 256)),
        case(spelling, "type-element", so_el("Subject", text=unique_text()))),
        headers=[call_el("AllOrNoneHeader", call_el("allOrNone", text="true"))])
    bad, good = results(r)
    assert value(bad, "success") == "false" and value(good, "success") == "false"
    assert good.findtext(".//{*}message") == ROLLED_BACK_MSG


@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLING_IDS)
@pytest.mark.parametrize("api", list(APIS))
def test_query_and_describe_in_every_spelling(api, spelling):
    [r] = results(send(api, spelling, call_el(
        "query", call_el("queryString", text="SELECT Id FROM Profile LIMIT 1"))))
    assert value(r, "size") == "1"
    described = results(send(api, spelling, call_el(
        "describeSObjects", call_el("sObjectType", text="Case"),
        call_el("sObjectType", text="Profile"))))
    assert [value(d, "name") for d in described] == ["Case", "Profile"]
    [u] = results(send(api, spelling, call_el("getUserInfo")))
    assert value(u, "userName") == ADMIN_USER


@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLING_IDS)
@pytest.mark.parametrize("api", list(APIS))
def test_login_in_every_spelling(api, spelling):
    r = post(api, envelope(spelling, api, call_el(
        "login", call_el("username", text=ADMIN_USER), call_el("password", text=ADMIN_PASSWORD))))
    assert r.status_code == 200, r.text
    assert re.search(r"<sessionId>[^<]+</sessionId>", r.text)


def test_unknown_header_entry_is_skipped():
    # SOAP lets a receiver skip header entries it has no use for (WS-Security, tracing, ...).
    r = send("partner", SPELLINGS[0], call_el("getUserInfo"),
             headers=[E("TraceHeader", (E("traceId", text="1"),), None, "call")])
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------------------------------------
# Broken requests: faults that name the element, never an empty answer

ANY_ID = "500000000000001AAA"


def operation_bodies(spelling):
    """Every operation the emulator serves, each with minimal valid arguments."""
    return {
        "create": [case(spelling, "type-element", so_el("Subject", text="x"))],
        "update": [case(spelling, "type-element", so_el("Id", text=ANY_ID))],
        "upsert": [call_el("externalIDFieldName", text="Id"),
                   case(spelling, "type-element", so_el("Subject", text="x"))],
        "delete": [call_el("ids", text=ANY_ID)],
        "undelete": [call_el("ids", text=ANY_ID)],
        "retrieve": [call_el("fieldList", text="Id"), call_el("sObjectType", text="Case"),
                     call_el("ids", text=ANY_ID)],
        "query": [call_el("queryString", text="SELECT Id FROM Case")],
        "queryAll": [call_el("queryString", text="SELECT Id FROM Case")],
        "queryMore": [call_el("queryLocator", text="01g000000000001AAA-200")],
        "describeGlobal": [],
        "describeSObject": [call_el("sObjectType", text="Case")],
        "describeSObjects": [call_el("sObjectType", text="Case")],
        "getUpdated": [call_el("sObjectType", text="Case"),
                       call_el("startDate", text="2026-01-01T00:00:00Z"),
                       call_el("endDate", text="2026-01-02T00:00:00Z")],
        "getDeleted": [call_el("sObjectType", text="Case"),
                       call_el("startDate", text="2026-01-01T00:00:00Z"),
                       call_el("endDate", text="2026-01-02T00:00:00Z")],
        "getUserInfo": [],
        "getServerTimestamp": [],
        "logout": [],
        "login": [call_el("username", text=ADMIN_USER), call_el("password", text="wrong")],
    }


OPERATIONS = list(operation_bodies(SPELLINGS[0]))


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLING_IDS)
@pytest.mark.parametrize("api", list(APIS))
def test_unplaceable_element_is_a_client_fault_naming_it(api, spelling, operation):
    args = operation_bodies(spelling)[operation] + [call_el("bogusElement", text="1")]
    r = send(api, spelling, call_el(operation, *args))
    code, text = fault(r)
    assert code == "soapenv:Client"
    assert text == "Element {%s}bogusElement invalid at this location" % \
        spelling.ns_of_call_element(api)


@pytest.mark.parametrize("operation,misspelled", [
    ("create", "sObject"), ("update", "sobjects"), ("upsert", "records"),
    ("delete", "id"), ("undelete", "Ids"), ("retrieve", "id"),
    ("describeSObjects", "sObjectTypes")])
@pytest.mark.parametrize("api", list(APIS))
def test_misspelled_records_element_is_a_fault_not_an_empty_answer(api, operation, misspelled):
    q = SPELLINGS[1]  # unqualified, as the PHP toolkit's `item` arrays arrive
    args = [a for a in operation_bodies(q)[operation] if a.name not in ("sObjects", "ids")
            and not (operation == "describeSObjects" and a.name == "sObjectType")]
    args.append(E(misspelled, (so_el("type", text="Case"),) if operation in
                  ("create", "update", "upsert") else (), None if operation in
                  ("create", "update", "upsert") else ANY_ID, "call"))
    code, text = fault(send(api, q, call_el(operation, *args)))
    assert (code, text) == ("soapenv:Client", "Element {}%s invalid at this location" % misspelled)


@pytest.mark.parametrize("api", list(APIS))
def test_unplaceable_element_inside_a_header_is_named(api):
    q = SPELLINGS[0]
    header = call_el("SessionHeader", call_el("sessionId", text=session_for(api)),
                     call_el("sessionToken", text="x"))
    code, text = fault(post(api, envelope(q, api, call_el("getUserInfo"), [header])))
    assert (code, text) == ("soapenv:Client",
                            "Element {%s}sessionToken invalid at this location" % APIS[api][1])


@pytest.mark.parametrize("operation", ["create", "update", "upsert", "delete", "undelete"])
@pytest.mark.parametrize("api", list(APIS))
def test_an_empty_array_answers_an_empty_response(api, operation):
    # Nothing carried, nothing dropped: the response element with no result, as a document/literal
    # service answers an empty array.
    args = [call_el("externalIDFieldName", text="Id")] if operation == "upsert" else []
    r = send(api, SPELLINGS[0], call_el(operation, *args))
    assert results(r) == []
    assert re.search(r"<%sResponse/>" % operation, r.text), r.text


@pytest.mark.parametrize("api", list(APIS))
def test_a_field_element_outside_an_sobject_is_named(api):
    # The fields of a record placed beside it instead of inside it.
    q = SPELLINGS[0]
    code, text = fault(send(api, q, call_el(
        "create", case(q, "type-element"), so_el("Subject", text="x"))))
    assert code == "soapenv:Client"
    assert text == "Element {%s}Subject invalid at this location" % APIS[api][2]


@pytest.mark.parametrize("api", list(APIS))
def test_a_nil_or_empty_sobject_is_refused_not_dropped(api):
    q = SPELLINGS[0]
    message = ("Missing entity type information. sObject requires a separate 'type' field be sent."
               if api == "partner" else "Must send a concrete entity type.")
    for sobject in (E("sObjects", (), None, "call", {"xsi:nil": "true"}),
                    E("sObjects", (), None, "call")):
        code, text = fault(send(api, q, call_el("create", sobject)))
        assert (code, text) == ("sf:INVALID_TYPE", "INVALID_TYPE: " + message)


@pytest.mark.parametrize("api", list(APIS))
def test_a_nil_id_is_a_per_record_error(api):
    [r] = results(send(api, SPELLINGS[0], call_el("delete", E("ids", (), None, "call",
                                                                {"xsi:nil": "true"}))))
    assert value(r, "success") == "false"
    assert r.findtext(".//{*}statusCode") == "MALFORMED_ID"


@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLING_IDS)
@pytest.mark.parametrize("api", list(APIS))
def test_query_options_header_is_read_in_every_spelling(api, spelling):
    # Read, not skipped: a batchSize that is not a number is refused, a good one accepted.
    query = call_el("query", call_el("queryString", text="SELECT Id FROM Profile LIMIT 1"))
    ok = send(api, spelling, query, headers=[call_el("QueryOptions",
                                                     call_el("batchSize", text="200"))])
    assert ok.status_code == 200, ok.text
    code, text = fault(send(api, spelling, query, headers=[
        call_el("QueryOptions", call_el("batchSize", text="many"))]))
    assert code == "soapenv:Client", text

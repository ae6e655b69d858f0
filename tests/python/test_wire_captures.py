"""Whole response envelopes against the real Salesforce captures of the wire notes, as canonical XML.

Each test sends the request behind a capture (tests/python/captures/, copied from the notes) as raw
XML and diffs the emulator's entire envelope with the capture: every element and attribute, by
namespace and local name (prefixes are not compared, except where a value is a QName such as
xsi:type, which is compared resolved), in order, with the text of every element. Only what differs
by nature between two orgs is normalised, each named below: Salesforce Ids, session ids, the host
and API version in URLs, the LimitInfoHeader's usage and limit, and the org data a capture happens to carry
(user names, the text of a per-record error about that org's own Profile).
"""
import os
import re

import requests
from lxml import etree

from conftest import ADMIN_PASSWORD, ADMIN_USER, API, OMNI_URL, unique_text

CAPTURES = os.path.join(os.path.dirname(__file__), "captures")
PARTNER = OMNI_URL + "/services/Soap/u/" + API
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ID_RE = re.compile(r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")
SESSION_RE = re.compile(r"^[a-zA-Z0-9]{15}![A-Za-z0-9._]+$")
URL_RE = re.compile(r"^https?://[^/]+(/services/Soap/[umc])/[0-9.]+/([a-zA-Z0-9]{15})$")


def capture(name):
    with open(os.path.join(CAPTURES, name), "rb") as f:
        return f.read()


def post(body, url=PARTNER):
    return requests.post(url, data=body.encode(), timeout=30,
                         headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'})


def login_session():
    r = post(LOGIN % (ADMIN_USER, ADMIN_PASSWORD))
    assert r.status_code == 200, r.text
    return re.search(r"<sessionId>([^<]+)</sessionId>", r.text).group(1)


LOGIN = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
         'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Body><urn:login>'
         '<urn:username>%s</urn:username><urn:password>%s</urn:password></urn:login>'
         '</soapenv:Body></soapenv:Envelope>')


def call(session, body):
    return post('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:urn="urn:partner.soap.sforce.com" '
                'xmlns:sf="urn:sobject.partner.soap.sforce.com"><soapenv:Header>'
                '<urn:SessionHeader><urn:sessionId>%s</urn:sessionId></urn:SessionHeader>'
                '</soapenv:Header><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>'
                % (session, body))


def normalise_text(text, data_element):
    text = (text or "").strip()
    if data_element:
        return "<DATA>"
    if SESSION_RE.match(text):
        return "<SESSION>"
    m = URL_RE.match(text)
    if m:
        return "<HOST>%s/<VER>/<ORG>" % m.group(1)
    if ID_RE.match(text) and any(c.isdigit() for c in text) and text not in ("true", "false"):
        return "<ID>"
    return text


def canonical(xml, data=(), drop=()):
    """The envelope as nested tuples: ({ns}name, attributes, text, children).

    `data` names elements whose content is org data (their text and nil-ness become <DATA>);
    `drop` names elements removed before comparing (each use says why)."""
    root = etree.fromstring(xml)

    def walk(el):
        q = etree.QName(el)
        is_data = q.localname in data
        attrs = {}
        for k, v in el.attrib.items():
            if k == "{%s}nil" % XSI and is_data:
                continue
            if k == "{%s}type" % XSI and ":" in v:
                prefix, local = v.split(":", 1)
                v = "{%s}%s" % (el.nsmap.get(prefix), local)
            elif k == "{%s}type" % XSI:
                v = "{%s}%s" % (el.nsmap.get(None), v)
            attrs[k] = v
        kids = [walk(c) for c in el if isinstance(c.tag, str)
                and etree.QName(c).localname not in drop]
        if q.localname in ("current", "limit") and \
                etree.QName(el.getparent()).localname == "limitInfo":
            text = "<COUNT>"  # the org's usage and its edition's limit
        else:
            text = normalise_text(el.text, is_data) if not kids else ""
        return ("{%s}%s" % (q.namespace, q.localname), tuple(sorted(attrs.items())), text,
                tuple(kids))

    return walk(root)


def lines(tree, depth=0):
    tag, attrs, text, kids = tree
    out = ["  " * depth + tag + "".join(" %s=%s" % a for a in attrs) + (" = " + text if text else "")]
    for k in kids:
        out.extend(lines(k, depth + 1))
    return out


def assert_same(ours, theirs):
    a, b = lines(ours), lines(theirs)
    assert a == b, "\n".join(
        ["ours:"] + a + ["", "capture:"] + b)


def declared_default(xml):
    return etree.fromstring(xml).nsmap.get(None)


# ---------------------------------------------------------------------------------------------

# The capture is API 37; API 44's GetUserInfoResult adds these two (required) elements.
V44_USERINFO_ADDITIONS = ("chatterExternal", "orgDefaultCurrencyLocale")
USER_DATA = ("organizationName", "profileId", "roleId", "sessionSecondsValid", "userEmail",
             "userFullName", "userName", "userTimeZone", "sandbox", "userLocale", "userLanguage")


def test_login_envelope_is_the_capture():
    r = post(LOGIN % (ADMIN_USER, ADMIN_PASSWORD))
    assert r.status_code == 200
    assert declared_default(r.content) == "urn:partner.soap.sforce.com"
    # The v37 capture has userLanguage before userId; the v44 WSDL's sequence (which schema-driven
    # clients such as zeep enforce) has userId first, and so does the emulator.
    theirs = capture("login.xml").replace(
        b"<userLanguage>en_US</userLanguage><userId>000606060606WH5AAO</userId>",
        b"<userId>000606060606WH5AAO</userId><userLanguage>en_US</userLanguage>")
    assert_same(canonical(r.content, data=USER_DATA, drop=V44_USERINFO_ADDITIONS),
                canonical(theirs, data=USER_DATA))
    # Clients that match on text (jsforce) find the elements unprefixed.
    for tag in ("serverUrl", "sessionId", "userId", "organizationId"):
        assert re.search(r"<%s>[^<]+</%s>" % (tag, tag), r.text), tag


def test_login_fault_is_the_capture_byte_for_byte():
    r = post(LOGIN % (ADMIN_USER, "wrong-password"))
    assert r.status_code == 500
    assert_same(canonical(r.content), canonical(capture("login_fault.xml")))
    assert r.content.strip() == capture("login_fault.xml").strip()


def test_invalid_session_fault_is_the_capture():
    r = call("Illegal", "<urn:getUserInfo/>")
    assert r.status_code == 500
    assert_same(canonical(r.content), canonical(capture("invalid_session.xml")))


def test_create_with_per_record_error_is_the_capture():
    # A Profile without its required Name: one per-record error naming one field. The capture's
    # error is about that org's own Profile names, so its text is org data here.
    r = call(login_session(), "<urn:create><urn:sObjects><sf:type>Profile</sf:type>"
                              "<sf:Description>x</sf:Description></urn:sObjects></urn:create>")
    assert r.status_code == 200
    assert "<errors><fields>Name</fields><message>Required fields are missing: [Name]</message>" \
           "<statusCode>REQUIRED_FIELD_MISSING</statusCode></errors>" in r.text
    data = ("message", "statusCode")
    assert_same(canonical(r.content, data=data), canonical(capture("create_errors.xml"), data=data))


def test_create_success_is_the_capture():
    r = call(login_session(), "<urn:create><urn:sObjects><sf:type>Profile</sf:type>"
                              "<sf:Name>%s</sf:Name></urn:sObjects></urn:create>" % unique_text())
    assert r.status_code == 200
    assert_same(canonical(r.content), canonical(capture("create_success.xml")))
    assert re.search(r"<createResponse><result><id>[a-zA-Z0-9]{18}</id><success>true</success>"
                     r"</result></createResponse>", r.text)


def test_query_is_the_capture():
    session = login_session()
    ids = []
    for _ in range(2):
        r = call(session, "<urn:create><urn:sObjects><sf:type>Profile</sf:type>"
                          "<sf:Name>%s</sf:Name></urn:sObjects></urn:create>" % unique_text())
        ids.append(re.search(r"<id>([^<]+)</id>", r.text).group(1))
    soql = "SELECT Id, Name FROM Profile WHERE Id IN ('%s', '%s') ORDER BY Name" % tuple(ids)
    r = call(session, "<urn:query><urn:queryString>%s</urn:queryString></urn:query>" % soql)
    assert r.status_code == 200
    # The capture's rows are Contacts with their names: the object and names are data here.
    data = ("type", "Name")
    assert_same(canonical(r.content, data=data), canonical(capture("query.xml"), data=data))
    assert 'xmlns:sf="urn:sobject.partner.soap.sforce.com"' in r.text
    assert r.text.count('<records xsi:type="sf:sObject">') == 2
    assert '<result xsi:type="QueryResult">' in r.text


def test_query_invalid_field_fault_is_the_capture():
    # The capture's query, on an object of this org: everything else is Salesforce's text.
    r = call(login_session(), "<urn:query><urn:queryString>select adfId, Name, Account.Name from "
                              "Profile</urn:queryString></urn:query>")
    assert r.status_code == 500
    expected = capture("query_invalid_field.xml").replace(b"Contact", b"Profile")
    assert_same(canonical(r.content), canonical(expected))


def test_describe_sobjects_is_the_capture():
    r = call(login_session(), "<urn:describeSObjects><urn:sObjectType>Profile</urn:sObjectType>"
                              "<urn:sObjectType>Group</urn:sObjectType></urn:describeSObjects>")
    assert r.status_code == 200
    ours = etree.fromstring(r.content)
    # The capture elides each result's content and predates the LimitInfoHeader (API 10.0), which
    # API 44 declares on describeSObjects' output: both are left out of the comparison.
    for result in ours.iter("{urn:partner.soap.sforce.com}result"):
        for child in list(result):
            result.remove(child)
        result.text = "..."
    assert_same(canonical(etree.tostring(ours), drop=("Header",)),
                canonical(capture("describe_sobjects.xml")))
    assert ours.find("{http://schemas.xmlsoap.org/soap/envelope/}Header") is not None


def test_values_in_salesforce_text_forms():
    # Doubles as Salesforce (Java) writes them, ints bare, booleans lower-case, datetimes in UTC
    # with milliseconds, nulls as xsi:nil, on both APIs.
    session = login_session()
    name = unique_text()
    r = call(session, "<urn:create><urn:sObjects><sf:type>QueueRoutingConfig</sf:type>"
                      "<sf:MasterLabel>%s</sf:MasterLabel><sf:DeveloperName>%s</sf:DeveloperName>"
                      "<sf:CapacityWeight>2</sf:CapacityWeight>"
                      "<sf:CapacityPercentage>12345678</sf:CapacityPercentage>"
                      "<sf:PushTimeout>30</sf:PushTimeout><sf:RoutingModel>MostAvailable"
                      "</sf:RoutingModel><sf:RoutingPriority>1</sf:RoutingPriority></urn:sObjects>"
                      "</urn:create>" % (name, name))
    rid = re.search(r"<id>([^<]+)</id>", r.text).group(1)
    soql = ("SELECT Id, CapacityWeight, CapacityPercentage, PushTimeout, IsDeleted, CreatedDate, "
            "OverflowAssigneeId FROM QueueRoutingConfig WHERE Id = '%s'" % rid)
    r = call(session, "<urn:query><urn:queryString>%s</urn:queryString></urn:query>" % soql)
    assert "<sf:CapacityWeight>2.0</sf:CapacityWeight>" in r.text
    assert "<sf:CapacityPercentage>1.2345678E7</sf:CapacityPercentage>" in r.text
    assert "<sf:PushTimeout>30</sf:PushTimeout>" in r.text
    assert "<sf:IsDeleted>false</sf:IsDeleted>" in r.text
    assert '<sf:OverflowAssigneeId xsi:nil="true"/>' in r.text
    assert re.search(r"<sf:CreatedDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z</sf:CreatedDate>",
                     r.text)
    enterprise = OMNI_URL + "/services/Soap/c/" + API
    e = post(LOGIN.replace("urn:partner", "urn:enterprise") % (ADMIN_USER, ADMIN_PASSWORD),
             enterprise)
    esession = re.search(r"<sessionId>([^<]+)</sessionId>", e.text).group(1)
    e = post('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
             'xmlns:urn="urn:enterprise.soap.sforce.com"><soapenv:Header><urn:SessionHeader>'
             '<urn:sessionId>%s</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body>'
             '<urn:query><urn:queryString>%s</urn:queryString></urn:query></soapenv:Body>'
             '</soapenv:Envelope>' % (esession, soql), enterprise)
    assert declared_default(e.content) == "urn:enterprise.soap.sforce.com"
    assert '<records xsi:type="sf:QueueRoutingConfig">' in e.text
    assert "<sf:CapacityWeight>2.0</sf:CapacityWeight>" in e.text
    assert "<sf:CapacityPercentage>1.2345678E7</sf:CapacityPercentage>" in e.text


def test_limit_info_header_on_every_call_but_login():
    # Wire notes §1.2: every core call but login declares LimitInfoHeader among its output headers;
    # the API REQUESTS usage grows with each call.
    session = login_session()
    seen = []
    for body in ("<urn:getUserInfo/>", "<urn:getServerTimestamp/>", "<urn:describeGlobal/>",
                 "<urn:describeSObject><urn:sObjectType>Case</urn:sObjectType></urn:describeSObject>",
                 "<urn:query><urn:queryString>SELECT Id FROM Case LIMIT 1</urn:queryString>"
                 "</urn:query>",
                 "<urn:retrieve><urn:fieldList>Id</urn:fieldList><urn:sObjectType>Case"
                 "</urn:sObjectType><urn:ids>500000000000001AAA</urn:ids></urn:retrieve>",
                 "<urn:delete><urn:ids>500000000000001AAA</urn:ids></urn:delete>"):
        r = call(session, body)
        assert r.status_code == 200, r.text
        m = re.search(r"^<\?xml[^>]*\?><soapenv:Envelope [^>]*><soapenv:Header><LimitInfoHeader>"
                      r"<limitInfo><current>(\d+)</current><limit>(\d+)</limit>"
                      r"<type>API REQUESTS</type></limitInfo></LimitInfoHeader></soapenv:Header>"
                      r"<soapenv:Body>", r.text)
        assert m, r.text[:400]
        seen.append(int(m.group(1)))
        assert int(m.group(2)) > int(m.group(1))
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    r = post(LOGIN % (ADMIN_USER, ADMIN_PASSWORD))
    assert "LimitInfoHeader" not in r.text and "<soapenv:Header>" not in r.text

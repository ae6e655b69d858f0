"""Empty text is null, as in an org: Salesforce keeps no empty strings, so an empty element for a
text field stores nothing (the record answers xsi:nil) and an empty required text field is
missing."""
import requests
from lxml import etree

from conftest import ADMIN_PASSWORD, ADMIN_USER, OMNI_URL, unique_text

ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns="urn:partner.soap.sforce.com" xmlns:sf="urn:sobject.partner.soap.sforce.com">'
       '<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>'
       '</soapenv:Envelope>')
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def post(header, body):
    r = requests.post(OMNI_URL + "/services/Soap/u/44.0",
                      data=ENV.format(header=header, body=body).encode(),
                      headers={"Content-Type": "text/xml", "SOAPAction": '""'}, timeout=30)
    return etree.fromstring(r.content)


def named(root, local):
    return [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == local]


def session_header():
    root = post("", "<login><username>%s</username><password>%s</password></login>"
                % (ADMIN_USER, ADMIN_PASSWORD))
    return "<SessionHeader><sessionId>%s</sessionId></SessionHeader>" % named(root, "sessionId")[0].text


def test_empty_text_is_stored_as_null_and_required_text_is_missing():
    h = session_header()
    ids = []
    for empty in ("<sf:Subject></sf:Subject>", "<sf:Subject/>"):
        root = post(h, "<create><sObjects><sf:type>Case</sf:type>%s</sObjects></create>" % empty)
        assert named(root, "success")[0].text == "true", etree.tostring(root)[:500]
        ids.append(named(root, "id")[0].text)
    root = post(h, "<retrieve><fieldList>Subject</fieldList><sObjectType>Case</sObjectType>"
                   "<ids>%s</ids><ids>%s</ids></retrieve>" % tuple(ids))
    values = named(root, "Subject")
    assert len(values) == 2, etree.tostring(root)[:800]
    for value in values:
        assert value.get(XSI_NIL) == "true" and not value.text, etree.tostring(root)[:800]
    case_id = ids[0]
    # Emptying a field with an update clears it, as fieldsToNull does.
    post(h, "<update><sObjects><sf:type>Case</sf:type><sf:Id>%s</sf:Id><sf:Subject>%s"
            "</sf:Subject></sObjects></update>" % (case_id, unique_text()))
    root = post(h, "<update><sObjects><sf:type>Case</sf:type><sf:Id>%s</sf:Id><sf:Subject>"
                   "</sf:Subject></sObjects></update>" % case_id)
    assert named(root, "success")[0].text == "true"
    root = post(h, "<retrieve><fieldList>Subject</fieldList><sObjectType>Case</sObjectType>"
                   "<ids>%s</ids></retrieve>" % case_id)
    assert named(root, "Subject")[0].get(XSI_NIL) == "true"
    # A required text field sent empty is missing (ServicePresenceStatus.MasterLabel).
    root = post(h, "<create><sObjects><sf:type>ServicePresenceStatus</sf:type>"
                   "<sf:DeveloperName>%s</sf:DeveloperName><sf:MasterLabel></sf:MasterLabel>"
                   "</sObjects></create>" % unique_text())
    assert named(root, "success")[0].text == "false", etree.tostring(root)[:500]
    assert named(root, "statusCode")[0].text == "REQUIRED_FIELD_MISSING"
    assert [f.text for f in named(root, "fields")] == ["MasterLabel"]

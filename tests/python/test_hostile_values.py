"""Hostile values end to end: values PostgreSQL would refuse or that would break a response are
answered with Salesforce-shaped errors, and no answer echoes a whole megabyte back."""
import requests
from lxml import etree

from conftest import PARTNER_NS, PARTNER_SOBJECT_NS

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"


def _create(api, fields_xml):
    body = ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="%s" xmlns:p="%s" '
            'xmlns:sf="%s"><s:Header><p:SessionHeader><p:sessionId>%s</p:sessionId>'
            '</p:SessionHeader></s:Header><s:Body><p:create><p:sObjects><sf:type>Profile</sf:type>'
            '%s</p:sObjects></p:create></s:Body></s:Envelope>'
            % (SOAPENV, PARTNER_NS, PARTNER_SOBJECT_NS, api.session_id, fields_xml))
    return requests.post(api.login_result.serverUrl, data=body.encode(),
                         headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
                         timeout=60)


def _query(api, soql):
    body = ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="%s" xmlns:p="%s">'
            '<s:Header><p:SessionHeader><p:sessionId>%s</p:sessionId></p:SessionHeader>'
            '</s:Header><s:Body><p:query><p:queryString>%s</p:queryString></p:query></s:Body>'
            '</s:Envelope>' % (SOAPENV, PARTNER_NS, api.session_id, soql))
    return requests.post(api.login_result.serverUrl, data=body.encode(),
                         headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
                         timeout=60)


def _fault(resp):
    assert resp.status_code == 500, (resp.status_code, resp.text[:300])
    doc = etree.fromstring(resp.content)
    fault = doc.find("{%s}Body/{%s}Fault" % (SOAPENV, SOAPENV))
    assert fault is not None, resp.text[:300]
    return fault.find("faultcode").text, fault.find("faultstring").text


def _result(resp):
    assert resp.status_code == 200, (resp.status_code, resp.text[:300])
    doc = etree.fromstring(resp.content)
    return doc.find(".//{%s}result" % PARTNER_NS)


def test_field_holding_an_element_is_refused_not_stored_empty(api):
    code, text = _fault(_create(api, "<sf:Name><b>bold</b></sf:Name>"))
    assert code == "sf:UNKNOWN_EXCEPTION"
    assert text == "UNKNOWN_EXCEPTION: Unexpected element {}b during simple type deserialization"


def test_control_character_never_reaches_the_database(api):
    resp = _create(api, "<sf:Name>bad&#1;name</sf:Name>")
    if resp.status_code == 500:
        # Once the XML guard runs in the transport, the envelope itself is refused.
        code, text = _fault(resp)
        assert code == "soapenv:Client", text
        assert "not allowed in XML 1.0" in text
        return
    result = _result(resp)
    assert result.find("{%s}success" % PARTNER_NS).text == "false"
    errors = result.find("{%s}errors" % PARTNER_NS)
    assert errors.find("{%s}statusCode" % PARTNER_NS).text == "FIELD_INTEGRITY_EXCEPTION"
    assert errors.find("{%s}message" % PARTNER_NS).text.startswith(
        "Name: value holds a character that is not allowed")


def test_a_megabyte_value_is_echoed_as_an_excerpt(api):
    resp = _create(api, "<sf:Name>%s</sf:Name>" % ("x" * (1 << 20)))
    assert len(resp.content) < 4000
    errors = _result(resp).find("{%s}errors" % PARTNER_NS)
    assert errors.find("{%s}statusCode" % PARTNER_NS).text == "STRING_TOO_LONG"
    assert errors.find("{%s}message" % PARTNER_NS).text.endswith("... (max length=255)")


def test_a_long_query_fault_shows_a_window(api):
    resp = _query(api, "SELECT Id FROM Profile WHERE Name = '%s' AND Bogus__c = 1" % ("a" * 50000))
    code, text = _fault(resp)
    assert code == "sf:INVALID_FIELD"
    assert len(text) < 1000
    assert "Bogus__c" in text


def test_date_literals_with_huge_n_answer(api):
    for literal in ("LAST_N_YEARS:100000", "NEXT_N_YEARS:100000", "LAST_N_MONTHS:100000",
                    "NEXT_N_QUARTERS:100000"):
        resp = _query(api, "SELECT Id FROM Profile WHERE CreatedDate = %s" % literal)
        result = _result(resp)
        assert result.find("{%s}done" % PARTNER_NS).text == "true", literal
    code, _ = _fault(_query(api, "SELECT Id FROM Profile WHERE CreatedDate = NEXT_N_DAYS:999999999"))
    assert code == "sf:MALFORMED_QUERY"

"""Hostile XML end to end: the XML guard (server/soap/xml_guard.h) refuses a body before gSOAP
parses it, with a clean soapenv:Client fault, quickly."""
import time

import pytest
import requests
from lxml import etree

from conftest import PARTNER_NS

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"


def _post(api, inner, prolog=""):
    body = ('%s<s:Envelope xmlns:s="%s" xmlns:p="%s"><s:Header><p:SessionHeader><p:sessionId>%s'
            '</p:sessionId></p:SessionHeader></s:Header><s:Body>%s</s:Body></s:Envelope>'
            % (prolog, SOAPENV, PARTNER_NS, api.session_id, inner))
    return requests.post(api.login_result.serverUrl, data=body.encode("utf-8", "surrogatepass"),
                         headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
                         timeout=60)


def _client_fault(resp):
    assert resp.status_code == 500, (resp.status_code, resp.text[:300])
    fault = etree.fromstring(resp.content).find("{%s}Body/{%s}Fault" % (SOAPENV, SOAPENV))
    assert fault.find("faultcode").text == "soapenv:Client"
    text = fault.find("faultstring").text
    assert len(text) < 400
    return text


@pytest.mark.parametrize("prolog,inner,expected", [
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>', "<p:getUserInfo/>",
     "DOCTYPE declarations are not allowed"),
    ("", "<p:query><p:queryString>&e;</p:queryString></p:query>", "undefined entity"),
    ("", "<p:query><p:queryString>&#0;</p:queryString></p:query>", "character reference"),
    ("", "<p:query><p:queryString>\x01</p:queryString></p:query>", "not allowed in XML 1.0"),
    ("", "<?php x?><p:getUserInfo/>", "processing instructions are not allowed"),
])
def test_hostile_constructs_are_client_faults(api, prolog, inner, expected):
    assert expected in _client_fault(_post(api, inner, prolog))


@pytest.mark.parametrize("flood", [
    "<p:getUserInfo %s/>" % " ".join('a%d="1"' % i for i in range(100000)),
    "<p:getUserInfo %s/>" % " ".join('xmlns:n%d="urn:x"' % i for i in range(100000)),
    "<p:x>" * 100000 + "</p:x>" * 100000,
])
def test_floods_are_refused_at_once(api, flood):
    start = time.monotonic()
    text = _client_fault(_post(api, flood))
    assert "more than" in text or "deeper than" in text, text
    assert time.monotonic() - start < 5

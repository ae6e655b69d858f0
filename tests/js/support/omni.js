'use strict';
// Shared helpers for the npm `soap` suites: clients for the served WSDLs, login, typed sObjects,
// fault and per-record error assertions, and Salesforce Id arithmetic.
const assert = require('node:assert/strict');
const soap = require('soap');

const OMNI_URL = (process.env.OMNI_URL || 'http://localhost:18044').replace(/\/+$/, '');
const USERNAME = process.env.OMNI_USERNAME || 'admin@omni.local';
const PASSWORD = process.env.OMNI_PASSWORD || 'password';

const NS = {
  enterprise: 'urn:enterprise.soap.sforce.com',
  enterpriseSObject: 'urn:sobject.enterprise.soap.sforce.com',
  enterpriseFault: 'urn:fault.enterprise.soap.sforce.com',
  partner: 'urn:partner.soap.sforce.com',
  partnerSObject: 'urn:sobject.partner.soap.sforce.com',
  partnerFault: 'urn:fault.partner.soap.sforce.com',
};

// A name part unique to this run (the server is shared with other suites and earlier runs).
const RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`.toUpperCase();

// flavor: 'enterprise' | 'partner'. The client is built from the WSDL the server serves.
async function newClient(flavor, base = OMNI_URL) {
  return soap.createClientAsync(`${base}/services/wsdl/${flavor}`, {
    handleNilAsNull: true,
    // The server answers faults with HTTP 500; soap rejects them with the parsed envelope.
    returnFault: false,
  });
}

// Logs in and points the client at serverUrl with a SessionHeader, as Salesforce clients do.
// base: another server than OMNI_URL (the suites that start servers of their own).
async function loginClient(flavor = 'enterprise', username = USERNAME, password = PASSWORD,
  base = OMNI_URL) {
  const client = await newClient(flavor, base);
  const [res] = await client.loginAsync({ username, password });
  const login = res.result;
  setSession(client, flavor, login.sessionId);
  client.setEndpoint(login.serverUrl);
  return { client, login };
}

function setSession(client, flavor, sessionId) {
  client.clearSoapHeaders();
  client.addSoapHeader({ SessionHeader: { sessionId } }, '', 'tns', NS[flavor]);
}

// An enterprise sObject of a concrete type: xsi:type="ens:<type>" in the sObject namespace.
// (soap 1.x has no $xsiType; its attributes.xsi_type is the supported way.)
function typed(type, fields = {}) {
  return {
    attributes: { xsi_type: { type, xmlns: NS.enterpriseSObject } },
    ...fields,
  };
}

const asArray = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

// Calls client[method+'Async'](args) and returns the list of results.
async function call(client, method, args) {
  const [res] = await client[`${method}Async`](args);
  return asArray(res && res.result);
}

// The parsed SOAP fault of a rejected call.
function faultOf(err) {
  const fault = err && err.root && err.root.Envelope && err.root.Envelope.Body &&
    err.root.Envelope.Body.Fault;
  if (!fault) throw err;
  return fault;
}

// Asserts that promise rejects with a SOAP fault (HTTP 500) with this faultcode and faultstring
// (exact string, or a RegExp). Returns the fault.
async function expectFault(promise, faultcode, faultstring) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a ${faultcode} fault, but the call succeeded`);
  const fault = faultOf(err);
  assert.equal(err.response && err.response.status, 500, 'faults are sent as HTTP 500');
  assert.equal(fault.faultcode, faultcode);
  if (faultstring instanceof RegExp) assert.match(fault.faultstring, faultstring);
  else if (faultstring !== undefined) assert.equal(fault.faultstring, faultstring);
  return fault;
}

// Asserts a failed per-record result with this status code (and message / fields if given).
function expectError(result, statusCode, { message, fields } = {}) {
  assert.ok(result, 'a result');
  assert.equal(result.success, false, `expected ${statusCode}, got success`);
  const errors = asArray(result.errors);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  const e = errors[0];
  assert.equal(e.statusCode, statusCode, JSON.stringify(e));
  if (message instanceof RegExp) assert.match(e.message, message);
  else if (message !== undefined) assert.equal(e.message, message);
  if (fields !== undefined) assert.deepEqual(asArray(e.fields), fields);
  return e;
}

function expectSuccess(result, what = 'the call') {
  assert.ok(result, 'a result');
  assert.equal(result.success, true, `${what} failed: ${JSON.stringify(result.errors)}`);
  return result;
}

// Salesforce's Id checksum.
function idChecksum(id15) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    out += alphabet[flags];
  }
  return out;
}

// A well-formed Id of this key prefix that no record has (the server numbers upwards from 1).
function unusedId(keyPrefix, tail = 'zzzzzzzzz') {
  const id15 = `${keyPrefix}8W0${tail}`.slice(0, 15);
  return id15 + idChecksum(id15);
}

module.exports = {
  OMNI_URL, USERNAME, PASSWORD, NS, RUN,
  newClient, loginClient, setSession, typed, asArray, call, faultOf, expectFault,
  expectError, expectSuccess, idChecksum, unusedId,
};

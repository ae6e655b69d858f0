'use strict';
// A PushTopic made the way an external router in Node would make it: jsforce's conn.soap
// (unchanged, from npm) creating the Omni-Channel guide's Step 2 topic, a query a PushTopic may
// not have refused per record with the Streaming API's code and message, and update and delete.
// What jsforce wrote is read back with a raw partner query.
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');
const jsforce = require('jsforce');

const { OMNI_URL, USERNAME, PASSWORD } = require('./support/omni');

const VERSION = '44.0';
const RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`.slice(-12);
let seq = 0;
const topicName = () => `JsPt${RUN}${++seq}`.slice(0, 25);

// Omni-Channel Developer Guide v44, "Step 2: Create a PushTopic for PendingServiceRouting".
const GUIDE_QUERY = 'Select Id, Serial, QueueId, WorkItemId, IsPushed, ServiceChannelId, '
  + 'LastDeclinedAgentSession, CreatedDate from PendingServiceRouting where '
  + "RoutingModel = 'ExternalRouting'";

const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

async function topicsNamed(conn, name) {
  const soql = 'SELECT Id, Name, Query, ApiVersion, NotifyForFields, NotifyForOperationUndelete '
    + `FROM PushTopic WHERE Name = '${name}'`;
  const body = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    + 'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header><urn:SessionHeader>'
    + `<urn:sessionId>${conn.accessToken}</urn:sessionId></urn:SessionHeader></soapenv:Header>`
    + `<soapenv:Body><urn:query><urn:queryString>${escapeXml(soql)}`
    + '</urn:queryString></urn:query></soapenv:Body></soapenv:Envelope>';
  const res = await fetch(`${OMNI_URL}/services/Soap/u/${VERSION}`, {
    method: 'POST', headers: { 'Content-Type': 'text/xml', SOAPAction: '""' }, body,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const field = (r, f) => {
    const m = r.match(new RegExp(`<sf:${f}>([^<]*)</sf:${f}>`));
    return m ? m[1].replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&amp;/g, '&') : null;
  };
  return [...text.matchAll(/<records[^>]*>([\s\S]*?)<\/records>/g)].map(([, r]) => ({
    Id: field(r, 'Id'),
    Query: field(r, 'Query'),
    ApiVersion: field(r, 'ApiVersion'),
    NotifyForFields: field(r, 'NotifyForFields'),
    NotifyForOperationUndelete: field(r, 'NotifyForOperationUndelete'),
  }));
}

describe('PushTopic through jsforce conn.soap', () => {
  let conn;
  before(async () => {
    conn = new jsforce.Connection({ loginUrl: OMNI_URL, version: VERSION, logLevel: 'FATAL' });
    await conn.login(USERNAME, PASSWORD);
  });

  it('creates the guide\'s Step 2 topic exactly as written', async () => {
    const name = topicName();
    const r = await conn.soap.create({
      type: 'PushTopic', Name: name, Query: GUIDE_QUERY, ApiVersion: 39.0,
      NotifyForOperationCreate: true, NotifyForOperationUpdate: true,
      NotifyForOperationUndelete: false, NotifyForOperationDelete: true,
      NotifyForFields: 'Referenced',
    });
    assert.equal(r.success, true, JSON.stringify(r.errors));
    assert.match(r.id, /^0IF[a-zA-Z0-9]{15}$/);
    const [stored] = await topicsNamed(conn, name);
    assert.equal(stored.Query, GUIDE_QUERY);
    assert.equal(Number(stored.ApiVersion), 39);
    assert.equal(stored.NotifyForFields, 'Referenced');
    assert.equal(stored.NotifyForOperationUndelete, 'false');
  });

  it('refuses a query with LIMIT per record, with the Streaming API\'s code and message', async () => {
    const [bad, good] = await conn.soap.create([
      { type: 'PushTopic', Name: topicName(), Query: 'SELECT Id, Subject FROM Case LIMIT 10',
        ApiVersion: 44.0 },
      { type: 'PushTopic', Name: topicName(), Query: 'SELECT Id, Subject FROM Case',
        ApiVersion: 44.0 },
    ]);
    assert.equal(bad.success, false);
    assert.equal(bad.errors.length, 1);
    assert.equal(bad.errors[0].statusCode, 'INVALID_FIELD');
    assert.equal(bad.errors[0].message, "'LIMIT' is not allowed");
    assert.deepEqual(bad.errors[0].fields, ['Query']);
    assert.equal(good.success, true);
  });

  it('updates the query and deletes the topic', async () => {
    const name = topicName();
    const { id } = await conn.soap.create({
      type: 'PushTopic', Name: name, Query: 'SELECT Id, Subject FROM Case', ApiVersion: 44.0,
    });
    const query = "SELECT Id, Status FROM Case WHERE Status != 'Closed'";
    const [u] = await conn.soap.update([{ type: 'PushTopic', Id: id, Query: query }]);
    assert.equal(u.success, true, JSON.stringify(u.errors));
    assert.equal((await topicsNamed(conn, name))[0].Query, query);
    const [dup] = await conn.soap.create({
      type: 'PushTopic', Name: name, Query: query, ApiVersion: 44.0,
    }).then((r) => [r]);
    assert.equal(dup.success, false);
    assert.equal(dup.errors[0].statusCode, 'DUPLICATE_VALUE');
    const [d] = await conn.soap.delete([id]);
    assert.equal(d.success, true);
    assert.deepEqual(await topicsNamed(conn, name), []);
  });
});

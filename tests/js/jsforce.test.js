'use strict';
// jsforce (npm, unchanged) against the emulator: everything it does over SOAP. conn.login() is
// its SOAP login (it reads <serverUrl>, <sessionId>, <userId>, <organizationId> out of the
// response as text), conn.soap.* are its partner SOAP calls (it sends sObjects in its own
// namespace "sobject.partner.soap.sforce.com" and reads <result> by name), conn.logout() its SOAP
// logout. conn.query, conn.sobject() and describe go over REST, which the emulator does not serve.
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');
const jsforce = require('jsforce');

const { OMNI_URL, USERNAME, PASSWORD } = require('./support/omni');

const VERSION = '44.0';
const RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`;
let seq = 0;
const subject = () => `jsforce ${RUN} ${++seq}`;

function connection() {
  return new jsforce.Connection({ loginUrl: OMNI_URL, version: VERSION, logLevel: 'FATAL' });
}

// A partner query over raw SOAP with the session jsforce holds: the check that what jsforce
// wrote is what the org stored.
async function queryCases(conn, where) {
  const soql = `SELECT Id, Subject, IsDeleted FROM Case WHERE ${where}`;
  const body = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    + 'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header><urn:SessionHeader>'
    + `<urn:sessionId>${conn.accessToken}</urn:sessionId></urn:SessionHeader></soapenv:Header>`
    + `<soapenv:Body><urn:queryAll><urn:queryString>${soql.replace(/&/g, '&amp;').replace(/</g, '&lt;')}`
    + '</urn:queryString></urn:queryAll></soapenv:Body></soapenv:Envelope>';
  const res = await fetch(`${OMNI_URL}/services/Soap/u/${VERSION}`, {
    method: 'POST', headers: { 'Content-Type': 'text/xml', SOAPAction: '""' }, body,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return [...text.matchAll(/<records[^>]*>([\s\S]*?)<\/records>/g)].map(([, r]) => ({
    Id: (r.match(/<sf:Id>([^<]+)<\/sf:Id>/) || [])[1],
    Subject: /<sf:Subject xsi:nil="true"\/>/.test(r) ? null : (r.match(/<sf:Subject>([^<]*)</) || [])[1],
    IsDeleted: (r.match(/<sf:IsDeleted>([^<]+)</) || [])[1] === 'true',
  }));
}

describe('jsforce login and logout (SOAP)', () => {
  it('conn.login() establishes a session on the emulator', async () => {
    const conn = connection();
    const info = await conn.login(USERNAME, PASSWORD);
    assert.match(info.id, /^005[a-zA-Z0-9]{15}$/);
    assert.match(info.organizationId, /^00D[a-zA-Z0-9]{15}$/);
    assert.ok(conn.accessToken && conn.accessToken.startsWith(info.organizationId.slice(0, 15)));
    assert.equal(conn.instanceUrl, OMNI_URL);
  });

  it('jsforce\'s default API version (50.0) is answered as 44.0', async () => {
    const conn = new jsforce.Connection({ loginUrl: OMNI_URL, logLevel: 'FATAL' });
    assert.notEqual(conn.version, VERSION);  // so the login below is not on 44.0's path
    const info = await conn.login(USERNAME, PASSWORD);
    assert.match(info.organizationId, /^00D[a-zA-Z0-9]{15}$/);
    const made = await conn.soap.create([{ type: 'Case', Subject: subject() }]);
    assert.equal(made[0].success, true);
    await conn.logout();
  });

  it('a wrong password rejects with Salesforce\'s faultstring', async () => {
    await assert.rejects(connection().login(USERNAME, 'not-the-password'), {
      message: 'INVALID_LOGIN: Invalid username, password, security token; or user locked out.',
    });
  });

  it('conn.logout() ends the session: its token is refused afterwards', async () => {
    const conn = connection();
    await conn.login(USERNAME, PASSWORD);
    const token = conn.accessToken;
    await conn.logout();
    assert.ok(!conn.accessToken);
    const stale = new jsforce.Connection({
      instanceUrl: OMNI_URL, accessToken: token, version: VERSION, logLevel: 'FATAL',
    });
    await assert.rejects(stale.soap.getUserInfo(), (err) => {
      assert.equal(err.errorCode, 'sf:INVALID_SESSION_ID');
      assert.match(err.message, /^INVALID_SESSION_ID: Invalid Session ID found in SessionHeader/);
      return true;
    });
  });
});

describe('jsforce conn.soap calls', () => {
  let conn;
  before(async () => {
    conn = connection();
    await conn.login(USERNAME, PASSWORD);
  });

  it('getUserInfo answers the logged-in user', async () => {
    const info = await conn.soap.getUserInfo();
    assert.equal(info.userName, USERNAME);
    assert.equal(info.userId, conn.userInfo.id);
    assert.equal(info.organizationId, conn.userInfo.organizationId);
    assert.equal(info.accessibilityMode, false);
    assert.equal(typeof info.sessionSecondsValid, 'number');
  });

  it('getServerTimestamp answers the server time', async () => {
    const { timestamp } = await conn.soap.getServerTimestamp();
    assert.ok(Math.abs(new Date(timestamp).getTime() - Date.now()) < 5 * 60 * 1000, timestamp);
  });

  it('create stores records, one result per record, in order', async () => {
    const subjects = [subject(), subject()];
    const results = await conn.soap.create(subjects.map((s) => ({ type: 'Case', Subject: s })));
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.equal(r.success, true);
      assert.match(r.id, /^500[a-zA-Z0-9]{15}$/);
      assert.deepEqual(r.errors, []);
    }
    const stored = await queryCases(conn, `Id IN ('${results[0].id}', '${results[1].id}')`);
    assert.deepEqual(stored.map((r) => r.Subject).sort(), subjects.slice().sort());
  });

  it('create of one record (not an array) answers one result', async () => {
    const r = await conn.soap.create({ type: 'Case', Subject: subject() });
    assert.equal(r.success, true);
    assert.match(r.id, /^500/);
  });

  it('a per-record error comes back as the result, not a rejection', async () => {
    const [bad, good] = await conn.soap.create([
      { type: 'Case', Subject: 'x'.repeat(256) },
      { type: 'Case', Subject: subject() },
    ]);
    assert.equal(bad.success, false);
    assert.equal(bad.id, null);
    assert.equal(bad.errors.length, 1);
    assert.equal(bad.errors[0].statusCode, 'STRING_TOO_LONG');
    assert.deepEqual(bad.errors[0].fields, ['Subject']);
    assert.equal(good.success, true);
  });

  it('update changes a field and nulls one (jsforce sends fieldsToNull)', async () => {
    const { id } = await conn.soap.create({ type: 'Case', Subject: subject() });
    const renamed = subject();
    const [r] = await conn.soap.update([{ type: 'Case', Id: id, Subject: renamed }]);
    assert.equal(r.success, true);
    assert.equal(r.id, id);
    assert.equal((await queryCases(conn, `Id = '${id}'`))[0].Subject, renamed);
    const [n] = await conn.soap.update([{ type: 'Case', Id: id, Subject: null }]);
    assert.equal(n.success, true);
    assert.equal((await queryCases(conn, `Id = '${id}'`))[0].Subject, null);
  });

  it('upsert on Id updates an existing record and inserts a new one', async () => {
    const { id } = await conn.soap.create({ type: 'Case', Subject: subject() });
    const changed = subject();
    const [updated, inserted] = await conn.soap.upsert('Id', [
      { type: 'Case', Id: id, Subject: changed },
      { type: 'Case', Subject: subject() },
    ]);
    assert.equal(updated.success, true);
    assert.equal(updated.created, false);
    assert.equal(updated.id, id);
    assert.equal(inserted.success, true);
    assert.equal(inserted.created, true);
    assert.match(inserted.id, /^500/);
    assert.equal((await queryCases(conn, `Id = '${id}'`))[0].Subject, changed);
  });

  it('delete and undelete move a record to the recycle bin and back', async () => {
    const { id } = await conn.soap.create({ type: 'Case', Subject: subject() });
    const [d] = await conn.soap.delete([id]);
    assert.equal(d.success, true);
    assert.equal(d.id, id);
    assert.equal((await queryCases(conn, `Id = '${id}'`))[0].IsDeleted, true);
    const [u] = await conn.soap.undelete([id]);
    assert.equal(u.success, true);
    assert.equal((await queryCases(conn, `Id = '${id}'`))[0].IsDeleted, false);
  });

  it('delete of a malformed id is a per-record error', async () => {
    const [d] = await conn.soap.delete(['not-an-id']);
    assert.equal(d.success, false);
    assert.equal(d.errors[0].statusCode, 'MALFORMED_ID');
  });

  it('an unknown sObject type rejects with INVALID_TYPE', async () => {
    await assert.rejects(conn.soap.create({ type: 'NoSuchThing', Name: 'x' }), (err) => {
      assert.equal(err.errorCode, 'sf:INVALID_TYPE');
      return true;
    });
  });

  // jsforce's other SOAP calls reach calls the emulator does not implement: they reject with a
  // fault naming the call, never resolve to an empty answer.
  for (const [name, run] of [
    ['emptyRecycleBin', (c) => c.soap.emptyRecycleBin(['500000000000001AAA'])],
    ['describeTabs', (c) => c.soap.describeTabs()],
    ['merge', (c) => c.soap.merge({ masterRecord: { type: 'Case' }, recordToMergeIds: [] })],
    ['convertLead', (c) => c.soap.convertLead({ leadId: '00Q000000000001AAA' })],
  ]) {
    it(`${name} rejects with INVALID_OPERATION naming the call`, async () => {
      await assert.rejects(run(conn), (err) => {
        assert.equal(err.errorCode, 'sf:INVALID_OPERATION');
        assert.match(err.message, new RegExp(`'${name}'`));
        return true;
      });
    });
  }
});

// setPassword and resetPassword: an agent created through the API gets a password and logs in
// with jsforce's plain SOAP login.
describe('jsforce setPassword and resetPassword', () => {
  let conn;
  before(async () => {
    conn = connection();
    await conn.login(USERNAME, PASSWORD);
  });

  async function newUser() {
    const me = await conn.soap.getUserInfo();
    const name = `agent.${RUN}.${++seq}@omni.local`;
    const [made] = await conn.soap.create([{
      type: 'User', Username: name, LastName: 'Agent', Email: name, Alias: 'agent',
      ProfileId: me.profileId, TimeZoneSidKey: 'America/Los_Angeles', LocaleSidKey: 'en_US',
      LanguageLocaleKey: 'en_US', EmailEncodingKey: 'UTF-8',
    }]);
    assert.equal(made.success, true, JSON.stringify(made));
    return { id: made.id, name };
  }

  it('setPassword lets the new user log in with it', async () => {
    const user = await newUser();
    await conn.soap.setPassword(user.id, 'Agent1pass');
    const agent = connection();
    const info = await agent.login(user.name, 'Agent1pass');
    assert.equal(info.id, user.id);
  });

  it('resetPassword answers a generated password that logs in', async () => {
    const user = await newUser();
    const reset = await conn.soap.resetPassword(user.id);
    assert.match(reset.password, /^[A-Za-z0-9]{8,}$/);
    const info = await connection().login(user.name, reset.password);
    assert.equal(info.id, user.id);
  });

  it('setPassword of an id that names no user rejects with INVALID_ID_FIELD', async () => {
    await assert.rejects(conn.soap.setPassword('005000000000001AAA', 'Agent1pass'), (err) => {
      assert.equal(err.errorCode, 'sf:INVALID_ID_FIELD');
      return true;
    });
  });

  it('a password the default policy refuses rejects with INVALID_NEW_PASSWORD', async () => {
    const user = await newUser();
    await assert.rejects(conn.soap.setPassword(user.id, 'short1'), (err) => {
      assert.equal(err.errorCode, 'sf:INVALID_NEW_PASSWORD');
      return true;
    });
  });
});

'use strict';
// The Streaming API with the clients people use, none written here: jsforce's own
// conn.streaming.topic(name).subscribe() (Faye underneath, `Authorization: OAuth`), its replay
// extension (StreamingExtension.Replay), a bare Faye client, and the CometD JavaScript
// client (tests/js/support/streaming.js); and the Bayeux wire itself with fetch: the handshake,
// connect and subscribe replies and the Streaming API's error strings (wire notes §5).
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const jsforce = require('jsforce');
// jsforce 3 exports its streaming extensions from the streaming module.
const { StreamingExtension } = require('jsforce/api/streaming');
const Faye = require('faye');

const { OMNI_URL, USERNAME, PASSWORD } = require('./support/omni');
const { connectedClient } = require('./support/streaming');

const VERSION = '44.0';
const RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`.slice(-11);
let seq = 0;
const unique = (prefix) => `${prefix}${RUN}${++seq}`.slice(0, 25);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(pred, what, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

// One Bayeux POST; answers {status, messages}.
async function bayeux(messages, { session, path = `/cometd/${VERSION}` } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (session) headers.Authorization = `OAuth ${session}`;
  const res = await fetch(`${OMNI_URL}${path}`, {
    method: 'POST', headers, body: JSON.stringify(messages) });
  const text = await res.text();
  return { status: res.status, messages: JSON.parse(text) };
}

async function handshake(session) {
  const { messages: [reply] } = await bayeux([{ channel: '/meta/handshake', version: '1.0',
    supportedConnectionTypes: ['long-polling'], id: '1', ext: { replay: true } }], { session });
  assert.equal(reply.successful, true, JSON.stringify(reply));
  return reply.clientId;
}

describe('Streaming API clients', () => {
  let conn;
  const createStatus = async (label) => {
    const r = await conn.soap.create({ type: 'ServicePresenceStatus',
      DeveloperName: unique('St'), MasterLabel: label });
    assert.equal(r.success, true, JSON.stringify(r.errors));
    return r.id;
  };
  const createTopic = async (fields) => {
    const name = unique('Cli');
    const r = await conn.soap.create({ type: 'PushTopic', Name: name, ApiVersion: 44.0,
      Query: 'SELECT Id, MasterLabel FROM ServicePresenceStatus', ...fields });
    assert.equal(r.success, true, JSON.stringify(r.errors));
    return name;
  };
  const toClose = [];

  before(async () => {
    conn = new jsforce.Connection({ loginUrl: OMNI_URL, version: VERSION, logLevel: 'FATAL' });
    await conn.login(USERNAME, PASSWORD);
  });

  after(async () => {
    for (const close of toClose) await close();
    // conn.streaming keeps one Faye client per kind of channel, long-polling until disconnected
    // (jsforce has no public call for it), which would keep this process alive.
    for (const client of Object.values(conn.streaming._fayeClients || {})) client.disconnect();
  });

  it('jsforce conn.streaming.topic().subscribe() gets the same events as a CometD client', async () => {
    const name = await createTopic({});
    const viaJsforce = [];
    const subscription = conn.streaming.topic(name).subscribe((m) => viaJsforce.push(m));
    toClose.push(() => subscription.cancel());
    await subscription;  // Faye's subscription is a thenable: it settles on /meta/subscribe
    const cometd = await connectedClient(conn.accessToken);
    toClose.push(() => cometd.disconnect());
    assert.equal((await cometd.subscribe(`/topic/${name}`)).successful, true);

    const id = await createStatus('seen by both');
    await until(() => viaJsforce.length === 1 && cometd.events.length === 1, 'both events');
    assert.deepEqual(viaJsforce[0], cometd.events[0].data);
    assert.deepEqual(Object.keys(viaJsforce[0]).sort(), ['event', 'sobject']);
    assert.deepEqual(viaJsforce[0].sobject, { Id: id, MasterLabel: 'seen by both' });
    assert.equal(viaJsforce[0].event.type, 'created');
    assert.match(viaJsforce[0].event.createdDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof viaJsforce[0].event.replayId, 'number');

    // An update of a field the query references is an event; of one it does not, none (the
    // topic's NotifyForFields is Referenced by default); a delete is one.
    const up = await conn.soap.update({ type: 'ServicePresenceStatus', Id: id, MasterLabel: 'renamed' });
    assert.equal(up.success, true, JSON.stringify(up.errors));
    const other = await conn.soap.update({ type: 'ServicePresenceStatus', Id: id,
      DeveloperName: unique('Re') });
    assert.equal(other.success, true, JSON.stringify(other.errors));
    const del = await conn.soap.delete(id);
    assert.equal(del.success, true, JSON.stringify(del.errors));
    await until(() => viaJsforce.length >= 3, 'update and delete events');
    await sleep(300);
    assert.deepEqual(viaJsforce.map((m) => m.event.type), ['created', 'updated', 'deleted']);
    assert.deepEqual(viaJsforce[1].sobject, { Id: id, MasterLabel: 'renamed' });
    const ids = viaJsforce.map((m) => m.event.replayId);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    await until(() => cometd.events.length === 3, 'the CometD client too');
    assert.deepEqual(cometd.events.map((e) => e.data), viaJsforce);
  });

  it('jsforce\'s Replay extension with -2 replays the retained events in order', async () => {
    const name = await createTopic({ NotifyForOperationUpdate: false });
    await createStatus('r1');
    await createStatus('r2');
    const client = conn.streaming.createClient([
      new StreamingExtension.Replay(`/topic/${name}`, -2)]);
    const got = [];
    const subscription = client.subscribe(`/topic/${name}`, (m) => got.push(m));
    toClose.push(() => client.disconnect());
    await subscription;
    await until(() => got.length === 2, 'two replayed events');
    assert.deepEqual(got.map((m) => m.sobject.MasterLabel), ['r1', 'r2']);
  });

  it('a bare Faye client sees Salesforce\'s subscribe error for a topic that does not exist', async () => {
    const client = new Faye.Client(`${OMNI_URL}/cometd/${VERSION}`);
    client.setHeader('Authorization', `OAuth ${conn.accessToken}`);
    toClose.push(() => client.disconnect());
    const missing = `/topic/${unique('Nope')}`;
    const error = await new Promise((resolve) => {
      client.subscribe(missing, () => {}).then(() => resolve(null), (e) => resolve(e));
    });
    assert.ok(error, 'the subscription was refused');
    // Salesforce's "<code>::<message>" is outside Faye's error grammar, so Faye hands it over
    // whole as the message, as it does with a real org's.
    assert.equal(error.message,
      `400::The channel you requested to subscribe to does not exist {${missing}}`);
  });

  it('answers handshake, connect and subscribe as Salesforce does', async () => {
    const name = await createTopic({});
    const { messages: [hs] } = await bayeux([{ channel: '/meta/handshake', version: '1.0',
      supportedConnectionTypes: ['long-polling'], id: '1' }], { session: conn.accessToken });
    assert.deepEqual(Object.keys(hs).sort(), ['channel', 'clientId', 'ext', 'id', 'minimumVersion',
      'reestablish', 'successful', 'supportedConnectionTypes', 'version']);
    assert.deepEqual(hs.ext, { replay: true, 'payload.format': true });
    assert.deepEqual(hs.supportedConnectionTypes, ['long-polling']);
    const clientId = hs.clientId;
    assert.match(clientId, /^[a-z0-9]{20,}$/);

    const { messages: [connect] } = await bayeux([{ channel: '/meta/connect', clientId,
      connectionType: 'long-polling', id: '2', advice: { timeout: 0 } }], { session: conn.accessToken });
    assert.deepEqual(connect, { clientId, advice: { interval: 0, timeout: 110000, reconnect: 'retry' },
      channel: '/meta/connect', id: '2', successful: true });

    const { messages: [sub] } = await bayeux([{ channel: '/meta/subscribe', clientId,
      subscription: `/topic/${name}`, id: '3' }], { session: conn.accessToken });
    assert.deepEqual(sub, { clientId, channel: '/meta/subscribe', id: '3',
      subscription: `/topic/${name}`, successful: true });

    // A long-poll parked with nothing to say is answered by the next event.
    const parked = bayeux([{ channel: '/meta/connect', clientId, connectionType: 'long-polling',
      id: '4' }], { session: conn.accessToken });
    await sleep(200);
    const id = await createStatus('wakes the poll');
    const { messages } = await parked;
    assert.equal(messages.length, 2);
    assert.deepEqual(Object.keys(messages[0]).sort(), ['channel', 'clientId', 'data']);
    assert.equal(messages[0].channel, `/topic/${name}`);
    assert.deepEqual(messages[0].data.sobject, { Id: id, MasterLabel: 'wakes the poll' });
    assert.equal(messages[1].channel, '/meta/connect');
    assert.equal(messages[1].successful, true);

    const { messages: [bye] } = await bayeux([{ channel: '/meta/disconnect', clientId, id: '5' }],
      { session: conn.accessToken });
    assert.deepEqual(bye, { clientId, channel: '/meta/disconnect', id: '5', successful: true });
  });

  it('answers bad requests with the Streaming API\'s errors', async () => {
    const session = conn.accessToken;
    const name = await createTopic({});
    const clientId = await handshake(session);
    const subscribe = async (subscription, replay) => {
      const m = { channel: '/meta/subscribe', clientId, subscription, id: 's' };
      if (replay !== undefined) m.ext = { replay: { [subscription]: replay } };
      const { messages: [reply] } = await bayeux([m], { session });
      assert.equal(reply.successful, false, JSON.stringify(reply));
      return reply.error;
    };
    assert.equal(await subscribe('topic/x'), '400::Channel subscriptions must start with a leading \'/\'');
    assert.equal(await subscribe('/topic/NoSuchTopicHere'),
      '400::The channel you requested to subscribe to does not exist {/topic/NoSuchTopicHere}');
    // Channel names are case-sensitive.
    assert.equal(await subscribe(`/topic/${name.toUpperCase()}`),
      `400::The channel you requested to subscribe to does not exist {/topic/${name.toUpperCase()}}`);
    assert.equal(await subscribe(`/topic/${name}`, 999999999),
      '400::The replayId {999999999} you provided was invalid.  Please provide a valid ID, -2 to '
      + 'replay all events, or -1 to replay only new events.');

    const { messages: [unknown] } = await bayeux([{ channel: '/meta/connect',
      clientId: 'nosuchclient', connectionType: 'long-polling', id: 'c' }], { session });
    assert.equal(unknown.successful, false);
    assert.equal(unknown.error, '403::Unknown client');
    assert.equal(unknown.advice.reconnect, 'handshake');

    const { messages: [denied] } = await bayeux([{ channel: '/meta/handshake', version: '1.0',
      supportedConnectionTypes: ['long-polling'], id: 'h' }], { session: 'not-a-session' });
    assert.equal(denied.successful, false);
    assert.equal(denied.error, '403::Handshake denied');
    assert.equal(denied.ext.sfdc.failureReason, '401::Authentication invalid');

    const { messages: [noAuth] } = await bayeux([{ channel: '/meta/connect', clientId,
      connectionType: 'long-polling', id: 'c' }], {});
    assert.equal(noAuth.successful, false);
    assert.equal(noAuth.error, '401::Authentication invalid');

    const old = await bayeux([{ channel: '/meta/handshake', version: '1.0', id: 'v' }],
      { session, path: '/cometd/36.0' });
    assert.equal(old.status, 400);
    assert.equal(old.messages[0].error,
      '400::Unsupported API version. Only API versions \'37.0\' and later are supported.');
    const none = await bayeux([{ channel: '/meta/handshake', version: '1.0', id: 'v' }],
      { session, path: '/cometd' });
    assert.equal(none.status, 400);
    assert.equal(none.messages[0].error,
      '400::API version in the URI is mandatory. URI format: \'/cometd/44.0\'');
  });
});

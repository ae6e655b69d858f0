'use strict';
// Streaming API durability against servers started here, with the CometD JavaScript client and
// Salesforce's replay extension (tests/js/support/streaming.js):
//   * a change made through one server process is one event, with one replayId, at the
//     subscribers of both processes over the same database, in commit order;
//   * a client that disconnects, misses events while the server restarts, and comes back with
//     its last replayId gets every missed event exactly once and in order; -2 replays all
//     retained ones; a client that stays connected across the restart re-handshakes on
//     403::Unknown client and, replaying from the last event it saw (as EMP Connector's replay
//     extension does), loses nothing;
//   * retention is 24 hours on the org's emulator clock: older events are no longer replayed and
//     their replayIds are refused with Salesforce's error.
//
// Env: OMNI_BUILD_DIR (the build with omni-emulator), OMNI_STREAMING_PORT (and the next one).
// Run: node --test tests/js/integration/streaming_durability.js
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { RUN, loginClient, typed, asArray, call, expectSuccess } = require('../support/omni');
const { connectedClient } = require('../support/streaming');
const { BUILD, startServer } = require('../support/process');

const PORT = Number(process.env.OMNI_STREAMING_PORT || 18060);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Remembers the newest replayId seen per channel and subscribes from it, as the EMP Connector's
// ReplayExtension does (its map is updated by every data message), so that a re-handshake after
// a server restart resumes after the last event the client received.
class TrackingReplayExtension {
  constructor(replays) {
    this.replays = replays;  // channel -> replayId (-1, -2 or the last one seen)
  }

  incoming(message) {
    const id = message.data && message.data.event && message.data.event.replayId;
    if (!message.channel.startsWith('/meta/') && typeof id === 'number' &&
        message.channel in this.replays) {
      this.replays[message.channel] = id;
    }
    return message;
  }

  outgoing(message) {
    if (message.channel === '/meta/subscribe' && message.subscription in this.replays) {
      message.ext = message.ext || {};
      message.ext.replay = { [message.subscription]: this.replays[message.subscription] };
    }
    return message;
  }
}

async function adminOf(base) {
  const { client, login } = await loginClient('enterprise', undefined, undefined, base);
  const create = async (type, fields) => {
    const [r] = await call(client, 'create', { sObjects: [typed(type, fields)] });
    return expectSuccess(r, `create ${type}`).id;
  };
  return { client, session: login.sessionId, create };
}

let statusSeq = 0;
async function newStatus(admin, label) {
  statusSeq += 1;
  return admin.create('ServicePresenceStatus', {
    DeveloperName: `Dur${RUN}${statusSeq}`, MasterLabel: label });
}

async function topicOn(admin, name) {
  await admin.create('PushTopic', {
    Name: name, Query: 'SELECT Id, MasterLabel FROM ServicePresenceStatus',
    ApiVersion: 44.0, NotifyForFields: 'Referenced' });
  return `/topic/${name}`;
}

const labels = (events) => events.map((e) => e.data.sobject.MasterLabel);
const replayIds = (events) => events.map((e) => e.data.event.replayId);

// Waits until `client` has `count` events on `channel`, then a little longer to catch extras.
async function settled(client, channel, count) {
  await client.waitFor((e) => e.channel === channel, count, 20000);
  await sleep(300);
  return client.events.filter((e) => e.channel === channel);
}

describe('Streaming API durability', () => {
  const dataDir = fs.mkdtempSync(path.join(BUILD, 'omni-streaming-'));
  let a;
  let b;
  const clients = [];
  const client = async (session, options) => {
    const c = await connectedClient(session, options);
    clients.push(c);
    return c;
  };

  before(async () => {
    a = await startServer(PORT, { dataDir, logName: 'streaming-a.log' });
    b = await startServer(PORT + 1, { databaseUrl: a.dbUrl, logName: 'streaming-b.log' });
  });

  after(async () => {
    for (const c of clients) await c.disconnect().catch(() => {});
    if (b) await b.stop();
    if (a) await a.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('one event per change, with one replayId, at subscribers of both processes, in commit order', async () => {
    const adminA = await adminOf(a.base);
    const adminB = await adminOf(b.base);
    const channel = await topicOn(adminA, `Two${RUN}`.slice(0, 25));
    const onA = await client(adminA.session, { base: a.base });
    const onB = await client(adminB.session, { base: b.base, scheme: 'Bearer' });
    assert.equal((await onA.subscribe(channel)).successful, true);
    assert.equal((await onB.subscribe(channel)).successful, true);
    const order = ['b1', 'a1', 'b2', 'b3', 'a2'];
    for (const label of order) await newStatus(label[0] === 'a' ? adminA : adminB, label);
    const seenA = await settled(onA, channel, order.length);
    const seenB = await settled(onB, channel, order.length);
    assert.deepEqual(labels(seenA), order);
    assert.deepEqual(labels(seenB), order);
    assert.deepEqual(replayIds(seenA), replayIds(seenB));
    const ids = replayIds(seenA);
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('after a restart a client replays what it missed exactly once, in order; -2 replays all', async () => {
    await b.stop();
    b = null;
    let admin = await adminOf(a.base);
    const channel = await topicOn(admin, `Rst${RUN}`.slice(0, 25));
    const first = await client(admin.session, { base: a.base });
    assert.equal((await first.subscribe(channel, -1)).successful, true);
    // A client that stays connected across the restart, resuming from what it saw.
    const replays = { [channel]: -1 };
    const live = await client(admin.session, { base: a.base });
    live.cometd.registerExtension('tracking replay', new TrackingReplayExtension(replays));
    // CometD drops its subscriptions on a re-handshake; a client subscribes again once the new
    // handshake succeeds, as EMP Connector does.
    live.cometd.addListener('/meta/handshake', (m) => {
      if (m.successful && m.reestablish) {
        live.cometd.subscribe(channel, (e) => live.events.push({ channel: e.channel, data: e.data }));
      }
    });
    assert.equal((await live.subscribe(channel)).successful, true);

    await newStatus(admin, 'e1');
    await newStatus(admin, 'e2');
    const seen = await settled(first, channel, 2);
    assert.deepEqual(labels(seen), ['e1', 'e2']);
    const last = seen[1].data.event.replayId;
    await first.disconnect();
    await newStatus(admin, 'e3');  // missed by the disconnected client
    await newStatus(admin, 'e4');
    await settled(live, channel, 4);

    const how = await a.stop();
    assert.equal(how.code, 0, `the server stopped cleanly (${JSON.stringify(how)})`);
    a = await startServer(PORT, { dataDir, logName: 'streaming-a.log' });
    admin = await adminOf(a.base);
    await newStatus(admin, 'e5');  // committed after the restart, before the client is back

    const back = await client(admin.session, { base: a.base });
    const reply = await back.subscribe(channel, last);
    assert.equal(reply.successful, true, JSON.stringify(reply));
    assert.deepEqual(labels(await settled(back, channel, 3)), ['e3', 'e4', 'e5']);
    await newStatus(admin, 'e6');
    assert.deepEqual(labels(await settled(back, channel, 4)), ['e3', 'e4', 'e5', 'e6']);

    const all = await client(admin.session, { base: a.base });
    assert.equal((await all.subscribe(channel, -2)).successful, true);
    const everything = await settled(all, channel, 6);
    assert.deepEqual(labels(everything), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    assert.deepEqual(replayIds(everything.slice(2)), replayIds(back.events));

    // The client that stayed connected re-handshook by itself and missed nothing, twice nothing.
    assert.deepEqual(labels(await settled(live, channel, 6)), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  });

  it('keeps events for 24 hours of the emulator clock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-streaming-clock-'));
    const s = await startServer(PORT + 1, {
      dataDir: dir, args: ['--clock-start', '2026-03-01T09:00:00Z'], logName: 'streaming-clock.log' });
    try {
      let admin = await adminOf(s.base);
      const channel = await topicOn(admin, `Ret${RUN}`.slice(0, 25));
      // Sessions expire on the org's clock too: after moving it a day, log in again.
      const moveClock = async (seconds) => {
        const r = await fetch(`${s.base}/_emulator/clock?advance=${seconds}`, {
          method: 'POST', headers: { Authorization: `Bearer ${admin.session}` } });
        assert.equal(r.status, 200, await r.text());
        admin = await adminOf(s.base);
      };
      const watcher = await client(admin.session, { base: s.base });
      assert.equal((await watcher.subscribe(channel)).successful, true);
      await newStatus(admin, 'old');
      const [old] = await settled(watcher, channel, 1);
      assert.equal(old.data.event.createdDate, '2026-03-01T09:00:00.000Z');
      await moveClock(23 * 3600);
      await newStatus(admin, 'recent');

      // 23 h later both are retained.
      const early = await client(admin.session, { base: s.base });
      assert.equal((await early.subscribe(channel, -2)).successful, true);
      const both = await settled(early, channel, 2);
      assert.deepEqual(labels(both), ['old', 'recent']);
      assert.equal(both[1].data.event.createdDate, '2026-03-02T08:00:00.000Z');

      // 24 h and a minute after the first: it is gone, and its replayId with it.
      await moveClock(3600 + 60);
      const late = await client(admin.session, { base: s.base });
      assert.equal((await late.subscribe(channel, -2)).successful, true);
      assert.deepEqual(labels(await settled(late, channel, 1)), ['recent']);
      const refused = await client(admin.session, { base: s.base });
      const before = old.data.event.replayId - 1;
      const reply = await refused.subscribe(channel, before);
      assert.equal(reply.successful, false);
      assert.equal(reply.error, `400::The replayId {${before}} you provided was invalid.  ` +
        'Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.');
    } finally {
      // Disconnected while their server still answers, so that no client keeps a request open.
      for (const c of clients.splice(0)) await c.disconnect().catch(() => {});
      await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

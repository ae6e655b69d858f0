'use strict';
// Streaming API clients for the suites: the CometD JavaScript client (npm `cometd`, run in Node by
// `cometd-nodejs-client`) configured as Salesforce's Streaming API Developer Guide does it
// (long-polling only, the session in an Authorization header, /cometd/<version>), with the replay
// extension as Salesforce publishes it for CometD (developerforce/StreamingReplayClientExtensions,
// cometdReplayExtension.js: enabled when the handshake reply's ext.replay is true, it adds
// ext: {replay: {<channel>: <replayFrom>}} to /meta/subscribe). cometd is an ES module, so it is
// loaded with import().
const assert = require('node:assert/strict');

const { OMNI_URL } = require('./omni');

let modules;
async function cometdModules() {
  if (!modules) {
    const [{ CometD }, { adapt }] = await Promise.all([import('cometd'),
      import('cometd-nodejs-client')]);
    adapt();
    modules = { CometD };
  }
  return modules;
}

// Salesforce's replay extension for the CometD JavaScript client, one channel per extension as
// theirs is (a client subscribing to several channels registers one per channel).
class ReplayExtension {
  constructor(channel, replayFrom) {
    this.channel = channel;
    this.replay = parseInt(replayFrom, 10);
    this.enabled = false;
  }

  incoming(message) {
    if (message.channel === '/meta/handshake' && message.ext && message.ext.replay === true) {
      this.enabled = true;
    }
    return message;
  }

  outgoing(message) {
    if (message.channel === '/meta/subscribe' && this.enabled &&
        message.subscription === this.channel) {
      message.ext = message.ext || {};
      message.ext.replay = { [this.channel]: this.replay };
    }
    return message;
  }
}

// A CometD client with the session in `Authorization: OAuth <sessionId>` (Salesforce's
// Streaming API examples) or Bearer. Events of every subscription are collected in `events`
// ({channel, data}) in the order they arrive; waitFor polls them.
async function streamingClient(sessionId, { scheme = 'OAuth', version = '44.0', base = OMNI_URL,
  logLevel = 'warn' } = {}) {
  const { CometD } = await cometdModules();
  const cometd = new CometD();
  cometd.unregisterTransport('websocket');  // Salesforce serves long-polling only
  cometd.configure({
    url: `${base}/cometd/${version}`,
    requestHeaders: { Authorization: `${scheme} ${sessionId}` },
    logLevel,
  });
  const events = [];
  const metaFailures = [];
  cometd.addListener('/meta/unsuccessful', (m) => metaFailures.push(m));
  // What Salesforce's ReplayExtension learns from the handshake reply, for the extensions
  // registered once the handshake is done (one per subscription).
  let replayOffered = false;
  cometd.addListener('/meta/handshake', (m) => {
    replayOffered = Boolean(m.successful && m.ext && m.ext.replay === true);
  });

  const client = {
    cometd,
    events,
    metaFailures,
    handshake() {
      return new Promise((resolve) => cometd.handshake((reply) => resolve(reply)));
    },
    // Subscribes (with Salesforce's replay extension when replayFrom is given); resolves with
    // the /meta/subscribe reply.
    subscribe(channel, replayFrom) {
      if (replayFrom !== undefined) {
        const extension = new ReplayExtension(channel, replayFrom);
        extension.enabled = replayOffered;
        cometd.registerExtension(`replay ${channel}`, extension);
      }
      return new Promise((resolve) => {
        cometd.subscribe(channel, (m) => events.push({ channel: m.channel, data: m.data }),
          (reply) => resolve(reply));
      });
    },
    // The events (optionally those passing `pred`) once there are at least `count`, or an
    // assertion failure after timeoutMs.
    async waitFor(pred, count = 1, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.filter(pred);
        if (found.length >= count) return found;
        if (Date.now() > deadline) {
          assert.fail(`waited ${timeoutMs} ms for ${count} event(s), have ${found.length}: ` +
            JSON.stringify(events.slice(-5)));
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    disconnect() {
      return new Promise((resolve) => {
        if (cometd.isDisconnected()) resolve();
        else cometd.disconnect(() => resolve());
      });
    },
  };
  return client;
}

// Handshakes and asserts it worked.
async function connectedClient(sessionId, options) {
  const client = await streamingClient(sessionId, options);
  const reply = await client.handshake();
  assert.equal(reply.successful, true, JSON.stringify(reply));
  return client;
}

module.exports = { cometdModules, ReplayExtension, streamingClient, connectedClient };

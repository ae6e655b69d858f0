'use strict';
// The guide's external routing integration, end to end, with an external router written here as
// a partner would write it: Step 1, an ExternalRouting queue; Step 2, the guide's PushTopic on
// PendingServiceRouting, created over SOAP exactly as its Apex sample writes it; Step 3, a real
// CometD client (npm `cometd`, with Salesforce's replay extension) listening to it on
// /cometd/44.0; Step 4, the router's AgentWork, created over SOAP from what the event carries.
// Agents answer through the presence WSDL. Checked: the guide's "Expected Behavior" scenarios
// and the events they list (accept: Create with isPushed=false, then Delete; decline and push
// time-out: Update with isPushed=false and the agent's LastDeclinedAgentSession; transfer to an
// external queue: Create with isTransfer=true; transfer to an agent: no new request, two
// AgentWorks on the chat seen on an AgentWork topic).
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const soap = require('soap');

const { OMNI_URL, RUN, loginClient, typed, asArray, call, expectSuccess } = require('./support/omni');
const { connectedClient } = require('./support/streaming');

const PRESENCE_NS = 'urn:presence.omni-emulator';
const GUIDE_FIELDS = ['Id', 'Serial', 'QueueId', 'WorkItemId', 'IsPushed', 'ServiceChannelId',
  'LastDeclinedAgentSession', 'CreatedDate'];

let admin;
let adminSession;
let seq = 0;
const same = (a, b) => Boolean(a && b) && a.slice(0, 15) === b.slice(0, 15);

async function create(type, fields) {
  const [r] = await call(admin, 'create', { sObjects: [typed(type, fields)] });
  return expectSuccess(r, `create ${type}`).id;
}

async function rows(soql) {
  const [res] = await admin.queryAsync({ queryString: soql });
  return asArray(res.result.records);
}

async function newAgent(statusId) {
  const [info] = await admin.getUserInfoAsync({});
  const name = `jsrouter.${RUN}.${++seq}@omni.local`;
  const userId = await create('User', {
    Username: name, LastName: 'Agent', Email: name, Alias: 'agent',
    ProfileId: info.result.profileId, TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US', LanguageLocaleKey: 'en_US', EmailEncodingKey: 'UTF-8' });
  const config = await create('PresenceUserConfig', {
    Capacity: 4, DeveloperName: `JsEr${RUN}${seq}`, MasterLabel: 'Js external',
    OptionsIsDeclineEnabled: true });
  await create('PresenceUserConfigUser', { PresenceUserConfigId: config, UserId: userId });
  await admin.setPasswordAsync({ userId, password: 'Agent1pass' });
  const { login } = await loginClient('enterprise', name, 'Agent1pass');
  const presence = await soap.createClientAsync(`${OMNI_URL}/services/wsdl/presence`);
  presence.addSoapHeader({ SessionHeader: { sessionId: login.sessionId } }, '', 'tns', PRESENCE_NS);
  const op = async (opName, args = {}) => (await presence[`${opName}Async`](args))[0].result;
  assert.equal((await op('login', { statusId })).success, true);
  return { userId, op };
}

// The partner's router: for every request event with isPushed=false it picks the next agent in
// its list that has not declined this request (LastDeclinedAgentSession names a presence
// session, so the router remembers whom it pushed to) and creates the AgentWork (Step 4).
class Router {
  constructor(stream, channelId, agents) {
    this.stream = stream;
    this.channelId = channelId;
    this.agents = agents;
    this.pushedTo = new Map();  // request Id -> [user Ids it was pushed to]
    this.handled = 0;
    this.errors = [];
  }

  async onEvent(message) {
    const { event, sobject } = message.data;
    if (event.type === 'deleted' || sobject.IsPushed !== false) return;
    const tried = this.pushedTo.get(sobject.Id) || [];
    const agent = this.agents.find((a) => !tried.some((u) => same(u, a.userId)));
    if (!agent) return;
    this.pushedTo.set(sobject.Id, [...tried, agent.userId]);
    try {
      await create('AgentWork', {
        UserId: agent.userId, WorkItemId: sobject.WorkItemId,
        ServiceChannelId: sobject.ServiceChannelId, PendingServiceRoutingId: sobject.Id });
      this.handled += 1;
    } catch (e) {
      this.errors.push(String(e));
    }
  }
}

describe('an external router on the Streaming API (CometD)', () => {
  let channelId;
  let online;
  let queueId;
  let quickQueueId;
  let otherQueueId;
  let topic;
  let stream;
  const events = (workItem) => stream.events.filter((e) => e.channel === `/topic/${topic}` &&
    same(e.data.sobject.WorkItemId, workItem));

  before(async () => {
    let login;
    ({ client: admin, login } = await loginClient('enterprise'));
    adminSession = login.sessionId;
    let channel = (await rows("SELECT Id FROM ServiceChannel WHERE RelatedEntity = 'LiveChatTranscript'"))[0];
    if (!channel) {
      await create('ServiceChannel', {
        DeveloperName: `JsChat${RUN}`, MasterLabel: 'Js Chat', RelatedEntity: 'LiveChatTranscript' });
      channel = (await rows("SELECT Id FROM ServiceChannel WHERE RelatedEntity = 'LiveChatTranscript'"))[0];
    }
    channelId = channel.Id;
    online = await create('ServicePresenceStatus', {
      DeveloperName: `JsErOn${RUN}`, MasterLabel: 'Js external online' });
    await create('ServiceChannelStatus', { ServiceChannelId: channelId, ServicePresenceStatusId: online });
    // Step 1: routing configurations with the External Routing model and their queues.
    const external = (pushTimeout) => create('QueueRoutingConfig', {
      MasterLabel: `Js Ext ${RUN} ${pushTimeout}`, RoutingModel: 'ExternalRouting',
      RoutingPriority: 1, CapacityWeight: 1, PushTimeout: pushTimeout });
    queueId = await create('Group', { Name: `JsErQ${RUN}`, Type: 'Queue',
      QueueRoutingConfigId: await external(60) });
    otherQueueId = await create('Group', { Name: `JsErQ2${RUN}`, Type: 'Queue',
      QueueRoutingConfigId: await external(60) });
    quickQueueId = await create('Group', { Name: `JsErQ3${RUN}`, Type: 'Queue',
      QueueRoutingConfigId: await external(2) });
    // Step 2: the guide's PushTopic, as its sample writes it (the query spans lines), with
    // IsTransfer added to the SELECT: the transfer scenario's event names it.
    topic = `Psr${RUN}`.slice(0, 25);
    await create('PushTopic', {
      Name: topic,
      Query: "Select Id, Serial, QueueId, WorkItemId, IsPushed, ServiceChannelId,\n" +
        "LastDeclinedAgentSession, CreatedDate, IsTransfer from PendingServiceRouting where RoutingModel =\n" +
        "'ExternalRouting'",
      ApiVersion: 39.0, NotifyForOperationCreate: true, NotifyForOperationUpdate: true,
      NotifyForOperationDelete: true, NotifyForFields: 'Referenced' });
    // Step 3: listen to it.
    stream = await connectedClient(adminSession);
    const reply = await stream.subscribe(`/topic/${topic}`, -1);
    assert.equal(reply.successful, true, JSON.stringify(reply));
  });

  after(async () => {
    if (stream) await stream.disconnect();
  });

  it('accept: Create with isPushed=false, the router routes it, Delete once the agent accepts', async () => {
    const agent = await newAgent(online);
    const router = new Router(stream, channelId, [agent]);
    const listener = stream.cometd.addListener(`/topic/${topic}`, (m) => router.onEvent(m));
    try {
      const chat = await create('LiveChatTranscript', {
        OwnerId: queueId, Status: 'Waiting', ChatKey: `jsk${RUN}a` });
      const [created] = await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) &&
        e.data.event.type === 'created');
      const { event, sobject } = created.data;
      // Only the SELECT's fields, typed as Salesforce's JSON has them.
      assert.deepEqual(Object.keys(sobject).sort(), [...GUIDE_FIELDS, 'IsTransfer'].sort());
      assert.equal(sobject.IsPushed, false);
      assert.equal(sobject.IsTransfer, false);
      assert.equal(sobject.LastDeclinedAgentSession, null);
      assert.ok(same(sobject.QueueId, queueId));
      assert.ok(same(sobject.ServiceChannelId, channelId));
      assert.equal(typeof event.replayId, 'number');
      assert.match(event.createdDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The router's AgentWork: the agent is routed the chat (Assigned); the request is pushed.
      const [work] = await (async () => {
        for (let i = 0; i < 200; i++) {
          const w = await rows(`SELECT Id, Status, UserId FROM AgentWork WHERE WorkItemId = '${chat}'`);
          if (w.length) return w;
          await new Promise((r) => setTimeout(r, 25));
        }
        return [];
      })();
      assert.ok(work, `the router created no AgentWork: ${router.errors}`);
      assert.equal(work.Status, 'Assigned');
      assert.ok(same(work.UserId, agent.userId));
      const pushed = await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) &&
        e.data.event.type === 'updated' && e.data.sobject.IsPushed === true);
      assert.ok(pushed[0].data.event.replayId > event.replayId);
      // The agent accepts: Omni-Channel deletes the request; the router hears the Delete.
      assert.equal((await agent.op('acceptAgentWork', { workId: work.Id })).success, true);
      const [deleted] = await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) &&
        e.data.event.type === 'deleted');
      assert.ok(same(deleted.data.sobject.Id, sobject.Id));
      const types = events(chat).map((e) => e.data.event.type);
      assert.deepEqual(types, ['created', 'updated', 'deleted']);
      const ids = events(chat).map((e) => e.data.event.replayId);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.deepEqual(router.errors, []);
    } finally {
      stream.cometd.removeListener(listener);
    }
  });

  it('decline: Update with isPushed=false and LastDeclinedAgentSession, the router routes again', async () => {
    const first = await newAgent(online);
    const second = await newAgent(online);
    const router = new Router(stream, channelId, [first, second]);
    const listener = stream.cometd.addListener(`/topic/${topic}`, (m) => router.onEvent(m));
    try {
      const chat = await create('LiveChatTranscript', {
        OwnerId: queueId, Status: 'Waiting', ChatKey: `jsk${RUN}d` });
      const firstWork = await waitForWork(chat, first.userId);
      assert.equal((await first.op('declineAgentWork', { workId: firstWork.Id })).success, true);
      const [declined] = await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) &&
        e.data.event.type === 'updated' && e.data.sobject.IsPushed === false);
      const [presence] = await rows('SELECT Name FROM UserServicePresence WHERE UserId = ' +
        `'${first.userId}' AND IsCurrentState = true`);
      assert.equal(declined.data.sobject.LastDeclinedAgentSession, presence.Name);
      // The router creates a new AgentWork from the updated request: the second agent's.
      const secondWork = await waitForWork(chat, second.userId);
      assert.equal(secondWork.Status, 'Assigned');
      assert.deepEqual(events(chat).map((e) => [e.data.event.type, e.data.sobject.IsPushed]),
        [['created', false], ['updated', true], ['updated', false], ['updated', true]]);
      assert.deepEqual(router.errors, []);
    } finally {
      stream.cometd.removeListener(listener);
    }
  });

  it('push time-out: Update with isPushed=false and LastDeclinedAgentSession, routed again', async () => {
    const idle = await newAgent(online);
    const second = await newAgent(online);
    const router = new Router(stream, channelId, [idle, second]);
    const listener = stream.cometd.addListener(`/topic/${topic}`, (m) => router.onEvent(m));
    try {
      const chat = await create('LiveChatTranscript', {
        OwnerId: quickQueueId, Status: 'Waiting', ChatKey: `jsk${RUN}t` });
      const work = await waitForWork(chat, idle.userId);
      // Nobody answers: after the queue's 2 s the push times out (the server's sweep).
      const [timedOut] = await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) &&
        e.data.event.type === 'updated' && e.data.sobject.IsPushed === false, 1, 15000);
      assert.ok(timedOut.data.sobject.LastDeclinedAgentSession);
      const [status] = await rows(`SELECT Status FROM AgentWork WHERE Id = '${work.Id}'`);
      assert.equal(status.Status, 'DeclinedOnPushTimeout');
      await waitForWork(chat, second.userId);
      assert.deepEqual(router.errors, []);
    } finally {
      stream.cometd.removeListener(listener);
    }
  });

  it('transfer to an external queue: Create with isTransfer=true and isPushed=false', async () => {
    const agent = await newAgent(online);
    const router = new Router(stream, channelId, [agent]);
    const listener = stream.cometd.addListener(`/topic/${topic}`, (m) => router.onEvent(m));
    let chat;
    let work;
    try {
      chat = await create('LiveChatTranscript', {
        OwnerId: queueId, Status: 'Waiting', ChatKey: `jsk${RUN}q` });
      work = await waitForWork(chat, agent.userId);
      assert.equal((await agent.op('acceptAgentWork', { workId: work.Id })).success, true);
      await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) && e.data.event.type === 'deleted');
    } finally {
      stream.cometd.removeListener(listener);
    }
    assert.equal((await agent.op('transferAgentWork', { workId: work.Id, toId: otherQueueId })).success, true);
    const [transfer] = await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) &&
      e.data.event.type === 'created' && e.data.sobject.IsTransfer === true);
    assert.equal(transfer.data.sobject.IsPushed, false);
    assert.ok(same(transfer.data.sobject.QueueId, otherQueueId));
  });

  it('transfer to an agent: no new request; the AgentWork topic shows both AgentWorks', async () => {
    const workTopic = `Aw${RUN}`.slice(0, 25);
    await create('PushTopic', {
      Name: workTopic, Query: 'SELECT Id, Status, UserId, WorkItemId FROM AgentWork',
      ApiVersion: 44.0, NotifyForFields: 'Referenced' });
    const reply = await stream.subscribe(`/topic/${workTopic}`, -1);
    assert.equal(reply.successful, true, JSON.stringify(reply));
    const first = await newAgent(online);
    const second = await newAgent(online);
    const router = new Router(stream, channelId, [first]);
    const listener = stream.cometd.addListener(`/topic/${topic}`, (m) => router.onEvent(m));
    let chat;
    let work;
    try {
      chat = await create('LiveChatTranscript', {
        OwnerId: queueId, Status: 'Waiting', ChatKey: `jsk${RUN}u` });
      work = await waitForWork(chat, first.userId);
      assert.equal((await first.op('acceptAgentWork', { workId: work.Id })).success, true);
      await stream.waitFor((e) => same(e.data.sobject.WorkItemId, chat) && e.data.event.type === 'deleted');
    } finally {
      stream.cometd.removeListener(listener);
    }
    const requestEvents = events(chat).length;
    assert.equal((await first.op('transferAgentWork', { workId: work.Id, toId: second.userId })).success, true);
    const onChat = (e) => e.channel === `/topic/${workTopic}` && same(e.data.sobject.WorkItemId, chat);
    const [assigned] = await stream.waitFor((e) => onChat(e) && e.data.event.type === 'created' &&
      same(e.data.sobject.UserId, second.userId));
    assert.equal(assigned.data.sobject.Status, 'Assigned');
    const firstWorkEvents = stream.events.filter((e) => onChat(e) && same(e.data.sobject.Id, work.Id));
    assert.ok(firstWorkEvents.some((e) => e.data.sobject.Status === 'Opened'));
    // Give a wrongly created request's event time to arrive, then check there was none.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(events(chat).length, requestEvents);
  });

  async function waitForWork(chat, userId) {
    for (let i = 0; i < 400; i++) {
      const w = await rows('SELECT Id, Status, UserId FROM AgentWork WHERE WorkItemId = ' +
        `'${chat}' AND UserId = '${userId}'`);
      if (w.length) return w[0];
      await new Promise((r) => setTimeout(r, 25));
    }
    return assert.fail(`no AgentWork for ${userId} on ${chat}`);
  }
});

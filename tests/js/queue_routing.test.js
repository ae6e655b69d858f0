'use strict';
// Queue-based routing through the npm `soap` client: the enterprise API (the project's
// enterprise WSDL) for data and the presence WSDL for two agents, each logged in with a plain
// enterprise login after setPassword. A Case created into a Least Active queue is pushed to an
// online member inside its create call; the next one goes to the less active agent; an agent's
// decline routes the work to the other; closing frees capacity for waiting work, in the close
// call.
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');
const soap = require('soap');

const { OMNI_URL, RUN, loginClient, typed, asArray, call, expectSuccess } = require('./support/omni');

const PRESENCE_NS = 'urn:presence.omni-emulator';

let admin;
let seq = 0;

async function create(type, fields) {
  const [r] = await call(admin, 'create', { sObjects: [typed(type, fields)] });
  return expectSuccess(r, `create ${type}`).id;
}

async function rows(soql) {
  const [res] = await admin.queryAsync({ queryString: soql });
  return asArray(res.result.records);
}

async function newAgent(queueId, capacity, options = {}) {
  const [info] = await admin.getUserInfoAsync({});
  const name = `jsagent.${RUN}.${++seq}@omni.local`;
  const userId = await create('User', {
    Username: name, LastName: 'Agent', Email: name, Alias: 'agent',
    ProfileId: info.result.profileId, TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US', LanguageLocaleKey: 'en_US', EmailEncodingKey: 'UTF-8' });
  const config = await create('PresenceUserConfig', {
    Capacity: capacity, DeveloperName: `JsRt${RUN}${seq}`, MasterLabel: 'Js routing', ...options });
  await create('PresenceUserConfigUser', { PresenceUserConfigId: config, UserId: userId });
  await create('GroupMember', { GroupId: queueId, UserOrGroupId: userId });
  await admin.setPasswordAsync({ userId, password: 'Agent1pass' });
  const { login } = await loginClient('enterprise', name, 'Agent1pass');
  const presence = await soap.createClientAsync(`${OMNI_URL}/services/wsdl/presence`);
  presence.addSoapHeader({ SessionHeader: { sessionId: login.sessionId } }, '', 'tns', PRESENCE_NS);
  const op = async (opName, args = {}) => (await presence[`${opName}Async`](args))[0].result;
  return { userId, op };
}

const same = (a, b) => a.slice(0, 15) === b.slice(0, 15);

async function openWorkOn(caseId) {
  return (await rows(`SELECT Id, UserId, Status FROM AgentWork WHERE WorkItemId = '${caseId}'`))
    .filter((w) => w.Status === 'Assigned' || w.Status === 'Opened');
}

describe('queue-based routing (npm soap)', () => {
  let queueId;
  let online;
  before(async () => {
    ({ client: admin } = await loginClient('enterprise'));
    let channel = (await rows("SELECT Id FROM ServiceChannel WHERE RelatedEntity = 'Case'"))[0];
    if (!channel) {
      await create('ServiceChannel', {
        DeveloperName: `JsCase${RUN}`, MasterLabel: 'Js Case', RelatedEntity: 'Case' });
      channel = (await rows("SELECT Id FROM ServiceChannel WHERE RelatedEntity = 'Case'"))[0];
    }
    online = await create('ServicePresenceStatus', {
      DeveloperName: `JsRtOn${RUN}`, MasterLabel: 'Js routing online' });
    await create('ServiceChannelStatus', {
      ServiceChannelId: channel.Id, ServicePresenceStatusId: online });
    const config = await create('QueueRoutingConfig', {
      MasterLabel: `Js LA ${RUN}`, RoutingModel: 'LeastActive', RoutingPriority: 1,
      CapacityWeight: 1, PushTimeout: 30 });
    queueId = await create('Group', { Name: `JsQ${RUN}`, Type: 'Queue', QueueRoutingConfigId: config });
  });

  it('pushes Cases to the least active agent, reroutes a decline and fills freed capacity', async () => {
    const a = await newAgent(queueId, 1, { OptionsIsDeclineEnabled: true });
    const b = await newAgent(queueId, 1);
    assert.equal((await a.op('login', { statusId: online })).success, true);
    const first = await create('Case', { Subject: 'js routed 1', OwnerId: queueId });
    let open = await openWorkOn(first);
    assert.equal(open.length, 1);
    assert.ok(same(open[0].UserId, a.userId));
    assert.equal(open[0].Status, 'Assigned');
    const [psr] = await rows(`SELECT Id, IsPushed FROM PendingServiceRouting WHERE WorkItemId = '${first}'`);
    assert.equal(psr.IsPushed, true);

    // B logs in and has room; A declines: the work goes to B in the decline's call.
    assert.equal((await b.op('login', { statusId: online })).success, true);
    assert.equal((await a.op('declineAgentWork', { workId: open[0].Id })).success, true);
    open = await openWorkOn(first);
    assert.equal(open.length, 1);
    assert.ok(same(open[0].UserId, b.userId));

    // Both full: the next Case waits, then B's close pushes it to B.
    const second = await create('Case', { Subject: 'js routed 2', OwnerId: queueId });
    // A declined in its session: A has room now, and takes the new one.
    let next = await openWorkOn(second);
    assert.equal(next.length, 1);
    assert.ok(same(next[0].UserId, a.userId));
    const third = await create('Case', { Subject: 'js routed 3', OwnerId: queueId });
    assert.equal((await openWorkOn(third)).length, 0);
    assert.equal((await b.op('acceptAgentWork', { workId: open[0].Id })).success, true);
    assert.equal((await b.op('closeAgentWork', { workId: open[0].Id })).success, true);
    next = await openWorkOn(third);
    assert.equal(next.length, 1);
    assert.ok(same(next[0].UserId, b.userId));
  });
});

'use strict';
// The agent presence service through the npm `soap` client, built from the presence WSDL the
// server serves (GET /services/wsdl/presence), with the SessionHeader of an enterprise login:
// login, the status and its channels, a status change, the agent's events, logout and the
// console's refusal of a second logout; an external router's work accepted and transferred to
// another external routing queue (transferAgentWork).
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');
const soap = require('soap');

const { OMNI_URL, RUN, loginClient, typed, asArray, call, expectSuccess } = require('./support/omni');

const PRESENCE_NS = 'urn:presence.omni-emulator';

let enterprise;
let login;
let presence;

async function create(type, fields) {
  const [r] = await call(enterprise, 'create', { sObjects: [typed(type, fields)] });
  return expectSuccess(r, `create ${type}`).id;
}

async function ids(soql) {
  const [res] = await enterprise.queryAsync({ queryString: soql });
  return asArray(res.result.records).map((r) => r.Id);
}

async function op(name, args = {}) {
  const [res] = await presence[`${name}Async`](args);
  return res.result;
}

before(async () => {
  ({ client: enterprise, login } = await loginClient('enterprise'));
  presence = await soap.createClientAsync(`${OMNI_URL}/services/wsdl/presence`);
  presence.addSoapHeader({ SessionHeader: { sessionId: login.sessionId } }, '', 'tns', PRESENCE_NS);
  // The agent (the admin user) gets a user-level configuration of its own (the newest one
  // counts), logged out.
  const current = await ids(
    `SELECT Id FROM UserServicePresence WHERE UserId = '${login.userId}' AND IsCurrentState = true`);
  if (current.length) await op('logout');
  const config = await create('PresenceUserConfig', {
    Capacity: 4, DeveloperName: `JsCfg${RUN}`, MasterLabel: 'Js cfg' });
  await create('PresenceUserConfigUser', { PresenceUserConfigId: config, UserId: login.userId });
});

describe('presence service (npm soap)', () => {
  it('logs in, changes status, reports events and logs out', async () => {
    const available = await create('ServicePresenceStatus', {
      DeveloperName: `JsAvailable${RUN}`, MasterLabel: 'Js Available' });
    const away = await create('ServicePresenceStatus', {
      DeveloperName: `JsAway${RUN}`, MasterLabel: 'Js Away' });
    const start = Number((await op('getEvents', { waitSeconds: 0 })).sequence);

    assert.equal((await op('login', { statusId: available })).success, true);
    const status = await op('getServicePresenceStatusId');
    assert.equal(status.success, true);
    assert.equal(status.statusId, available);
    assert.equal(status.statusApiName, `JsAvailable${RUN}`);
    const workload = await op('getAgentWorkload');
    assert.equal(Number(workload.configuredCapacity), 4);
    assert.ok(Number(workload.currentWorkload) >= 0);  // other suites give the admin work

    const set = await op('setServicePresenceStatus', { statusId: away });
    assert.equal(set.success, true);
    assert.equal(set.statusName, 'Js Away');
    const records = await ids(
      `SELECT Id FROM UserServicePresence WHERE UserId = '${login.userId}' AND IsCurrentState = true`);
    assert.equal(records.length, 1);

    assert.equal((await op('logout')).success, true);
    const again = await op('logout');
    assert.equal(again.success, false);
    assert.match(again.message, /not logged in/);

    const events = await op('getEvents', { afterSequence: start, waitSeconds: 0 });
    assert.deepEqual(asArray(events.events).map((e) => [e.type, e.statusId || null]), [
      ['omniChannelLoginSuccess', available],
      ['omniChannelStatusChanged', away],
      ['omniChannelLogout', null],
    ]);
  });

  it('transfers accepted work to an external routing queue', async () => {
    // The Case channel (one per RelatedEntity: found, or made) and a status carrying it.
    let [channel] = await ids("SELECT Id FROM ServiceChannel WHERE RelatedEntity = 'Case'");
    if (!channel) {
      channel = await create('ServiceChannel', {
        DeveloperName: `JsCase${RUN}`, MasterLabel: 'Js Case', RelatedEntity: 'Case' });
    }
    const online = await create('ServicePresenceStatus', {
      DeveloperName: `JsOnline${RUN}`, MasterLabel: 'Js Online' });
    await create('ServiceChannelStatus', { ServiceChannelId: channel, ServicePresenceStatusId: online });
    const queueFor = async (weight) => {
      const config = await create('QueueRoutingConfig', {
        MasterLabel: `Js ext ${weight}`, RoutingModel: 'ExternalRouting', RoutingPriority: 1,
        CapacityWeight: weight });
      return create('Group', { Name: `JsExt${weight}${RUN}`, Type: 'Queue',
        QueueRoutingConfigId: config });
    };
    const from = await queueFor(1);
    const to = await queueFor(3);
    assert.equal((await op('login', { statusId: online })).success, true);
    const caseId = await create('Case', { Subject: `Js transfer ${RUN}`, OwnerId: from });
    const [original] = await ids(`SELECT Id FROM PendingServiceRouting WHERE WorkItemId = '${caseId}'`);
    // The router routes it to the agent (skipping the capacity check: other suites give the
    // admin work), who accepts and transfers it.
    const work = await create('AgentWork', {
      UserId: login.userId, WorkItemId: caseId, ServiceChannelId: channel,
      PendingServiceRoutingId: original, ShouldSkipCapacityCheck: true });
    assert.equal((await op('acceptAgentWork', { workId: work })).success, true);
    const refused = await op('transferAgentWork', { workId: work, toId: login.userId });
    assert.equal(refused.success, false);
    assert.match(refused.message, /themselves/);
    assert.equal((await op('transferAgentWork', { workId: work, toId: to })).success, true);

    const [res] = await enterprise.queryAsync({ queryString:
      'SELECT Id, QueueId, IsTransfer, IsPushed, RoutingModel, CapacityWeight FROM ' +
      `PendingServiceRouting WHERE WorkItemId = '${caseId}'` });
    const psrs = asArray(res.result.records);
    assert.equal(psrs.length, 1);
    assert.notEqual(psrs[0].Id, original);
    assert.equal(psrs[0].QueueId, to);
    assert.equal(String(psrs[0].IsTransfer), 'true');
    assert.equal(String(psrs[0].IsPushed), 'false');
    assert.equal(psrs[0].RoutingModel, 'ExternalRouting');
    assert.equal(Number(psrs[0].CapacityWeight), 3);
    const [w] = await enterprise.queryAsync({ queryString:
      `SELECT Status, CloseDateTime FROM AgentWork WHERE Id = '${work}'` });
    assert.equal(asArray(w.result.records)[0].Status, 'Transferred');
    assert.ok(asArray(w.result.records)[0].CloseDateTime);
    assert.deepEqual(await ids(`SELECT Id FROM Case WHERE Id = '${caseId}' AND OwnerId = '${to}'`),
      [caseId]);
    assert.equal((await op('logout')).success, true);
  });
});

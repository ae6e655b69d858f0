'use strict';
// query, queryAll and queryMore through the npm `soap` client and the enterprise WSDL the server
// serves: the SOQL constructs the emulator supports, against records this file creates (names
// carry a tag unique to the run, as the server is shared with other suites), checking rows,
// order, typed records, aggregates, paging with the QueryOptions header and Salesforce's faults.
// The per-field Filter, Sort and Group checks are driven by wsdl/catalog.xml.
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');

const { loadCatalog } = require('./support/catalog');
const {
  USERNAME, NS, RUN, newClient, loginClient, setSession, typed, asArray, call, expectFault,
  expectSuccess,
} = require('./support/omni');
const { RecordFactory } = require('./support/records');

const catalog = loadCatalog();

let client;
let login;
let factory;
let data;

const pad = (n, width) => String(n).padStart(width, '0');

// The xsi:type of a parsed enterprise record without its prefix ('es:User' -> 'User').
const typeOf = (rec) => String(rec && rec.attributes && rec.attributes['xsi:type']).replace(/^.*:/, '');

// The QueryResult of query / queryAll.
async function query(soql, { all = false, on = client } = {}) {
  const [res] = await on[`${all ? 'queryAll' : 'query'}Async`]({ queryString: soql });
  assert.ok(res && res.result, `a QueryResult for ${soql}`);
  return res.result;
}

async function queryMore(locator, on = client) {
  const [res] = await on.queryMoreAsync({ queryLocator: locator });
  assert.ok(res && res.result, 'a QueryResult for queryMore');
  return res.result;
}

const rowsOf = (result) => asArray(result.records);

async function rows(soql, opts) {
  return rowsOf(await query(soql, opts));
}

// A second client on the same session that sends QueryOptions { batchSize } with every call
// (a header in the enterprise namespace, like the SessionHeader).
async function batchedClient(batchSize) {
  const c = await newClient('enterprise');
  setSession(c, 'enterprise', login.sessionId);
  c.addSoapHeader({ QueryOptions: { batchSize } }, '', 'tns', NS.enterprise);
  c.setEndpoint(login.serverUrl);
  return c;
}

async function create(type, fields) {
  const [res] = await call(client, 'create', { sObjects: [typed(type, fields)] });
  expectSuccess(res, `creating a ${type}`);
  return res.id;
}

before(async () => {
  ({ client, login } = await loginClient('enterprise'));
  factory = new RecordFactory(catalog, client, login);
  const channel = await factory.serviceChannel();
  const [ch] = asArray((await client.retrieveAsync({
    fieldList: 'Id, DeveloperName', sObjectType: 'ServiceChannel', ids: [channel.id],
  }))[0].result);
  const tag = `JSQ${RUN}`;
  const day = new Date().toISOString().slice(0, 10);  // the server's date literals are UTC days
  // 12 ServicePresenceStatus: tag_00 .. tag_11, MasterLabel A/B/C by i % 3, Language on even ones.
  const sps = [];
  const spsRecords = [];
  for (let i = 0; i < 12; i++) {
    const fields = { DeveloperName: `${tag}_${pad(i, 2)}`, MasterLabel: `${'ABC'[i % 3]}${tag}` };
    if (i % 2 === 0) fields.Language = 'en_US';
    spsRecords.push(typed('ServicePresenceStatus', fields));
  }
  for (const res of await call(client, 'create', { sObjects: spsRecords })) {
    expectSuccess(res, 'creating a ServicePresenceStatus');
    sps.push(res.id);
  }
  // 6 QueueRoutingConfig with priorities 1..6; the first 4 on the run's ServiceChannel.
  const qrc = [];
  for (let i = 0; i < 6; i++) {
    const fields = {
      DeveloperName: `${tag}_r${i}`, MasterLabel: `R${tag}`, RoutingPriority: i + 1,
      RoutingModel: i < 3 ? 'MostAvailable' : 'LeastActive',
    };
    if (i < 4) fields.ServiceChannelId = channel.id;
    qrc.push(await create('QueueRoutingConfig', fields));
  }
  // One deleted ServicePresenceStatus.
  const gone = await create('ServicePresenceStatus', { DeveloperName: `${tag}_gone`, MasterLabel: `G${tag}` });
  expectSuccess((await call(client, 'delete', { ids: [gone] }))[0], 'delete');
  data = { tag, day, sps, qrc, gone, channel: { id: channel.id, developerName: ch.DeveloperName } };
});

// --- selecting, filtering, ordering -------------------------------------------------------------

describe('select, where, order, limit', () => {
  it('SELECT .. WHERE LIKE .. ORDER BY DESC LIMIT answers typed records in order', async () => {
    const { tag } = data;
    const result = await query(`SELECT Id, DeveloperName FROM ServicePresenceStatus WHERE ` +
      `DeveloperName LIKE '${tag}\\_%' ORDER BY DeveloperName DESC LIMIT 5`);
    assert.equal(result.done, true);
    assert.equal(Number(result.size), 5);
    assert.equal(result.queryLocator, null);
    const recs = rowsOf(result);
    assert.deepEqual(recs.map((r) => r.DeveloperName), [11, 10, 9, 8, 7].map((i) => `${tag}_${pad(i, 2)}`));
    for (const r of recs) assert.equal(typeOf(r), 'ServicePresenceStatus');
    assert.equal(recs[0].Id, data.sps[11]);
    // Only the selected fields (and Id) are in the record.
    assert.equal(recs[0].MasterLabel, undefined);
  });

  it('keywords, object and field names are case-insensitive; fields come back in catalog case', async () => {
    const recs = await rows(`select developername, MASTERLABEL from servicepresencestatus where ` +
      `DEVELOPERNAME = '${data.tag}_03'`);
    assert.equal(recs.length, 1);
    assert.equal(typeOf(recs[0]), 'ServicePresenceStatus');
    assert.equal(recs[0].DeveloperName, `${data.tag}_03`);
    assert.equal(recs[0].MasterLabel, `A${data.tag}`);
  });

  it('OFFSET and ORDER BY over several fields', async () => {
    const recs = await rows(`SELECT DeveloperName FROM ServicePresenceStatus WHERE DeveloperName ` +
      `LIKE '${data.tag}\\_%' ORDER BY MasterLabel ASC, DeveloperName DESC LIMIT 4 OFFSET 2`);
    // MasterLabel A: 09, 06, 03, 00; B: 10, 07, ...
    assert.deepEqual(recs.map((r) => r.DeveloperName.slice(-2)), ['03', '00', '10', '07']);
  });

  it('NULLS FIRST and NULLS LAST', async () => {
    const q = (nulls) => `SELECT DeveloperName, Language FROM ServicePresenceStatus WHERE ` +
      `DeveloperName LIKE '${data.tag}\\_%' ORDER BY Language ASC ${nulls}, DeveloperName`;
    const first = await rows(q('NULLS FIRST'));
    assert.equal(first.length, 12);
    assert.equal(first[0].Language, null);
    assert.deepEqual(first.slice(0, 6).map((r) => r.Language), Array(6).fill(null));
    assert.equal(first[11].Language, 'en_US');
    const last = await rows(q('NULLS LAST'));
    assert.equal(last[0].Language, 'en_US');
    assert.equal(last[11].Language, null);
    // The secondary key orders within each group.
    assert.deepEqual(last.slice(0, 6).map((r) => r.DeveloperName.slice(-2)), ['00', '02', '04', '06', '08', '10']);
  });

  it('IN, NOT IN, OR, NOT and parentheses', async () => {
    const { tag } = data;
    const names = [1, 2, 3].map((i) => `'${tag}_${pad(i, 2)}'`).join(', ');
    let recs = await rows(`SELECT DeveloperName FROM ServicePresenceStatus WHERE DeveloperName ` +
      `IN (${names}) ORDER BY DeveloperName`);
    assert.deepEqual(recs.map((r) => r.DeveloperName.slice(-2)), ['01', '02', '03']);
    recs = await rows(`SELECT DeveloperName FROM ServicePresenceStatus WHERE DeveloperName LIKE ` +
      `'${tag}\\_%' AND DeveloperName NOT IN (${names}) AND (MasterLabel = 'A${tag}' OR NOT ` +
      `Language != null) ORDER BY DeveloperName`);
    // not 1..3; MasterLabel A (0, 3, 6, 9) or Language null (odd: 1, 3, 5, 7, 9, 11)
    assert.deepEqual(recs.map((r) => r.DeveloperName.slice(-2)), ['00', '05', '06', '07', '09', '11']);
  });

  it('LIKE: an escaped underscore is literal, an unescaped one matches any character', async () => {
    const { tag } = data;
    // tag_0_ : '_' matches one character -> 00 .. 09.
    let recs = await rows(`SELECT DeveloperName FROM ServicePresenceStatus WHERE DeveloperName ` +
      `LIKE '${tag}_0_' ORDER BY DeveloperName`);
    assert.equal(recs.length, 10);
    // With the underscore escaped, a name without '_' at that place does not match.
    recs = await rows(`SELECT DeveloperName FROM ServicePresenceStatus WHERE DeveloperName ` +
      `LIKE '${tag.slice(0, -1)}\\_%'`);
    assert.equal(recs.length, 0);
    // LIKE is case-insensitive.
    recs = await rows(`SELECT DeveloperName FROM ServicePresenceStatus WHERE DeveloperName ` +
      `LIKE '${tag.toLowerCase()}\\_1%'`);
    assert.equal(recs.length, 2);  // _10, _11
  });

  it('string escapes in literals', async () => {
    const recs = await rows("SELECT Id FROM ServicePresenceStatus WHERE DeveloperName = 'it\\'s \\\\ not there'");
    assert.deepEqual(recs, []);
  });

  it('a semi-join: WHERE ServiceChannelId IN (SELECT Id FROM ServiceChannel)', async () => {
    const recs = await rows(`SELECT DeveloperName FROM QueueRoutingConfig WHERE ServiceChannelId ` +
      `IN (SELECT Id FROM ServiceChannel) AND DeveloperName LIKE '${data.tag}\\_r%' ORDER BY ` +
      `DeveloperName`);
    assert.deepEqual(recs.map((r) => r.DeveloperName.slice(-2)), ['r0', 'r1', 'r2', 'r3']);
  });
});

// --- relationships, dates ---------------------------------------------------------------------

describe('parent relationships', () => {
  it('parent fields come back as nested typed records; a null parent is nil', async () => {
    const recs = await rows(`SELECT DeveloperName, ServiceChannel.DeveloperName, CreatedBy.Username ` +
      `FROM QueueRoutingConfig WHERE DeveloperName LIKE '${data.tag}\\_r%' ORDER BY RoutingPriority`);
    assert.equal(recs.length, 6);
    assert.deepEqual(recs.map((r) => r.DeveloperName), [0, 1, 2, 3, 4, 5].map((i) => `${data.tag}_r${i}`));
    for (let i = 0; i < 6; i++) {
      const r = recs[i];
      assert.equal(typeOf(r), 'QueueRoutingConfig');
      assert.ok(r.CreatedBy, 'CreatedBy is a nested record');
      assert.equal(typeOf(r.CreatedBy), 'User');
      assert.equal(r.CreatedBy.Username, USERNAME);
      if (i < 4) {
        assert.ok(r.ServiceChannel, `record ${i} has its ServiceChannel`);
        assert.equal(typeOf(r.ServiceChannel), 'ServiceChannel');
        assert.equal(r.ServiceChannel.DeveloperName, data.channel.developerName);
      } else {
        assert.equal(r.ServiceChannel, null, `record ${i} has no ServiceChannel`);
      }
    }
  });

  it('a filter on a parent field', async () => {
    let recs = await rows(`SELECT Id FROM QueueRoutingConfig WHERE ServiceChannel.DeveloperName = ` +
      `'${data.channel.developerName}' AND DeveloperName LIKE '${data.tag}\\_r%'`);
    assert.deepEqual(recs.map((r) => r.Id).sort(), data.qrc.slice(0, 4).sort());
    recs = await rows(`SELECT Id FROM QueueRoutingConfig WHERE ServiceChannel.DeveloperName = ` +
      `null AND DeveloperName LIKE '${data.tag}\\_r%'`);
    assert.deepEqual(recs.map((r) => r.Id).sort(), data.qrc.slice(4).sort());
  });
});

describe('date literals', () => {
  for (const [literal, expected] of [['TODAY', 12], ['LAST_N_DAYS:2', 12], ['YESTERDAY', 0],
    ['THIS_WEEK', 12], ['NEXT_N_DAYS:3', 0], ['THIS_YEAR', 12]]) {
    it(`CreatedDate = ${literal} matches ${expected}`, async (t) => {
      if (new Date().toISOString().slice(0, 10) !== data.day) return t.skip('the UTC day changed during the run');
      const result = await query(`SELECT Id FROM ServicePresenceStatus WHERE DeveloperName LIKE ` +
        `'${data.tag}\\_%' AND CreatedDate = ${literal}`);
      assert.equal(Number(result.size), expected);
      assert.equal(rowsOf(result).length, expected);
    });
  }

  it('a dateTime literal; CreatedDate comes back as a Date', async () => {
    const before = new Date(Date.now() - 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const recs = await rows(`SELECT Id, CreatedDate FROM ServicePresenceStatus WHERE DeveloperName ` +
      `LIKE '${data.tag}\\_%' AND CreatedDate > ${before}`);
    assert.equal(recs.length, 12);
    for (const r of recs) {
      assert.ok(r.CreatedDate instanceof Date, 'CreatedDate is parsed as a dateTime');
      assert.ok(Math.abs(r.CreatedDate.getTime() - Date.now()) < 10 * 60 * 1000);
    }
  });
});

// --- aggregates ---------------------------------------------------------------------------------

describe('aggregates', () => {
  it('COUNT() answers the size and no records', async () => {
    const result = await query(`SELECT COUNT() FROM ServicePresenceStatus WHERE DeveloperName ` +
      `LIKE '${data.tag}\\_%'`);
    assert.equal(Number(result.size), 12);
    assert.equal(result.done, true);
    assert.equal(rowsOf(result).length, 0);
    assert.doesNotMatch(client.lastResponse, /<(\w+:)?records\b/);
  });

  it('GROUP BY with HAVING: AggregateResult rows with exprN names and aliases', async () => {
    const result = await query(`SELECT RoutingModel, COUNT(Id), MIN(RoutingPriority) lo, ` +
      `MAX(RoutingPriority), SUM(RoutingPriority), AVG(RoutingPriority) FROM QueueRoutingConfig ` +
      `WHERE DeveloperName LIKE '${data.tag}\\_r%' GROUP BY RoutingModel HAVING COUNT(Id) > 1 ` +
      `ORDER BY RoutingModel`);
    const recs = rowsOf(result);
    assert.equal(Number(result.size), 2);
    assert.deepEqual(recs.map(typeOf), ['AggregateResult', 'AggregateResult']);
    // The fields are <any> elements in the sObject namespace; check the wire too.
    assert.match(client.lastResponse, /xsi:type="[\w-]+:AggregateResult"/);
    const [least, most] = recs;
    assert.equal(least.RoutingModel, 'LeastActive');
    assert.equal(most.RoutingModel, 'MostAvailable');
    assert.equal(Number(most.expr0), 3);
    assert.equal(Number(most.lo), 1);
    assert.equal(Number(most.expr1), 3);
    assert.equal(Number(most.expr2), 6);
    assert.equal(Number(most.expr3), 2);
    assert.equal(Number(least.expr0), 3);
    assert.equal(Number(least.lo), 4);
    assert.equal(Number(least.expr1), 6);
    assert.equal(Number(least.expr2), 15);
    assert.equal(Number(least.expr3), 5);
    // An alias takes no exprN number.
    assert.equal(most.expr4, undefined);
    const none = await query(`SELECT RoutingModel, COUNT(Id) FROM QueueRoutingConfig WHERE ` +
      `DeveloperName LIKE '${data.tag}\\_r%' GROUP BY RoutingModel HAVING COUNT(Id) > 3`);
    assert.equal(Number(none.size), 0);
    assert.equal(rowsOf(none).length, 0);
  });

  it('COUNT_DISTINCT with an alias', async () => {
    const recs = await rows(`SELECT COUNT_DISTINCT(MasterLabel) n FROM ServicePresenceStatus ` +
      `WHERE DeveloperName LIKE '${data.tag}\\_%'`);
    assert.equal(recs.length, 1);
    assert.equal(typeOf(recs[0]), 'AggregateResult');
    assert.equal(Number(recs[0].n), 3);
    assert.match(client.lastResponse, /<(\w+:)?n\b[^>]*>3<\/(\w+:)?n>/);
  });
});

// --- queryAll, paging ---------------------------------------------------------------------------

describe('queryAll and queryMore', () => {
  it('queryAll returns a deleted record with IsDeleted true; query does not', async () => {
    const q = `SELECT Id, IsDeleted FROM ServicePresenceStatus WHERE DeveloperName = '${data.tag}_gone'`;
    const live = await query(q);
    assert.equal(Number(live.size), 0);
    assert.equal(rowsOf(live).length, 0);
    const all = rowsOf(await query(q, { all: true }));
    assert.equal(all.length, 1);
    assert.equal(all[0].Id, data.gone);
    assert.equal(String(all[0].IsDeleted), 'true');
    // queryAll also answers the live records, with IsDeleted false.
    const live2 = rowsOf(await query(`SELECT Id, IsDeleted FROM ServicePresenceStatus WHERE ` +
      `DeveloperName = '${data.tag}_00'`, { all: true }));
    assert.equal(live2.length, 1);
    assert.equal(String(live2[0].IsDeleted), 'false');
  });

  it('QueryOptions batchSize 200 pages 450 records through queryMore in order', async () => {
    const ptag = `JSP${RUN}`;
    const names = Array.from({ length: 450 }, (_, i) => `${ptag}_${pad(i, 3)}`);
    const ids = [];
    for (let chunk = 0; chunk < 450; chunk += 200) {
      const sObjects = names.slice(chunk, chunk + 200).map((n) =>
        typed('ServicePresenceStatus', { DeveloperName: n, MasterLabel: ptag }));
      for (const res of await call(client, 'create', { sObjects })) {
        expectSuccess(res, 'creating a ServicePresenceStatus');
        ids.push(res.id);
      }
    }
    const q = `SELECT Id, DeveloperName FROM ServicePresenceStatus WHERE MasterLabel = '${ptag}' ` +
      'ORDER BY DeveloperName';
    const paged = await batchedClient(200);
    let result = await query(q, { on: paged });
    assert.equal(Number(result.size), 450);
    assert.equal(result.done, false);
    assert.ok(result.queryLocator, 'a queryLocator while not done');
    const pages = [rowsOf(result).length];
    const seen = [...rowsOf(result)];
    let guard = 0;
    while (!result.done) {
      assert.ok(++guard < 10, 'queryMore ends');
      result = await queryMore(result.queryLocator, paged);
      assert.equal(Number(result.size), 450, 'every page carries the total size');
      pages.push(rowsOf(result).length);
      seen.push(...rowsOf(result));
    }
    assert.deepEqual(pages, [200, 200, 50]);
    assert.equal(result.queryLocator, null);
    assert.deepEqual(seen.map((r) => r.DeveloperName), names, 'in order');
    assert.equal(new Set(seen.map((r) => r.Id)).size, 450, 'no duplicates');
    assert.deepEqual(seen.map((r) => r.Id).sort(), [...ids].sort());
    for (const r of seen) assert.equal(typeOf(r), 'ServicePresenceStatus');
    // Without the header the batch is 500: everything in one page.
    const whole = await query(q);
    assert.equal(whole.done, true);
    assert.equal(rowsOf(whole).length, 450);
  });

  it('queryMore of a bogus locator is INVALID_QUERY_LOCATOR', async () => {
    const fault = await expectFault(client.queryMoreAsync({ queryLocator: '01g000000000000AAA-500' }),
      'sf:INVALID_QUERY_LOCATOR', 'INVALID_QUERY_LOCATOR: invalid query locator');
    assert.equal(fault.detail.InvalidQueryLocatorFault.exceptionCode, 'INVALID_QUERY_LOCATOR');
  });
});

// --- faults -------------------------------------------------------------------------------------

describe('query faults', () => {
  it('an unknown field is INVALID_FIELD with the caret layout, row and column', async () => {
    const message = '\nSELECT Asdf FROM ServiceChannel\n       ^\nERROR at Row:1:Column:8\n' +
      "No such column 'Asdf' on entity 'ServiceChannel'. If you are attempting to use a custom " +
      "field, be sure to append the '__c' after the custom field name. Please reference your " +
      'WSDL or the describe call for the appropriate names.';
    const fault = await expectFault(client.queryAsync({ queryString: 'SELECT Asdf FROM ServiceChannel' }),
      'sf:INVALID_FIELD', `INVALID_FIELD: ${message}`);
    const detail = fault.detail.InvalidFieldFault;
    assert.ok(detail, 'an InvalidFieldFault detail');
    assert.equal(detail.exceptionCode, 'INVALID_FIELD');
    assert.equal(Number(detail.row), 1);
    assert.equal(Number(detail.column), 8);
    assert.match(client.lastResponse || '', /urn:fault\.enterprise\.soap\.sforce\.com/);
  });

  it('an unknown object is INVALID_TYPE', async () => {
    const fault = await expectFault(client.queryAsync({ queryString: 'SELECT Id FROM no_such_object' }),
      'sf:INVALID_TYPE');
    assert.ok(fault.faultstring.startsWith('INVALID_TYPE: \nSELECT Id FROM no_such_object\n' +
      "               ^\nERROR at Row:1:Column:16\nsObject type 'no_such_object' is not supported."),
    JSON.stringify(fault.faultstring));
    assert.equal(Number(fault.detail.InvalidSObjectFault.column), 16);
  });

  it('a syntax error is MALFORMED_QUERY one column before the bad token', async () => {
    let fault = await expectFault(client.queryAsync({ queryString: 'SELECT Id FROM ServiceChannel WHERE' }),
      'sf:MALFORMED_QUERY', `MALFORMED_QUERY: \nSELECT Id FROM ServiceChannel WHERE\n${' '.repeat(34)}` +
      "^\nERROR at Row:1:Column:35\nunexpected token: '<EOF>'");
    assert.equal(Number(fault.detail.MalformedQueryFault.row), 1);
    assert.equal(Number(fault.detail.MalformedQueryFault.column), 35);
    fault = await expectFault(client.queryAsync({ queryString: 'SELECT Id, FROM ServiceChannel' }),
      'sf:MALFORMED_QUERY');
    assert.match(fault.faultstring, /unexpected token: 'FROM'/);
    assert.match(fault.faultstring, /Column:11/);
  });

  it('OFFSET 2000 is the maximum', async () => {
    const result = await query(`SELECT Id FROM ServicePresenceStatus WHERE DeveloperName LIKE ` +
      `'${data.tag}\\_%' OFFSET 2000`);
    assert.equal(rowsOf(result).length, 0);
  });

  // SOQL reference (OFFSET): "Requesting an offset greater than 2,000 results in a
  // NUMBER_OUTSIDE_VALID_RANGE error."
  it('OFFSET over 2000 is NUMBER_OUTSIDE_VALID_RANGE', async () => {
    const fault = await expectFault(client.queryAsync({ queryString: 'SELECT Id FROM ServiceChannel OFFSET 2001' }),
      'sf:NUMBER_OUTSIDE_VALID_RANGE');
    assert.match(fault.faultstring, /Maximum SOQL offset allowed is 2000/);
  });
});

// --- Filter, Sort and Group as the catalog says --------------------------------------------------

function literal(f) {
  switch (f.type) {
    case 'boolean': return 'true';
    case 'int': case 'double': case 'percent': case 'currency': return '1';
    case 'datetime': return '2026-01-01T00:00:00Z';
    case 'date': return '2026-01-01';
    case 'id': case 'reference': return 'null';
    case 'picklist': return f.picklistValues.length ? `'${f.picklistValues[0]}'` : "'x'";
    default: return "'x'";
  }
}

// Runs each query; returns a list of problems (an empty list passes).
async function checkEach(cases) {
  const problems = [];
  for (const { soql, allowed, code, text } of cases) {
    try {
      await query(soql);
      if (!allowed) problems.push(`${soql}: accepted, expected ${code}`);
    } catch (e) {
      const fault = e && e.root && e.root.Envelope && e.root.Envelope.Body && e.root.Envelope.Body.Fault;
      if (!fault) throw e;
      if (allowed) problems.push(`${soql}: ${fault.faultstring}`);
      else if (fault.faultcode !== `sf:${code}` || !fault.faultstring.includes(text)) {
        problems.push(`${soql}: ${fault.faultcode} ${fault.faultstring}`);
      }
    }
  }
  return problems;
}

describe('Filter, Sort and Group as the catalog says', () => {
  for (const obj of catalog.objects.filter((o) => o.supports('query'))) {
    it(`${obj.name}: WHERE, ORDER BY and GROUP BY are refused exactly on the fields the catalog says`, async () => {
      const cases = [];
      for (const f of obj.fields) {
        cases.push({
          soql: `SELECT Id FROM ${obj.name} WHERE ${f.name} = ${literal(f)} LIMIT 1`,
          allowed: f.filterable, code: 'INVALID_FIELD',
          text: `field '${f.name}' can not be filtered in query call`,
        });
        cases.push({
          soql: `SELECT Id FROM ${obj.name} ORDER BY ${f.name} LIMIT 1`,
          allowed: f.sortable, code: 'MALFORMED_QUERY',
          text: `field '${f.name}' can not be sorted in a query call`,
        });
        cases.push({
          soql: `SELECT ${f.name}, COUNT(Id) FROM ${obj.name} GROUP BY ${f.name}`,
          allowed: f.groupable, code: 'MALFORMED_QUERY',
          text: `field '${f.name}' can not be grouped in a query call`,
        });
      }
      assert.deepEqual(await checkEach(cases), []);
    });
  }
});

// --- the enterprise sObject shape ---------------------------------------------------------------

describe('typed enterprise records', () => {
  it('field values come back typed by the enterprise WSDL (int, picklist, reference)', async () => {
    const recs = await rows(`SELECT Id, DeveloperName, RoutingPriority, RoutingModel, ` +
      `ServiceChannelId FROM QueueRoutingConfig WHERE DeveloperName LIKE '${data.tag}\\_r%' ` +
      'ORDER BY DeveloperName');
    assert.equal(recs.length, 6);
    assert.deepEqual(recs.map((r) => r.Id), data.qrc);
    assert.deepEqual(recs.map((r) => Number(r.RoutingPriority)), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(recs.map((r) => r.RoutingModel),
      ['MostAvailable', 'MostAvailable', 'MostAvailable', 'LeastActive', 'LeastActive', 'LeastActive']);
    assert.deepEqual(recs.map((r) => r.ServiceChannelId),
      [...Array(4).fill(data.channel.id), null, null]);
  });
});

'use strict';
// The enterprise API through the npm `soap` client, built from the WSDL the server serves
// (GET /services/wsdl/enterprise). For every object of wsdl/catalog.xml: create, retrieve,
// update, upsert, delete and undelete as the object's supported calls allow, and the refusals
// (with Salesforce's status codes) where they don't; then the whole-call faults, and the partner
// WSDL for one round trip.
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');

const { loadCatalog } = require('./support/catalog');
const {
  OMNI_URL, USERNAME, PASSWORD, NS, RUN, newClient, loginClient, setSession, typed, asArray,
  call, expectFault, expectError, expectSuccess, unusedId,
} = require('./support/omni');
const { RecordFactory, scalarValue, canonical, requiredFields } = require('./support/records');

const catalog = loadCatalog();
const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'CreatedById', 'CreatedDate', 'LastModifiedById',
  'LastModifiedDate', 'SystemModstamp'];

let client;
let login;
let factory;

before(async () => {
  ({ client, login } = await loginClient('enterprise'));
  factory = new RecordFactory(catalog, client, login);
});

// Reads records back with every field of the catalog. Returns one entry per id (null: none).
async function retrieveAll(obj, ids) {
  const [res] = await client.retrieveAsync({
    fieldList: obj.fields.map((f) => f.name).join(', '),
    sObjectType: obj.name,
    ids,
  });
  const out = res === null || res === undefined ? [null] : asArray(res.result);
  assert.equal(out.length, ids.length, 'retrieve answers one entry per Id');
  return out.map((r) => (r === undefined ? null : r));
}

async function retrieveOne(obj, id) {
  const [rec] = await retrieveAll(obj, [id]);
  return rec;
}

// Checks the enterprise shape of a retrieved record and the system fields.
function checkSystemFields(obj, rec, id) {
  assert.ok(rec, `${obj.name} ${id} is retrievable`);
  const xsiType = rec.attributes && rec.attributes['xsi:type'];
  assert.match(String(xsiType), new RegExp(`^([A-Za-z0-9]+:)?${obj.name}$`), 'xsi:type names the object');
  assert.equal(rec.Id, id);
  assert.equal(rec.IsDeleted, false);
  assert.equal(rec.CreatedById, login.userId);
  assert.equal(rec.LastModifiedById, login.userId);
  for (const name of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp']) {
    assert.ok(rec[name] instanceof Date && !Number.isNaN(rec[name].getTime()), `${name} is a dateTime`);
  }
  assert.ok(rec.LastModifiedDate >= rec.CreatedDate);
  assert.equal(rec.SystemModstamp.getTime(), rec.LastModifiedDate.getTime());
  assert.ok(Math.abs(rec.CreatedDate.getTime() - Date.now()) < 10 * 60 * 1000,
    `CreatedDate ${rec.CreatedDate.toISOString()} is about now`);
  // Every field of the catalog is in the answer (nil ones as null).
  for (const f of obj.fields) assert.ok(f.name in rec, `${obj.name}.${f.name} is returned`);
}

// The values a record should hold for the fields that were sent.
function checkValues(obj, rec, sent) {
  for (const [name, value] of Object.entries(sent)) {
    const f = obj.field(name);
    assert.deepEqual(canonical(f, rec[name]), canonical(f, value), `${obj.name}.${name}`);
  }
}

// PushTopic.NotifyForOperations is computed from NotifyForOperationCreate and ...Update (the
// API 28.0 field, read-only since 29.0): All, Create, Update or Extended.
function notifyForOperations(rec) {
  const on = (v) => v === true || v === 'true';
  const create = on(rec.NotifyForOperationCreate);
  const update = on(rec.NotifyForOperationUpdate);
  if (create && update) return 'All';
  if (create) return 'Create';
  return update ? 'Update' : 'Extended';
}

// Values the server fills in on create when the client sends nothing.
function checkDefaults(obj, rec, sent) {
  for (const f of obj.fields) {
    if (f.system || f.name in sent) continue;
    const got = rec[f.name];
    if (obj.name === 'PushTopic' && f.name === 'NotifyForOperations') {
      assert.equal(got, notifyForOperations(rec), 'PushTopic.NotifyForOperations is computed');
    } else if (f.autoNumber) {
      const width = (/\{(0+)\}/.exec(f.autoNumberFormat) || ['', '0'])[1].length;
      assert.match(String(got), new RegExp(`^\\d{${width}}$`), `${obj.name}.${f.name} autonumber`);
    } else if (f.default !== undefined) {
      assert.deepEqual(canonical(f, got), canonical(f, f.default), `${obj.name}.${f.name} default`);
    } else if (f.type === 'boolean') {
      assert.equal(got, false, `${obj.name}.${f.name} defaults to false`);
    } else if (obj.name === 'Case' && f.name === 'OwnerId') {
      assert.equal(got, login.userId, 'Case.OwnerId defaults to the caller');
    } else if (obj.name === 'User' && f.name === 'Name') {
      assert.equal(got, sent.FirstName ? `${sent.FirstName} ${sent.LastName}` : sent.LastName);
    } else if (f.createable && f.nillable) {
      assert.equal(got, null, `${obj.name}.${f.name} is null when not sent`);
    }
  }
}

// Values for an update of every updateable field (references keep a valid parent; the unique
// RelatedEntity keeps its value so as not to collide with other suites' channels).
async function updateValues(obj, current) {
  const out = {};
  for (const f of obj.fields) {
    if (!f.updateable) continue;
    if (f.type === 'reference') {
      const id = await factory.referenceValue(f);
      if (id) out[f.name] = id;
    } else if (f.name === 'RelatedEntity') {
      out[f.name] = current[f.name];
    } else {
      out[f.name] = scalarValue(f, 1, current[f.name]);
    }
  }
  return out;
}

// Values for a ServiceChannel create that fails for another reason than its RelatedEntity:
// the entity of the run's own channel, so that it can never create a second channel.
async function channelFields() {
  const channel = await factory.serviceChannel();
  const fields = {};
  for (const f of catalog.object('ServiceChannel').fields) {
    if (f.createable) fields[f.name] = scalarValue(f, 0);
  }
  fields.RelatedEntity = channel.relatedEntity;
  return fields;
}

function notWritableMessage(names) {
  return `Unable to create/update fields: ${names.join(', ')}. Please check the security ` +
    'settings of this field and verify that it is read/write for your profile or permission set.';
}

// A field this object has that the call can't write, with a valid value for it.
function unwritableField(obj, property) {
  const own = obj.fields.find((f) => !f.system && !f[property] && f.type !== 'reference' &&
    f.type !== 'id');
  const f = own || obj.field('CreatedDate');
  return { field: f, value: scalarValue(f, 0) };
}

describe('catalog as the WSDL sees it', () => {
  it('the served enterprise WSDL has a type for every catalog object', async () => {
    const wsdlClient = await newClient('enterprise');
    const types = wsdlClient.wsdl.definitions.schemas[NS.enterpriseSObject].complexTypes;
    for (const obj of catalog.objects) assert.ok(types[obj.name], `complexType ${obj.name}`);
    const services = wsdlClient.describe();
    const port = Object.values(Object.values(services)[0])[0];
    for (const op of ['login', 'create', 'retrieve', 'update', 'upsert', 'delete', 'undelete']) {
      assert.ok(port[op], `operation ${op}`);
    }
  });

  it('login answers an enterprise serverUrl for the org', () => {
    assert.match(login.serverUrl, new RegExp(`^${OMNI_URL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` +
      `/services/Soap/c/${catalog.apiVersion.replace('.', '\\.')}/00D[A-Za-z0-9]{12}$`));
    assert.match(login.userId, /^005[A-Za-z0-9]{15}$/);
    assert.equal(login.userInfo.userName, USERNAME);
    assert.equal(login.userInfo.organizationId.slice(0, 15), login.serverUrl.split('/').pop());
  });
});

for (const obj of catalog.objects) {
  describe(`${obj.name} (${[...obj.calls].join(', ')})`, () => {
    const required = requiredFields(obj).map((f) => f.name);
    const isChannel = obj.name === 'ServiceChannel';
    let recordId = null;  // the record that update/delete/undelete work on
    let sent = null;      // the values it was created with
    let owned = true;     // false when a ServiceChannel of another suite is reused
    let beforeDelete = null;

    it('retrieve of an Id without a record answers nil', async () => {
      const missing = unusedId(obj.keyPrefix);
      assert.deepEqual(await retrieveAll(obj, [missing]), [null]);
    });

    if (!obj.supports('create')) {
      it('create is refused with CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', async () => {
        const [res] = await call(client, 'create', { sObjects: [typed(obj.name, {})] });
        expectError(res, 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
          { message: `entity type cannot be inserted: ${obj.label}` });
      });
    } else {
      if (required.length) {
        it(`create without ${required.join(', ')} is REQUIRED_FIELD_MISSING`, async () => {
          const [res] = await call(client, 'create', { sObjects: [typed(obj.name, {})] });
          expectError(res, 'REQUIRED_FIELD_MISSING', {
            message: `Required fields are missing: [${required.join(', ')}]`,
            fields: required,
          });
        });
      }

      if (!isChannel) {
        it('create with the required fields only applies the defaults', async () => {
          const fields = await factory.build(obj, { only: 'required' });
          const [res] = await call(client, 'create', { sObjects: [typed(obj.name, fields)] });
          expectSuccess(res, 'create');
          assert.match(res.id, new RegExp(`^${obj.keyPrefix}[A-Za-z0-9]{15}$`));
          const rec = await retrieveOne(obj, res.id);
          checkSystemFields(obj, rec, res.id);
          checkValues(obj, rec, fields);
          checkDefaults(obj, rec, fields);
        });
      }

      it('create with every createable field round-trips through retrieve', async () => {
        if (isChannel) {
          const channel = await factory.serviceChannel();
          ({ id: recordId, owned } = channel);
          sent = channel.sent;
        } else {
          sent = await factory.build(obj, { only: 'all' });
          const [res] = await call(client, 'create', { sObjects: [typed(obj.name, sent)] });
          expectSuccess(res, 'create');
          recordId = res.id;
        }
        assert.match(recordId, new RegExp(`^${obj.keyPrefix}[A-Za-z0-9]{15}$`));
        const rec = await retrieveOne(obj, recordId);
        checkSystemFields(obj, rec, recordId);
        if (sent) checkValues(obj, rec, sent);
        if (sent) checkDefaults(obj, rec, sent);
      });

      it('create refuses a field that is not createable', async () => {
        const { field, value } = unwritableField(obj, 'createable');
        const fields = isChannel ? await channelFields() : await factory.build(obj, { only: 'required' });
        fields[field.name] = value;
        const [res] = await call(client, 'create', { sObjects: [typed(obj.name, fields)] });
        expectError(res, 'INVALID_FIELD_FOR_INSERT_UPDATE',
          { message: notWritableMessage([field.name]), fields: [field.name] });
      });

      const restricted = obj.fields.find((f) => f.createable && f.restrictedPicklist);
      if (restricted) {
        it(`create refuses a value outside the restricted picklist ${restricted.name}`, async () => {
          const fields = isChannel ? await channelFields() : await factory.build(obj, { only: 'required' });
          fields[restricted.name] = 'Bogus Value';
          const [res] = await call(client, 'create', { sObjects: [typed(obj.name, fields)] });
          expectError(res, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', {
            message: `${restricted.label}: bad value for restricted picklist field: Bogus Value`,
            fields: [restricted.name],
          });
        });
      }

      const reference = obj.fields.find((f) => f.createable && f.type === 'reference' &&
        f.referenceTo.some((t) => catalog.object(t).supports('create')));
      if (reference) {
        it(`create checks the reference ${reference.name}`, async () => {
          const base = await factory.build(obj, { only: 'required' });
          const target = catalog.object(reference.referenceTo[0]);
          // A well-formed Id of a target type, but no such record.
          const missing = unusedId(target.keyPrefix);
          let [res] = await call(client, 'create',
            { sObjects: [typed(obj.name, { ...base, [reference.name]: missing })] });
          expectError(res, 'INVALID_CROSS_REFERENCE_KEY');
          // An existing record of a type the field can't point to.
          const wrong = catalog.objects.find((o) => !reference.referenceTo.includes(o.name) &&
            o.name === 'Profile') || catalog.object('Case');
          const wrongId = await factory.parent(wrong.name);
          [res] = await call(client, 'create',
            { sObjects: [typed(obj.name, { ...base, [reference.name]: wrongId })] });
          expectError(res, 'INVALID_CROSS_REFERENCE_KEY', {
            message: `${reference.label}: id value of incorrect type: ${wrongId}`,
            fields: [reference.name],
          });
          // Not an Id at all.
          [res] = await call(client, 'create',
            { sObjects: [typed(obj.name, { ...base, [reference.name]: 'not-an-id' })] });
          expectError(res, 'MALFORMED_ID', { fields: [reference.name] });
        });
      }
    }

    if (obj.supports('update')) {
      it('update changes every updateable field', async (t) => {
        assert.ok(recordId, 'the record was created');
        if (!owned) return t.skip('the ServiceChannel belongs to another suite');
        const before = await retrieveOne(obj, recordId);
        const changes = await updateValues(obj, before);
        const [res] = await call(client, 'update', { sObjects: [typed(obj.name, { Id: recordId, ...changes })] });
        expectSuccess(res, 'update');
        assert.equal(res.id, recordId);
        const rec = await retrieveOne(obj, recordId);
        checkSystemFields(obj, rec, recordId);
        checkValues(obj, rec, changes);
        assert.equal(rec.CreatedDate.getTime(), before.CreatedDate.getTime());
        assert.ok(rec.LastModifiedDate >= before.LastModifiedDate);
        // Fields the update did not name keep their values; User.Name follows its inputs.
        if (obj.name === 'User') {
          assert.equal(rec.Name, `${changes.FirstName} ${changes.LastName}`, 'User.Name is recomputed');
        }
        if (obj.name === 'PushTopic') {
          assert.equal(rec.NotifyForOperations, notifyForOperations(rec),
            'PushTopic.NotifyForOperations is recomputed');
        }
        const computed = (f) => (obj.name === 'User' && f.name === 'Name')
          || (obj.name === 'PushTopic' && f.name === 'NotifyForOperations');
        for (const f of obj.fields) {
          if (f.system || f.name in changes || computed(f)) continue;
          assert.deepEqual(canonical(f, rec[f.name]), canonical(f, before[f.name]), f.name);
        }
      });

      it('update refuses a field that is not updateable', async (t) => {
        assert.ok(recordId, 'the record was created');
        if (!owned) return t.skip('the ServiceChannel belongs to another suite');
        const { field, value } = unwritableField(obj, 'updateable');
        const [res] = await call(client, 'update',
          { sObjects: [typed(obj.name, { Id: recordId, [field.name]: value })] });
        expectError(res, 'INVALID_FIELD_FOR_INSERT_UPDATE',
          { message: notWritableMessage([field.name]), fields: [field.name] });
      });

      const nillable = obj.fields.find((f) => f.updateable && f.nillable);
      if (nillable) {
        it(`fieldsToNull clears ${nillable.name}`, async (t) => {
          assert.ok(recordId, 'the record was created');
          if (!owned) return t.skip('the ServiceChannel belongs to another suite');
          const [res] = await call(client, 'update',
            { sObjects: [typed(obj.name, { fieldsToNull: [nillable.name], Id: recordId })] });
          expectSuccess(res, 'update');
          const rec = await retrieveOne(obj, recordId);
          assert.equal(rec[nillable.name], null);
        });
      }

      const mandatory = obj.fields.find((f) => f.updateable && !f.nillable && f.type !== 'boolean');
      if (mandatory) {
        it(`fieldsToNull on ${mandatory.name} is REQUIRED_FIELD_MISSING`, async (t) => {
          assert.ok(recordId, 'the record was created');
          if (!owned) return t.skip('the ServiceChannel belongs to another suite');
          const [res] = await call(client, 'update',
            { sObjects: [typed(obj.name, { fieldsToNull: [mandatory.name], Id: recordId })] });
          expectError(res, 'REQUIRED_FIELD_MISSING', {
            message: `Required fields are missing: [${mandatory.name}]`, fields: [mandatory.name],
          });
        });
      }

      it('update of an Id of another object type is MALFORMED_ID', async () => {
        const other = catalog.objects.find((o) => o.keyPrefix !== obj.keyPrefix);
        const [res] = await call(client, 'update',
          { sObjects: [typed(obj.name, { Id: unusedId(other.keyPrefix) })] });
        expectError(res, 'MALFORMED_ID');
      });
    } else {
      it('update is refused with CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', async () => {
        const id = recordId || unusedId(obj.keyPrefix);
        const [res] = await call(client, 'update', { sObjects: [typed(obj.name, { Id: id })] });
        expectError(res, 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
          { message: `entity type cannot be updated: ${obj.label}` });
      });
    }

    if (obj.supports('upsert')) {
      if (!isChannel) {
        it('upsert on Id inserts without an Id and updates with one', async () => {
          const fields = await factory.build(obj, { only: 'required' });
          let [res] = await call(client, 'upsert',
            { externalIDFieldName: 'Id', sObjects: [typed(obj.name, fields)] });
          expectSuccess(res, 'upsert (insert)');
          assert.equal(res.created, true);
          const id = res.id;
          assert.match(id, new RegExp(`^${obj.keyPrefix}`));
          const change = obj.fields.find((f) => f.updateable && f.type !== 'reference');
          const update = change ? { [change.name]: scalarValue(change, 1, fields[change.name]) } : {};
          [res] = await call(client, 'upsert',
            { externalIDFieldName: 'Id', sObjects: [typed(obj.name, { Id: id, ...update })] });
          expectSuccess(res, 'upsert (update)');
          assert.equal(res.created, false);
          assert.equal(res.id, id);
          checkValues(obj, await retrieveOne(obj, id), { ...fields, ...update });
        });
      } else {
        it('upsert on Id updates the channel', async (t) => {
          const channel = await factory.serviceChannel();
          if (!channel.owned) return t.skip('the ServiceChannel belongs to another suite');
          const label = `Upserted ${RUN}`;
          const [res] = await call(client, 'upsert', {
            externalIDFieldName: 'Id',
            sObjects: [typed(obj.name, { Id: channel.id, MasterLabel: label })],
          });
          expectSuccess(res, 'upsert');
          assert.equal(res.created, false);
          assert.equal((await retrieveOne(obj, channel.id)).MasterLabel, label);
        });
      }
    } else {
      it('upsert is refused with CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', async () => {
        const [res] = await call(client, 'upsert',
          { externalIDFieldName: 'Id', sObjects: [typed(obj.name, { Id: recordId || unusedId(obj.keyPrefix) })] });
        expectError(res, 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY');
      });
    }

    if (obj.supports('delete') && obj.supports('create')) {
      if (obj.name === 'AgentWork') {
        // Guide (AgentWork Usage): only Closed, Declined or Unavailable work can be deleted; new
        // work is Assigned and AgentWork can't be updated through the API.
        it('delete of Assigned work is DELETE_FAILED; undelete of live work is UNDELETE_FAILED', async () => {
          assert.ok(recordId, 'the record was created');
          let [res] = await call(client, 'delete', { ids: [recordId] });
          expectError(res, 'DELETE_FAILED');
          assert.equal(res.id, recordId);
          assert.ok(await retrieveOne(obj, recordId), 'the work is still there');
          [res] = await call(client, 'undelete', { ids: [recordId] });
          expectError(res, 'UNDELETE_FAILED');
        });
      } else {
        it('delete moves the record to the recycle bin', async () => {
          assert.ok(recordId, 'the record was created');
          beforeDelete = await retrieveOne(obj, recordId);
          let [res] = await call(client, 'delete', { ids: [recordId] });
          expectSuccess(res, 'delete');
          assert.equal(res.id, recordId);
          assert.deepEqual(await retrieveAll(obj, [recordId]), [null]);
          [res] = await call(client, 'delete', { ids: [recordId] });
          expectError(res, 'ENTITY_IS_DELETED');
          if (obj.supports('update')) {
            [res] = await call(client, 'update', { sObjects: [typed(obj.name, { Id: recordId })] });
            expectError(res, 'ENTITY_IS_DELETED');
          }
        });

        if (obj.supports('undelete')) {
          it('undelete brings the record back', async () => {
            let [res] = await call(client, 'undelete', { ids: [recordId] });
            expectSuccess(res, 'undelete');
            assert.equal(res.id, recordId);
            const rec = await retrieveOne(obj, recordId);
            checkSystemFields(obj, rec, recordId);
            for (const f of obj.fields) {
              if (['LastModifiedDate', 'SystemModstamp'].includes(f.name)) continue;
              assert.deepEqual(canonical(f, rec[f.name]), canonical(f, beforeDelete[f.name]), f.name);
            }
            [res] = await call(client, 'undelete', { ids: [recordId] });
            expectError(res, 'UNDELETE_FAILED');
          });
        } else {
          it('undelete is refused with INVALID_TYPE_FOR_OPERATION', async () => {
            const [res] = await call(client, 'undelete', { ids: [recordId] });
            expectError(res, 'INVALID_TYPE_FOR_OPERATION',
              { message: `entity type cannot be undeleted: ${obj.label}` });
          });
        }
      }
    }

    if (!obj.supports('delete')) {
      it('delete is refused with INVALID_TYPE_FOR_OPERATION', async () => {
        const id = recordId || unusedId(obj.keyPrefix);
        const [res] = await call(client, 'delete', { ids: [id] });
        expectError(res, 'INVALID_TYPE_FOR_OPERATION',
          { message: `entity type cannot be deleted: ${obj.label}` });
        if (recordId) assert.ok(await retrieveOne(obj, recordId), 'the record is still there');
      });
    }
    if (!obj.supports('undelete') && !obj.supports('delete')) {
      it('undelete is refused with INVALID_TYPE_FOR_OPERATION', async () => {
        const [res] = await call(client, 'undelete', { ids: [recordId || unusedId(obj.keyPrefix)] });
        expectError(res, 'INVALID_TYPE_FOR_OPERATION',
          { message: `entity type cannot be undeleted: ${obj.label}` });
      });
    }
  });
}

describe('ServiceChannel.RelatedEntity is unique', () => {
  it('a second channel for the same entity is DUPLICATE_VALUE naming the first', async () => {
    const channel = await factory.serviceChannel();
    const fields = await channelFields();
    const [res] = await call(client, 'create', { sObjects: [typed('ServiceChannel', fields)] });
    expectError(res, 'DUPLICATE_VALUE', {
      message: `duplicate value found: RelatedEntity duplicates value on record with id: ${channel.id}`,
      fields: ['RelatedEntity'],
    });
  });
});

describe('batches', () => {
  it('results come back in order, failures beside successes', async () => {
    const obj = catalog.object('ServicePresenceStatus');
    const good = await factory.build(obj, { only: 'required' });
    const results = await call(client, 'create', {
      sObjects: [typed(obj.name, good), typed(obj.name, {}),
        typed(obj.name, await factory.build(obj, { only: 'required' }))],
    });
    assert.equal(results.length, 3);
    expectSuccess(results[0]);
    expectError(results[1], 'REQUIRED_FIELD_MISSING');
    expectSuccess(results[2]);
    assert.notEqual(results[0].id, results[2].id);
    const del = await call(client, 'delete', { ids: [results[0].id, 'bogus', results[2].id] });
    assert.equal(del.length, 3);
    expectSuccess(del[0]);
    expectError(del[1], 'MALFORMED_ID');
    expectSuccess(del[2]);
  });

  it('AllOrNoneHeader rolls every record back when one fails', async () => {
    const { client: aon } = await loginClient('enterprise');
    aon.addSoapHeader({ AllOrNoneHeader: { allOrNone: true } }, '', 'tns', NS.enterprise);
    const obj = catalog.object('ServicePresenceStatus');
    const good = await factory.build(obj, { only: 'required' });
    const results = await call(aon, 'create', { sObjects: [typed(obj.name, good), typed(obj.name, {})] });
    assert.equal(results.length, 2);
    expectError(results[0], 'ALL_OR_NONE_OPERATION_ROLLED_BACK', {
      message: 'Record rolled back because not all records were valid and the request was using ' +
        'AllOrNone header',
    });
    assert.ok(!results[0].id, 'a rolled-back record has no Id');
    expectError(results[1], 'REQUIRED_FIELD_MISSING');
    // Without the header the same batch creates the good record.
    const plain = await call(client, 'create', { sObjects: [typed(obj.name, good), typed(obj.name, {})] });
    expectSuccess(plain[0]);
    expectError(plain[1], 'REQUIRED_FIELD_MISSING');
  });

  it('an xsi:type given as a plain prefixed attribute works too', async () => {
    const obj = catalog.object('ServicePresenceStatus');
    const fields = await factory.build(obj, { only: 'required' });
    const [res] = await call(client, 'create', {
      sObjects: [{ attributes: { 'xsi:type': `ens:${obj.name}` }, ...fields }],
    });
    expectSuccess(res);
    checkValues(obj, await retrieveOne(obj, res.id), fields);
  });
});

describe('faults', () => {
  const INVALID_SESSION =
    'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session';

  it('a bad session id is INVALID_SESSION_ID with Salesforce\'s message', async () => {
    const bad = await newClient('enterprise');
    bad.setEndpoint(login.serverUrl);
    setSession(bad, 'enterprise', '00D000000000000!bogus');
    const fault = await expectFault(bad.getUserInfoAsync({}), 'sf:INVALID_SESSION_ID', INVALID_SESSION);
    const detail = fault.detail && fault.detail.UnexpectedErrorFault;
    assert.ok(detail, `detail is an UnexpectedErrorFault: ${JSON.stringify(fault.detail)}`);
    assert.equal(detail.exceptionCode, 'INVALID_SESSION_ID');
    assert.equal(detail.exceptionMessage,
      'Invalid Session ID found in SessionHeader: Illegal Session');
    await expectFault(bad.createAsync({ sObjects: [typed('Case', {})] }),
      'sf:INVALID_SESSION_ID', INVALID_SESSION);
  });

  it('no SessionHeader at all is INVALID_SESSION_ID', async () => {
    const none = await newClient('enterprise');
    none.setEndpoint(login.serverUrl);
    await expectFault(none.getServerTimestampAsync({}), 'sf:INVALID_SESSION_ID', INVALID_SESSION);
  });

  it('a session is invalid after logout', async () => {
    const { client: c } = await loginClient('enterprise');
    const [ts] = await c.getServerTimestampAsync({});
    assert.ok(ts.result.timestamp instanceof Date);
    assert.ok(Math.abs(ts.result.timestamp.getTime() - Date.now()) < 10 * 60 * 1000);
    await c.logoutAsync({});
    await expectFault(c.getUserInfoAsync({}), 'sf:INVALID_SESSION_ID', INVALID_SESSION);
  });

  it('a wrong password is INVALID_LOGIN with an unprefixed faultcode', async () => {
    const c = await newClient('enterprise');
    const fault = await expectFault(c.loginAsync({ username: USERNAME, password: 'wrong' }),
      'INVALID_LOGIN',
      'INVALID_LOGIN: Invalid username, password, security token; or user locked out.');
    assert.equal(fault.detail.LoginFault.exceptionCode, 'INVALID_LOGIN');
    await expectFault(c.loginAsync({ username: `nobody.${RUN}@omni.local`, password: PASSWORD }),
      'INVALID_LOGIN');
  });

  it('getUserInfo describes the logged-in user', async () => {
    const [res] = await client.getUserInfoAsync({});
    assert.equal(res.result.userId, login.userId);
    assert.equal(res.result.userName, USERNAME);
    assert.equal(res.result.organizationId, login.userInfo.organizationId);
  });

  it('an unknown sObject type is INVALID_TYPE', async () => {
    await expectFault(client.createAsync({ sObjects: [typed('Bogus', { Name: 'x' })] }),
      'sf:INVALID_TYPE', "INVALID_TYPE: sObject type 'Bogus' is not supported.");
    await expectFault(client.retrieveAsync({ fieldList: 'Id', sObjectType: 'Bogus', ids: [login.userId] }),
      'sf:INVALID_TYPE', "INVALID_TYPE: sObject type 'Bogus' is not supported.");
  });

  it('an sObject without xsi:type is INVALID_TYPE', async () => {
    const fault = await expectFault(client.createAsync({ sObjects: [{ Subject: 'untyped' }] }),
      'sf:INVALID_TYPE');
    assert.match(fault.faultstring, /^INVALID_TYPE: /);
  });

  it('an unknown field is INVALID_FIELD', async () => {
    const msg = "INVALID_FIELD: No such column 'Bogus__c' on entity 'Case'. If you are attempting " +
      "to use a custom field, be sure to append the '__c' after the custom field name. Please " +
      'reference your WSDL or the describe call for the appropriate names.';
    await expectFault(client.createAsync({ sObjects: [typed('Case', { Bogus__c: 'x' })] }),
      'sf:INVALID_FIELD', msg);
    const fault = await expectFault(client.retrieveAsync(
      { fieldList: 'Id, Bogus', sObjectType: 'Case', ids: [unusedId('500')] }), 'sf:INVALID_FIELD');
    assert.match(fault.faultstring, /No such column 'Bogus' on entity 'Case'/);
    const detail = fault.detail.InvalidFieldFault;
    assert.equal(detail.row, 1);
    assert.equal(detail.column, 12);
  });

  it('more than 200 records is EXCEEDED_ID_LIMIT', async () => {
    const many = Array.from({ length: 201 }, () => typed('Case', { Subject: 'too many' }));
    const msg = 'EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than 200 records ' +
      'into this call';
    await expectFault(client.createAsync({ sObjects: many }), 'sf:EXCEEDED_ID_LIMIT', msg);
    const ids = Array.from({ length: 201 }, (_, i) => unusedId('500', String(i).padStart(9, '0')));
    await expectFault(client.deleteAsync({ ids }), 'sf:EXCEEDED_ID_LIMIT', msg);
  });

  it('a malformed Id in retrieve is MALFORMED_ID', async () => {
    await expectFault(client.retrieveAsync({ fieldList: 'Id', sObjectType: 'Case', ids: ['12345'] }),
      'sf:MALFORMED_ID');
  });
});

describe('partner WSDL', () => {
  it('login, create and retrieve through the partner endpoint', async () => {
    const { client: partner, login: plogin } = await loginClient('partner');
    assert.match(plogin.serverUrl, /\/services\/Soap\/u\/44\.0\/00D[A-Za-z0-9]{12}$/);
    const developerName = `JS_${RUN}_partner`;
    const [created] = await call(partner, 'create', {
      sObjects: [{ type: 'ServicePresenceStatus', DeveloperName: developerName, MasterLabel: 'Partner' }],
    });
    expectSuccess(created, 'partner create');
    assert.match(created.id, /^0N5[A-Za-z0-9]{15}$/);
    const [res] = await partner.retrieveAsync({
      fieldList: 'Id, DeveloperName, MasterLabel, IsDeleted',
      sObjectType: 'ServicePresenceStatus',
      ids: [created.id],
    });
    const rec = asArray(res.result)[0];
    assert.ok(rec, 'the record is retrieved');
    assert.equal(rec.type, 'ServicePresenceStatus');
    // The sObject's typed Id, then the Id again among the fields, as the partner API has it.
    assert.deepEqual(asArray(rec.Id), [created.id, created.id]);
    assert.equal(rec.DeveloperName, developerName);
    assert.equal(rec.MasterLabel, 'Partner');
    assert.equal(String(rec.IsDeleted), 'false');
    // The same record through the enterprise API.
    const obj = catalog.object('ServicePresenceStatus');
    const same = await retrieveOne(obj, created.id);
    assert.equal(same.DeveloperName, developerName);
  });

  it('the partner WSDL has the generic sObject and the partner endpoint', async () => {
    const c = await newClient('partner');
    const types = c.wsdl.definitions.schemas[NS.partnerSObject].complexTypes;
    assert.ok(types.sObject);
    assert.ok(!types.ServiceChannel, 'no per-object types in the partner WSDL');
    assert.match(c.wsdl.services.SforceService.ports.Soap.location,
      /\/services\/Soap\/u\/44\.0$/);
  });
});

'use strict';
// Builds valid records for any catalog object from the catalog alone: a value of the right type
// for each field, parents created first for references, and the one ServiceChannel per run
// (ServiceChannel.RelatedEntity is Unique with six values and channels cannot be deleted).
const assert = require('node:assert/strict');
const { RUN, typed, call, asArray, expectSuccess } = require('./omni');

let counter = 0;
const next = () => ++counter;

// Text that exercises escaping and UTF-8 (an apostrophe, an ampersand, a non-ASCII letter).
function textValue(field, variant) {
  const n = next();
  switch (field.name) {
    case 'DeveloperName':
      return `JS_${RUN}_${n}`.slice(0, field.length || 80);
    case 'Username':
      return `js.${RUN.toLowerCase()}.${n}@omni.test`;
    case 'Alias':
      return `js${n}`.slice(0, field.length || 8);
    default: {
      const base = `${variant ? 'Upd' : 'New'} ${n} ${RUN} O'Neil & Café`;
      // Cut to a short length (PushTopic.Name: 25) it must not end in a space: the server
      // trims text, as Salesforce does.
      return field.length ? base.slice(0, field.length).trimEnd() : base;
    }
  }
}

function picklistValue(field, variant, current) {
  const values = field.picklistValues;
  if (!values.length) return `Value ${next()}`;
  if (variant === 0) return values.includes('en_US') ? 'en_US' : values[0];
  return values.find((v) => v !== current && v !== 'en_US') || values[0];
}

// Fields whose valid values a rule beyond the catalog's properties restricts (a PushTopic's
// Query must be a PushTopic query, with a field other than Id in SELECT and WHERE for every
// NotifyForFields rule; its ApiVersion above 20.0: CATALOG-DECISIONS.md Q), by variant.
const RULED_VALUES = {
  'PushTopic.Query': ["SELECT Id, Subject FROM Case WHERE Status != 'Closed'",
    'SELECT Id, Status FROM Case WHERE Subject != null'],
  'PushTopic.ApiVersion': [44.0, 39.5],
};

// A valid value for a non-reference field. variant 0 is for create, 1 for update (different
// from what variant 0 gave where the type allows it).
function scalarValue(field, variant, current) {
  const ruled = RULED_VALUES[`${field.owner}.${field.name}`];
  if (ruled) return ruled[variant ? 1 : 0];
  switch (field.type) {
    case 'string':
    case 'textarea':
      return textValue(field, variant);
    case 'email':
      return `js.${RUN.toLowerCase()}.${next()}@omni.test`;
    case 'phone':
      return variant ? '+1 415 555 0199' : '+1 415 555 0100';
    case 'url':
      return `https://omni.test/${RUN}/${next()}`;
    case 'picklist':
      return picklistValue(field, variant, current);
    case 'boolean': {
      const dflt = field.default === 'true';
      return variant ? dflt : !dflt;
    }
    case 'int':
      return variant ? 7 : 5;
    case 'double':
    case 'percent':
      return variant ? 20.25 : 12.5;
    case 'datetime':
      // The update variant has an offset: the server stores UTC.
      return variant ? '2026-11-26T12:30:00.250+02:00' : '2026-11-25T10:00:00.000Z';
    case 'date':
      return variant ? '2026-11-26' : '2026-11-25';
    default:
      throw new Error(`no value for ${field.name} of type ${field.type}`);
  }
}

// The value a field should hold after the server took `sent`, in the form of the soap client's
// parsed result (Date for datetimes, numbers, booleans).
function canonical(field, v) {
  if (v === undefined || v === null) return null;
  switch (field.type) {
    case 'datetime':
      return new Date(v).toISOString();
    case 'date':
      return (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10);
    case 'int':
    case 'double':
    case 'percent':
      return Number(v);
    case 'boolean':
      return v === true || v === 'true' || v === '1';
    default:
      return String(v);
  }
}

// The fields a create must carry (Salesforce's REQUIRED_FIELD_MISSING rule): createable, not
// nillable, not defaulted on create, not a boolean (booleans always default).
const requiredFields = (obj) => obj.fields.filter((f) =>
  f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean');

class RecordFactory {
  constructor(catalog, client, login) {
    this.catalog = catalog;
    this.client = client;
    this.login = login;
    this.parents = new Map();  // object name -> Promise<id>
    this.channel = null;       // Promise<{id, owned, sent}>
  }

  // An Id of an existing record of one of the reference's targets that the API can create,
  // or null when none can be created (e.g. PendingServiceRouting).
  async referenceValue(field) {
    for (const name of field.referenceTo) {
      const target = this.catalog.object(name);
      if (target && target.supports('create')) return this.parent(name);
    }
    return null;
  }

  // One record per parent type, made on first use.
  parent(name) {
    if (name === 'ServiceChannel') return this.serviceChannel().then((c) => c.id);
    if (!this.parents.has(name)) {
      const promise = (async () => {
        const obj = this.catalog.object(name);
        const fields = await this.build(obj, { only: 'required' });
        const [res] = await call(this.client, 'create', { sObjects: [typed(obj.name, fields)] });
        expectSuccess(res, `creating a parent ${name}`);
        return res.id;
      })();
      this.parents.set(name, promise);
    }
    return this.parents.get(name);
  }

  // Field values for a create: { only: 'required' } or every createable field ('all').
  async build(obj, { only = 'all', variant = 0 } = {}) {
    const required = new Set(requiredFields(obj).map((f) => f.name));
    const out = {};
    for (const f of obj.fields) {
      if (!f.createable) continue;
      if (only === 'required' && !required.has(f.name)) continue;
      if (f.type === 'reference') {
        const id = await this.referenceValue(f);
        if (id) out[f.name] = id;
        else assert.ok(!required.has(f.name), `${obj.name}.${f.name} has no creatable target`);
      } else if (f.name === 'RelatedEntity') {
        throw new Error('ServiceChannel records come from serviceChannel() only');
      } else {
        out[f.name] = scalarValue(f, variant);
      }
    }
    return out;
  }

  // The run's one ServiceChannel, with every createable field. RelatedEntity values are tried
  // from the least likely to be taken by other suites; when all six are taken (a long-lived
  // server), the channel named by the last DUPLICATE_VALUE error is reused (owned: false).
  serviceChannel() {
    if (!this.channel) {
      this.channel = (async () => {
        const obj = this.catalog.object('ServiceChannel');
        const related = obj.field('RelatedEntity');
        const order = ['VoiceCall', 'MessagingSession', 'SocialPost', 'LiveChatTranscript', 'Lead',
          'Case'].filter((v) => related.picklistValues.includes(v));
        for (const v of related.picklistValues) if (!order.includes(v)) order.push(v);
        let lastError = null;
        for (const entity of order) {
          const fields = {};
          for (const f of obj.fields) {
            if (!f.createable) continue;
            fields[f.name] = f.name === 'RelatedEntity' ? entity : scalarValue(f, 0);
          }
          const [res] = await call(this.client, 'create', { sObjects: [typed('ServiceChannel', fields)] });
          if (res.success) return { id: res.id, owned: true, sent: fields, relatedEntity: entity };
          const err = asArray(res.errors)[0];
          assert.equal(err.statusCode, 'DUPLICATE_VALUE', JSON.stringify(res.errors));
          lastError = err;
        }
        const m = /with id: ([A-Za-z0-9]{18})/.exec(lastError.message);
        assert.ok(m, `DUPLICATE_VALUE names the existing record: ${lastError.message}`);
        return { id: m[1], owned: false, sent: null, relatedEntity: order[order.length - 1] };
      })();
    }
    return this.channel;
  }
}

module.exports = { RecordFactory, scalarValue, canonical, requiredFields };

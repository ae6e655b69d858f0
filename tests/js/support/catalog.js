'use strict';
// Reads wsdl/catalog.xml, the emulator's single source of truth, with a small purpose-built
// parser (no npm dependency): objects with their calls and key prefix, fields with type,
// properties, picklist values, references and defaults. System fields are added to every object,
// as the server's loader does.
const fs = require('node:fs');
const path = require('node:path');

const REPO = process.env.OMNI_SOURCE_DIR || path.resolve(__dirname, '..', '..', '..');
const CATALOG_PATH = path.join(REPO, 'wsdl', 'catalog.xml');

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescapeXml(text) {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e) => {
    if (e[0] === '#') {
      return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
    return ENTITIES[e] ?? m;
  });
}

function parseAttributes(text) {
  const attrs = {};
  for (const m of text.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    attrs[m[1]] = unescapeXml(m[3] ?? m[4]);
  }
  return attrs;
}

const words = (s) => (s || '').split(/\s+/).filter(Boolean);

// <field .../> or <field ...>(<value>..</value>)*</field>, in document order.
function parseFields(body, system) {
  const fields = [];
  const re = /<field\b([^>]*?)(\/>|>([\s\S]*?)<\/field>)/g;
  for (const m of body.matchAll(re)) {
    const a = parseAttributes(m[1]);
    const props = new Set(words(a.properties));
    const type = a.type;
    const values = [...(m[3] || '').matchAll(/<value>([\s\S]*?)<\/value>/g)].map((v) =>
      unescapeXml(v[1].trim()));
    fields.push({
      name: a.name,
      label: a.label || a.name,
      type,
      length: a.length ? Number(a.length) : (type === 'id' || type === 'reference' ? 18 : 0),
      precision: a.precision ? Number(a.precision) : 0,
      scale: a.scale ? Number(a.scale) : 0,
      createable: props.has('Create'),
      updateable: props.has('Update'),
      nillable: props.has('Nillable'),
      defaultedOnCreate: props.has('DefaultedOnCreate'),
      filterable: props.has('Filter'),
      sortable: props.has('Sort'),
      groupable: props.has('Group'),
      restrictedPicklist: props.has('RestrictedPicklist'),
      unique: props.has('Unique'),
      idLookup: props.has('IdLookup'),
      autoNumber: props.has('Autonumber'),
      autoNumberFormat: a.autoNumberFormat || '',
      nameField: a.nameField === 'true',
      default: a.default,
      referenceTo: words(a.referenceTo),
      relationshipName: a.relationshipName || '',
      picklistValues: values,
      system,
    });
  }
  return fields;
}

function loadCatalog(file = CATALOG_PATH) {
  const xml = fs.readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const root = /<catalog\b([^>]*)>/.exec(xml);
  if (!root) throw new Error(`${file}: no <catalog> element`);
  const systemBlock = /<systemFields>([\s\S]*?)<\/systemFields>/.exec(xml);
  const systemFields = systemBlock ? parseFields(systemBlock[1], true) : [];
  const objects = [];
  for (const m of xml.matchAll(/<object\b([^>]*?)(\/>|>([\s\S]*?)<\/object>)/g)) {
    const a = parseAttributes(m[1]);
    const own = parseFields(m[3] || '', false).map((f) => ({ ...f, owner: a.name }));
    const fields = [
      ...systemFields.filter((s) => !own.some((f) => f.name === s.name)),
      ...own,
    ];
    const calls = new Set(words(a.calls));
    objects.push({
      name: a.name,
      label: a.label || a.name,
      keyPrefix: a.keyPrefix,
      supporting: a.supporting === 'true',
      calls,
      supports: (call) => calls.has(call),
      fields,
      field(name) {
        return fields.find((f) => f.name.toLowerCase() === String(name).toLowerCase());
      },
    });
  }
  return {
    apiVersion: parseAttributes(root[1]).apiVersion || '44.0',
    objects,
    object(name) {
      return objects.find((o) => o.name.toLowerCase() === String(name).toLowerCase());
    },
    byPrefix(prefix) {
      return objects.find((o) => o.keyPrefix === prefix);
    },
  };
}

module.exports = { loadCatalog, CATALOG_PATH, REPO };

'use strict';
// The HTTP layer under the SOAP endpoints, with node's raw `http` and `net`: keep-alive (several
// requests on one socket), 404 for unknown paths, the health JSON, the served WSDLs, and a SOAP
// fault as HTTP 500.
//
// Env: OMNI_URL, the base URL of a running server (default http://localhost:18044).
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');

const { OMNI_URL, USERNAME, PASSWORD } = require('./support/omni');

const base = new URL(OMNI_URL);
const HOST = base.hostname;
const PORT = Number(base.port || 80);

// One request; resolves with status, headers, body (utf8) and the socket it went over.
function request({ method = 'GET', path, headers = {}, body, agent, timeout = 30000 }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        headers: res.headers,
        raw: Buffer.concat(chunks),
        body: Buffer.concat(chunks).toString('utf8'),
        socket: req.socket,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeout, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    if (body) req.write(body);
    req.end();
  });
}

function loginEnvelope(password, ns = 'urn:partner.soap.sforce.com') {
  return '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    `xmlns:urn="${ns}"><soapenv:Body><urn:login>` +
    `<urn:username>${USERNAME}</urn:username><urn:password>${password}</urn:password>` +
    '</urn:login></soapenv:Body></soapenv:Envelope>';
}

function soapPost(path, body, agent, timeout) {
  return request({
    method: 'POST',
    path,
    agent,
    timeout,
    headers: {
      'Content-Type': 'text/xml; charset=UTF-8',
      SOAPAction: '""',
      'Content-Length': Buffer.byteLength(body),
    },
    body,
  });
}

// Reads one HTTP/1.1 response with a Content-Length from a raw socket's data stream.
function readResponse(state) {
  return new Promise((resolve, reject) => {
    const tryParse = () => {
      const end = state.buffer.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const head = state.buffer.subarray(0, end).toString('latin1');
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!m) {
        reject(new Error(`no Content-Length in ${head}`));
        return true;
      }
      const total = end + 4 + Number(m[1]);
      if (state.buffer.length < total) return false;
      const body = state.buffer.subarray(end + 4, total).toString('utf8');
      state.buffer = state.buffer.subarray(total);
      resolve({ status: Number(head.split(' ')[1]), head, body });
      return true;
    };
    if (tryParse()) return;
    const onData = () => {
      if (tryParse()) cleanup();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the server closed the connection'));
    };
    const cleanup = () => {
      state.socket.off('data', onData);
      state.socket.off('close', onClose);
    };
    state.socket.on('data', onData);
    state.socket.on('close', onClose);
  });
}

function rawConnection() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port: PORT }, () => {
      const state = { socket, buffer: Buffer.alloc(0) };
      socket.on('data', (c) => { state.buffer = Buffer.concat([state.buffer, c]); });
      resolve(state);
    });
    socket.setTimeout(30000, () => socket.destroy(new Error('raw socket timeout')));
    socket.on('error', reject);
  });
}

describe('health', () => {
  it('GET /_emulator/health answers the status JSON', async () => {
    const res = await request({ path: '/_emulator/health' });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.equal(Number(res.headers['content-length']), res.raw.length);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok', database: 'ok', apiVersion: '44.0' });
  });

  it('a query string does not change the route', async () => {
    const res = await request({ path: '/_emulator/health?probe=1' });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).status, 'ok');
  });
});

describe('keep-alive', () => {
  it('two requests through a keep-alive agent share one socket', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request({ path: '/_emulator/health', agent });
      const second = await request({ path: '/_emulator/health', agent });
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.equal(first.headers.connection, 'keep-alive');
      assert.equal(second.headers.connection, 'keep-alive');
      assert.equal(first.socket, second.socket, 'the second request reused the first socket');
      // A SOAP call in between keeps the connection too.
      const login = await soapPost('/services/Soap/u/44.0', loginEnvelope(PASSWORD), agent);
      assert.equal(login.status, 200, login.body);
      assert.match(login.body, /<(\w+:)?sessionId>[^<]+<\/(\w+:)?sessionId>/);
      const third = await request({ path: '/_emulator/health', agent });
      assert.equal(third.status, 200);
      assert.equal(third.socket, first.socket, 'the socket survived a SOAP call');
    } finally {
      agent.destroy();
    }
  });

  it('a raw socket carries consecutive requests, and pipelined ones, in order', async () => {
    const conn = await rawConnection();
    try {
      const get = (path) => `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${PORT}\r\n\r\n`;
      conn.socket.write(get('/_emulator/health'));
      const a = await readResponse(conn);
      assert.equal(a.status, 200);
      assert.match(a.head, /\r\nConnection: keep-alive/i);
      conn.socket.write(get('/no/such/page'));
      const b = await readResponse(conn);
      assert.equal(b.status, 404);
      // Two requests in one write: two answers, in order.
      conn.socket.write(get('/_emulator/health') + get('/services/wsdl/partner'));
      const c = await readResponse(conn);
      const d = await readResponse(conn);
      assert.equal(c.status, 200);
      assert.equal(JSON.parse(c.body).status, 'ok');
      assert.equal(d.status, 200);
      assert.match(d.body, /<definitions[^>]*targetNamespace="urn:partner\.soap\.sforce\.com"/);
    } finally {
      conn.socket.destroy();
    }
  });
});

describe('unknown paths', () => {
  for (const path of ['/', '/nope', '/services', '/services/Soap/u/44.0x', '/_emulator/healthz',
    '/services/wsdl/bogus']) {
    it(`GET ${path} is 404`, async () => {
      const res = await request({ path });
      assert.equal(res.status, 404);
      assert.match(res.headers['content-type'], /^text\/plain/);
      assert.equal(res.body, 'Not Found\n');
    });
  }

  it('a POST to an unknown path is 404 and closes the connection', async () => {
    // 20.0 is older than any version Salesforce still serves, 67.0 newer than the newest.
    for (const path of ['/nope', '/services/Soap/u/20.0', '/services/Soap/c/67.0',
      '/services/Soap/u/44.1', '/services/Soap/x/44.0']) {
      const res = await soapPost(path, loginEnvelope(PASSWORD));
      assert.equal(res.status, 404, path);
      assert.equal(res.body, 'Not Found\n');
      // The request body was not read, so the connection can't be reused.
      assert.equal(res.headers.connection, 'close');
    }
  });
});

describe('served WSDLs', () => {
  for (const [flavor, letter, ns] of [['partner', 'u', 'urn:partner.soap.sforce.com'],
    ['enterprise', 'c', 'urn:enterprise.soap.sforce.com']]) {
    it(`GET /services/wsdl/${flavor} points at this server`, async () => {
      const res = await request({ path: `/services/wsdl/${flavor}` });
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^text\/xml/);
      assert.equal(Number(res.headers['content-length']), res.raw.length);
      assert.ok(res.body.includes(`targetNamespace="${ns}"`));
      const locations = [...res.body.matchAll(/<soap:address location="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(locations.length >= 1);
      for (const loc of locations) {
        assert.match(loc, new RegExp(`^http://[^/]+:${PORT}/services/Soap/${letter}/44\\.0$`));
      }
      const dotted = await request({ path: `/services/wsdl/${flavor}.wsdl` });
      assert.equal(dotted.status, 200);
      assert.equal(dotted.body, res.body);
    });
  }
});

describe('SOAP over HTTP', () => {
  it('a successful call is 200 text/xml', async () => {
    const res = await soapPost('/services/Soap/u/44.0', loginEnvelope(PASSWORD));
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/xml/);
    assert.match(res.body,
      /<(\w+:)?serverUrl>[^<]*\/services\/Soap\/u\/44\.0\/00D[A-Za-z0-9]{12}<\/(\w+:)?serverUrl>/);
  });

  it('a fault is HTTP 500 with the fault envelope', async () => {
    const res = await soapPost('/services/Soap/u/44.0', loginEnvelope('wrong'));
    assert.equal(res.status, 500);
    assert.match(res.headers['content-type'], /^text\/xml/);
    assert.equal(Number(res.headers['content-length']), res.raw.length);
    assert.match(res.body, /<faultcode>INVALID_LOGIN<\/faultcode>/);
    assert.match(res.body, /<faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out\.<\/faultstring>/);
    assert.match(res.body, /xmlns:sf="urn:fault\.partner\.soap\.sforce\.com"/);
    assert.match(res.body, /<sf:LoginFault xsi:type="sf:LoginFault">/);
  });

  it('the enterprise endpoint answers faults in the enterprise fault namespace', async () => {
    const res = await soapPost('/services/Soap/c/44.0',
      loginEnvelope('wrong', 'urn:enterprise.soap.sforce.com'));
    assert.equal(res.status, 500);
    assert.match(res.body, /xmlns:sf="urn:fault\.enterprise\.soap\.sforce\.com"/);
    assert.match(res.body, /<faultcode>INVALID_LOGIN<\/faultcode>/);
  });

  it('a request in the other API\'s namespace is refused with a fault', async () => {
    const res = await soapPost('/services/Soap/u/44.0',
      loginEnvelope(PASSWORD, 'urn:enterprise.soap.sforce.com'));
    assert.equal(res.status, 500);
    assert.match(res.body, /<soapenv:Fault>|<SOAP-ENV:Fault>/);
    assert.doesNotMatch(res.body, /sessionId>/);
  });

  // A real org answers a body it can't parse at once, with a fault. Content-Length bounds the
  // body, so nothing justifies waiting for more bytes.
  for (const [what, body] of [['not XML', 'this is not xml'], ['truncated XML', '<soapenv:Envelope']]) {
    it(`a body that is ${what} is answered promptly with an error`, async () => {
      const started = Date.now();
      const res = await soapPost('/services/Soap/u/44.0', body, undefined, 5000);
      assert.ok(res.status >= 400 && res.status < 600, `status ${res.status}`);
      assert.ok(Date.now() - started < 5000);
      const health = await request({ path: '/_emulator/health' });
      assert.equal(health.status, 200);
    });
  }
});

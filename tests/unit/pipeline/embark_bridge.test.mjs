// Host-side bridge: origin and source checks, explicit target origin, one request in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Bridge = require(process.env.EMBARK_BRIDGE_JS);

function setup(fetchImpl) {
  const listeners = {};
  const posted = [];
  const frame = { postMessage: (message, origin) => posted.push({ message, origin }) };
  const win = {
    addEventListener: (type, fn) => { listeners[type] = fn; },
    removeEventListener: (type) => { delete listeners[type]; },
  };
  const calls = [];
  const fetch = fetchImpl || (async (url, init) => {
    calls.push({ url, init });
    await new Promise((r) => setImmediate(r));
    return { ok: true, status: 200, json: async () => ({ token: 'tok' + calls.length, expiresAt: 'later' }) };
  });
  const errors = [];
  const bridge = Bridge.attach({
    iframe: { contentWindow: frame }, wisdomOrigin: 'https://acme.wisdom.ai/', refreshUrl: '/embark/token',
    window: win, fetch, onError: (e) => errors.push(e),
  });
  const send = (origin, source, data) => listeners.message({ origin, source, data });
  return { bridge, frame, posted, calls, errors, send, listeners };
}

test('answers a request from the iframe with the explicit origin', async () => {
  const s = setup();
  await s.send('https://acme.wisdom.ai', s.frame, { type: 'REQUEST_JWT_TOKEN' });
  assert.equal(s.calls.length, 1);
  assert.equal(s.calls[0].url, '/embark/token');
  assert.equal(s.calls[0].init.credentials, 'same-origin');
  assert.deepEqual(s.posted, [{ message: { type: 'JWT_TOKEN_RESPONSE', token: 'tok1' }, origin: 'https://acme.wisdom.ai' }]);
});

test('ignores other origins, other sources and other message types', async () => {
  const s = setup();
  await s.send('https://evil.example', s.frame, { type: 'REQUEST_JWT_TOKEN' });
  await s.send('https://acme.wisdom.ai', {}, { type: 'REQUEST_JWT_TOKEN' });
  await s.send('https://acme.wisdom.ai', s.frame, { type: 'SOMETHING_ELSE' });
  await s.send('https://acme.wisdom.ai', s.frame, null);
  assert.equal(s.calls.length, 0);
  assert.equal(s.posted.length, 0);
});

test('one request in flight; duplicates are dropped', async () => {
  const s = setup();
  const first = s.send('https://acme.wisdom.ai', s.frame, { type: 'REQUEST_JWT_TOKEN' });
  const second = s.send('https://acme.wisdom.ai', s.frame, { type: 'REQUEST_JWT_TOKEN' });
  await Promise.all([first, second]);
  assert.equal(s.calls.length, 1);
  assert.equal(s.posted.length, 1);
  await s.send('https://acme.wisdom.ai', s.frame, { type: 'REQUEST_JWT_TOKEN' });
  assert.equal(s.calls.length, 2);
});

test('a failing endpoint sends nothing and reports the error', async () => {
  const s = setup(async () => ({ ok: false, status: 401, json: async () => ({}) }));
  await s.send('https://acme.wisdom.ai', s.frame, { type: 'REQUEST_JWT_TOKEN' });
  assert.equal(s.posted.length, 0);
  assert.equal(s.errors.length, 1);
  assert.match(String(s.errors[0]), /401/);
});

test('detach removes the listener; bad options are refused', () => {
  const s = setup();
  s.bridge.detach();
  assert.equal(s.listeners.message, undefined);
  assert.throws(() => Bridge.attach({ iframe: { contentWindow: {} }, wisdomOrigin: 'ftp://x', refreshUrl: '/t' }));
  assert.throws(() => Bridge.attach({ wisdomOrigin: 'https://x', refreshUrl: '/t' }));
});

test('look-alike origins, other windows and forged sources never get a token', async () => {
  const s = setup();
  const request = { type: 'REQUEST_JWT_TOKEN' };
  const popup = { postMessage: (message, origin) => s.posted.push({ message, origin, popup: true }) };
  const attempts = [
    ['https://acme.wisdom.ai.evil.example', s.frame],  // suffix look-alike
    ['https://evil-acme.wisdom.ai', s.frame],           // another subdomain
    ['http://acme.wisdom.ai', s.frame],                 // scheme downgrade
    ['https://acme.wisdom.ai:8443', s.frame],           // another port
    ['null', s.frame],                                  // sandboxed or opaque origin
    ['', s.frame],
    [undefined, s.frame],
    ['https://acme.wisdom.ai', popup],                  // right origin, another window (a popup)
    ['https://acme.wisdom.ai', null],                   // no source
    ['https://acme.wisdom.ai', undefined],
    ['https://acme.wisdom.ai', { ...s.frame }],         // a copy is not the iframe's window
  ];
  for (const [origin, source] of attempts) await s.send(origin, source, request);
  // Message shapes that only resemble a request.
  for (const data of ['REQUEST_JWT_TOKEN', { type: 'request_jwt_token' }, { type: ['REQUEST_JWT_TOKEN'] }, 42]) {
    await s.send('https://acme.wisdom.ai', s.frame, data);
  }
  assert.equal(s.calls.length, 0);
  assert.equal(s.posted.length, 0);
  assert.equal(s.errors.length, 0);
});

test('the answer goes only to the pinned WisdomAI origin, never to "*" or the sender\'s claim', async () => {
  const s = setup();
  await s.send('https://acme.wisdom.ai', s.frame, { type: 'REQUEST_JWT_TOKEN', origin: '*' });
  assert.equal(s.posted.length, 1);
  assert.equal(s.posted[0].origin, 'https://acme.wisdom.ai');
});

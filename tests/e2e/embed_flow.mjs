// End-to-end test of the sample embed server in a real headless Chromium:
//   log in -> the WisdomAI iframe shows "Signed in as <email>" with the tenant's attributes
//   -> the short-lived token is refreshed over postMessage (fingerprint changes, no reload)
//   -> token messages from a foreign origin are ignored
//   -> the app moves alice to another region in its database while she is signed in: the next
//      refresh's token carries the new region, and so does the token of her next sign-in
//   -> a user of the other tenant sees the other attributes
//   -> logout -> the token-refresh endpoint refuses (401).
//
// usage: node tests/e2e/embed_flow.mjs <path to embark-sample-server>
// env:   E2E_ARTIFACTS_DIR (screenshots; default build/e2e-artifacts), CHROMIUM (default /usr/bin/chromium),
//        E2E_TOKEN_TTL (seconds, default 15)
// exit:  0 passed, 1 failed, 77 skipped (no chromium or no playwright-core: run ./dev setup)
// Tokens are decoded to check their claims, never printed.

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const started = Date.now();
const WAIT = { timeout: 60_000 };  // generous: the machine running this may be loaded

function log(message) {
  console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}
function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  log(`ok - ${message}`);
}

// ---- prerequisites ---------------------------------------------------------------------------
const serverBinary = process.argv[2];
if (!serverBinary || !fs.existsSync(serverBinary)) {
  console.error(`usage: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))} <embark-sample-server>`);
  process.exit(1);
}
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromiumPath)) {
  console.log(`SKIP: ${chromiumPath} not found (run ./dev setup)`);
  process.exit(SKIP);
}
const playwrightEntry = path.join(repoRoot, 'tests', 'js', 'node_modules', 'playwright-core', 'index.mjs');
if (!fs.existsSync(playwrightEntry)) {
  console.log('SKIP: tests/js/node_modules/playwright-core not installed (run ./dev setup)');
  process.exit(SKIP);
}
const { chromium } = await import(pathToFileURL(playwrightEntry).href);
// The app's database is changed as an admin tool or a sync job would: straight into SQLite, with
// the sqlite3 shell, else Python's sqlite3 module.
const sqlite3Path = process.env.SQLITE3 || '/usr/bin/sqlite3';

const artifacts = path.resolve(process.env.E2E_ARTIFACTS_DIR || path.join(repoRoot, 'build', 'e2e-artifacts'));
fs.mkdirSync(artifacts, { recursive: true });
const tokenTtl = process.env.E2E_TOKEN_TTL || '15';

// ---- helpers ---------------------------------------------------------------------------------
/** Starts embark-sample-server on port 0 over the SQLite file `db` (seeded with the demo tenants)
 *  and resolves with its base URL once it prints it. */
async function startServer(db) {
  const child = spawn(serverBinary, ['--port', '0', '--token-ttl', tokenTtl, '--db', db], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WISDOM_URL: '', WISDOM_ACCESS_KEY: '' },
  });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (d) => {
      buffered += d;
      output += d;
      const m = buffered.match(/embark-sample-server listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${output}`)); });
  });
  child.removeAllListeners('exit');
  return { child, url, output: () => output };
}

/** A page on another origin (another port) that opens the dashboard and posts messages to it. */
async function startForeignOrigin() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>foreign origin</title><h1>Not the app</h1><link rel="icon" href="data:,">');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

async function shot(page, name) {
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${path.relative(repoRoot, file)}`);
}

async function wisdomFrame(page) {
  const handle = await page.waitForSelector('#wisdom-frame', WAIT);
  const frame = await handle.contentFrame();
  await frame.waitForSelector('#signed-in-as:not(:empty)', WAIT);
  return frame;
}

async function attributesOf(frame) {
  return frame.$$eval('#attributes li', (items) => items.map((li) => li.textContent.trim()));
}

/** Runs one SQL statement on the app's database while the server has it open. */
function sql(db, statement) {
  const options = { stdio: ['ignore', 'ignore', 'pipe'] };
  if (fs.existsSync(sqlite3Path)) {
    execFileSync(sqlite3Path, ['-bail', '-cmd', '.timeout 5000', db, statement], options);
  } else {
    const script = 'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=5)\nc.execute(sys.argv[2])\nc.commit()\n';
    execFileSync('python3', ['-c', script, db, statement], options);
  }
}

/** The claims of a JWT (its payload, base64url JSON). The token itself is never logged. */
function claimsOf(jwt) {
  const parts = String(jwt).split('.');
  if (parts.length !== 3) throw new Error('not a JWT (three dot-separated parts expected)');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

/** The session JWT an iframe was opened with (the embed URL's token parameter). */
async function tokenOfFrame(page) {
  return new URL(await page.getAttribute('#wisdom-frame', 'src')).searchParams.get('token');
}

/** Sum of the Prometheus series `name` whose labels include every one of `labels`. */
function metric(text, name, labels) {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+)(\{[^}]*\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] || '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

async function login(page, base, email, password) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${base}/dashboard`, WAIT), page.click('button[type=submit]')]);
}

// ---- the test --------------------------------------------------------------------------------
let server;
let foreign;
let context;
let userDataDir;
let dbDir;
let failed = false;
try {
  dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'embark-e2e-db-'));
  const db = path.join(dbDir, 'northwind.sqlite');
  server = await startServer(db);
  const base = server.url;
  log(`server at ${base}`);
  foreign = await startForeignOrigin();

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'embark-e2e-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  const consoleErrors = [];
  const watch = (p) => {
    p.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${p.url()}: ${m.text()}`); });
    p.on('pageerror', (e) => consoleErrors.push(`${p.url()}: ${e.message}`));
  };
  context.on('page', watch);
  const page = context.pages()[0] || await context.newPage();
  if (context.pages()[0] === page) watch(page);

  // 1. Log in as an acme user: the iframe shows who WisdomAI sees, with acme's attributes.
  const loginResponse = await page.goto(`${base}/login`);
  check(loginResponse.status() === 200, 'login page answers 200');
  await shot(page, '01-login.png');
  await login(page, base, 'alice@acme.test', 'acme-demo-alice');
  const dashboardResponse = await page.goto(`${base}/dashboard`);  // a reload: onboarding again must work too
  let frame = await wisdomFrame(page);
  const wisdomOrigin = new URL(await page.getAttribute('#wisdom-frame', 'src')).origin;
  const csp = dashboardResponse.headers()['content-security-policy'] || '';
  check(csp.includes(`frame-src ${wisdomOrigin};`), `CSP frame-src is the WisdomAI origin only (${wisdomOrigin})`);
  check(wisdomOrigin !== new URL(base).origin, 'the iframe is cross-origin to the app');
  const aliceText = await frame.textContent('#signed-in-as');
  check(aliceText === 'Signed in as alice+acme@acme.test', `iframe: "${aliceText}"`);
  const aliceAttrs = await attributesOf(frame);
  for (const a of ['tenant_id = acme', 'region = us-west', 'plan = enterprise', 'department = finance']) {
    check(aliceAttrs.includes(a), `alice's effective attributes include "${a}"`);
  }
  check(await page.textContent('#tenant-name') === 'Acme Corp', 'header shows the tenant');
  check(claimsOf(await tokenOfFrame(page)).attributes.region === 'us-west', "alice's login token carries region=us-west");
  await shot(page, '02-dashboard-acme.png');

  // 2. The short-lived token is refreshed through the bridge: new fingerprint, same documents.
  const tokenPosts = [];
  const refreshedTokens = [];  // JWTs the token endpoint answered the bridge with (kept, never printed)
  page.on('response', (r) => {
    if (r.url() !== `${base}/api/wisdom/token` || r.request().method() !== 'POST') return;
    tokenPosts.push(r.status());
    if (r.status() === 200) refreshedTokens.push(r.json().then((body) => body.token, () => null));
  });
  let navigations = 0;
  page.on('framenavigated', () => { navigations += 1; });
  await frame.evaluate(() => { window.__e2eMarker = 'same-document'; });
  await page.evaluate(() => { window.__e2eMarker = 'same-document'; });
  const fp0 = await frame.textContent('#token-fp');
  await frame.waitForFunction(
    (fp) => document.getElementById('token-fp').textContent !== fp &&
            Number(document.getElementById('refresh-count').textContent) >= 1,
    fp0, { timeout: (Number(tokenTtl) + 45) * 1000 });
  const fp1 = await frame.textContent('#token-fp');
  check(fp1 !== fp0, `token fingerprint changed ${fp0} -> ${fp1}`);
  check(tokenPosts.length >= 1 && tokenPosts.every((s) => s === 200), `the bridge called the token endpoint (${tokenPosts})`);
  check(navigations === 0, 'no navigation of the page or the iframe');
  check(await frame.evaluate(() => window.__e2eMarker) === 'same-document', 'the iframe was not reloaded');
  check(await page.evaluate(() => window.__e2eMarker) === 'same-document', 'the page was not reloaded');
  check(await frame.textContent('#signed-in-as') === 'Signed in as alice+acme@acme.test', 'still the same user after refresh');
  await shot(page, '03-token-refreshed.png');

  // 3. Messages from a foreign origin are ignored, by the iframe and by the host page's bridge.
  const foreignPage = await context.newPage();
  await foreignPage.goto(foreign.url);
  const [popup] = await Promise.all([
    context.waitForEvent('page', WAIT),
    foreignPage.evaluate((url) => { window.dashboard = window.open(url, 'dashboard'); }, `${base}/dashboard`),
  ]);
  await popup.waitForURL(`${base}/dashboard`, WAIT);
  const popupFrame = await wisdomFrame(popup);
  const sessionPosts = [];
  const popupTokenPosts = [];
  popup.on('request', (r) => {
    if (r.url().endsWith('/embed/session')) sessionPosts.push(r.postData() || '');
    if (r.url() === `${base}/api/wisdom/token`) popupTokenPosts.push(Date.now());
  });
  // A real, valid token for the same user: only the origin/source checks can stop it.
  const csrf = await popup.getAttribute('meta[name="csrf-token"]', 'content');
  const minted = await context.request.post(`${base}/api/wisdom/token`, { headers: { 'X-CSRF-Token': csrf, Origin: base } });
  check(minted.status() === 200, 'a valid token for the forged message was minted');
  const forgedToken = (await minted.json()).token;
  // Messages from one window to another arrive in order: the probe tells us the others were dispatched.
  await popupFrame.evaluate(() => {
    window.__probe = 0;
    window.addEventListener('message', (e) => { if (e.data && e.data.type === 'E2E_PROBE') window.__probe += 1; });
  });
  await popup.evaluate(() => {
    window.__probe = 0;
    window.addEventListener('message', (e) => { if (e.data && e.data.type === 'E2E_PROBE') window.__probe += 1; });
  });
  let verified = false;
  for (let attempt = 1; attempt <= 5 && !verified; attempt += 1) {
    const before = await popupFrame.evaluate(() => ({
      fp: document.getElementById('token-fp').textContent,
      count: document.getElementById('refresh-count').textContent,
      state: document.getElementById('refresh-status').dataset.state,
    }));
    const postsBefore = popupTokenPosts.length;
    await foreignPage.evaluate((token) => {
      const w = window.dashboard;
      w.frames[0].postMessage({ type: 'JWT_TOKEN_RESPONSE', token }, '*');
      w.frames[0].postMessage({ type: 'E2E_PROBE' }, '*');
      w.postMessage({ type: 'REQUEST_JWT_TOKEN' }, '*');
      w.postMessage({ type: 'E2E_PROBE' }, '*');
    }, forgedToken);
    await popupFrame.waitForFunction((n) => window.__probe >= n, attempt, WAIT);
    await popup.waitForFunction((n) => window.__probe >= n, attempt, WAIT);
    const after = await popupFrame.evaluate(() => ({
      fp: document.getElementById('token-fp').textContent,
      count: document.getElementById('refresh-count').textContent,
      state: document.getElementById('refresh-status').dataset.state,
    }));
    if (after.state !== before.state || after.count !== before.count || before.state === 'requested') {
      log(`the iframe's own refresh overlapped attempt ${attempt}; trying again`);
      continue;  // a legitimate refresh ran meanwhile: the window is not clean, try again
    }
    check(after.fp === before.fp, 'the iframe kept its token after a foreign JWT_TOKEN_RESPONSE');
    check(popupTokenPosts.length === postsBefore, 'the host bridge ignored a foreign REQUEST_JWT_TOKEN');
    verified = true;
  }
  check(verified, 'foreign-origin messages were checked in a window without legitimate refreshes');
  check(!sessionPosts.some((body) => body.includes(forgedToken)), 'the forged token never reached the WisdomAI session check');
  await shot(foreignPage, '04-foreign-origin.png');
  await popup.close();
  await foreignPage.close();

  // 4. The app moves alice to region eu-north while she is signed in (its database changes, nothing
  //    tells the app or embark). The iframe's next refresh carries eu-north, written to WisdomAI
  //    once; signing out and in again keeps it.
  const metricsBefore = await (await context.request.get(`${base}/metrics`)).text();
  const writesBefore = metric(metricsBefore, 'embark_vendor_calls_total', { operation: 'setUserAttributes', result: 'ok' });
  const refreshWritesBefore = metric(metricsBefore, 'embark_stage_total', { stage: 'set-attributes', outcome: 'called' });
  const refreshesBefore = Number(await frame.textContent('#refresh-count'));
  sql(db, `INSERT OR REPLACE INTO user_attributes (user_id, key, value)
           SELECT id, 'region', 'eu-north' FROM users WHERE email = 'alice@acme.test'`);
  log('the app moved alice to region eu-north in its database');
  await frame.waitForFunction(
    () => [...document.querySelectorAll('#attributes li')].some((li) => li.textContent.trim() === 'region = eu-north'),
    null, { timeout: (Number(tokenTtl) + 45) * 1000 }).catch(async (e) => {
    throw new Error(`the iframe never showed region = eu-north after the change (${(await attributesOf(frame)).join(', ')}): ${e.message}`);
  });
  check(Number(await frame.textContent('#refresh-count')) > refreshesBefore, 'the iframe took a refreshed token, without a reload');
  const movedAttrs = await attributesOf(frame);
  check(!movedAttrs.includes('region = us-west'), `the refreshed session no longer carries us-west (${movedAttrs.join(', ')})`);
  const lastRefreshed = await refreshedTokens[refreshedTokens.length - 1];
  check(lastRefreshed && claimsOf(lastRefreshed).attributes.region === 'eu-north', 'the token endpoint answered with a JWT carrying region=eu-north');
  check(claimsOf(lastRefreshed).attributes.tenant_id === 'acme', 'the refreshed JWT still carries tenant_id=acme');
  const metricsMoved = await (await context.request.get(`${base}/metrics`)).text();
  check(metric(metricsMoved, 'embark_vendor_calls_total', { operation: 'setUserAttributes', result: 'ok' }) === writesBefore + 1,
        'the refresh wrote the new attributes to WisdomAI once (setUserAttributes)');
  check(metric(metricsMoved, 'embark_stage_total', { stage: 'set-attributes', outcome: 'called' }) === refreshWritesBefore + 1,
        'one set-attributes stage was called');
  check(metric(metricsMoved, 'embark_runs_total', { run: 'refresh', result: 'ok' }) >= 1, 'embark counts the refresh runs');
  await shot(page, '05-moved-to-eu-north.png');

  await Promise.all([page.waitForURL(/\/login/, WAIT), page.click('#logout')]);
  await login(page, base, 'alice@acme.test', 'acme-demo-alice');
  frame = await wisdomFrame(page);
  const againAttrs = await attributesOf(frame);
  check(againAttrs.includes('region = eu-north') && !againAttrs.includes('region = us-west'),
        `after signing out and in, the iframe shows region = eu-north (${againAttrs.join(', ')})`);
  check(claimsOf(await tokenOfFrame(page)).attributes.region === 'eu-north', "the new sign-in's token carries region=eu-north");
  const metricsAgain = await (await context.request.get(`${base}/metrics`)).text();
  check(metric(metricsAgain, 'embark_vendor_calls_total', { operation: 'setUserAttributes', result: 'ok' }) === writesBefore + 1,
        'the sign-in found the attributes already written (no second setUserAttributes)');
  check(metric(metricsAgain, 'embark_stage_total', { stage: 'set-attributes', outcome: 'skipped_unchanged' }) >
        metric(metricsMoved, 'embark_stage_total', { stage: 'set-attributes', outcome: 'skipped_unchanged' }),
        'the sign-in\'s set-attributes stage was skipped_unchanged');
  await shot(page, '06-signed-in-again-eu-north.png');

  // 5. The other tenant: after signing out alice, carol (globex) sees globex's attributes.
  await Promise.all([page.waitForURL(/\/login/, WAIT), page.click('#logout')]);
  await login(page, base, 'carol@globex.test', 'globex-demo-carol');
  frame = await wisdomFrame(page);
  const carolText = await frame.textContent('#signed-in-as');
  check(carolText === 'Signed in as carol+globex@globex.test', `iframe: "${carolText}"`);
  const carolAttrs = await attributesOf(frame);
  for (const a of ['tenant_id = globex', 'region = eu-central', 'plan = starter']) {
    check(carolAttrs.includes(a), `carol's effective attributes include "${a}"`);
  }
  check(!carolAttrs.some((a) => a.includes('acme') || a.includes('us-west')), 'none of acme\'s attributes leak to globex');
  check(await page.textContent('#tenant-name') === 'Globex Industries', 'header shows the other tenant');
  await shot(page, '07-dashboard-globex.png');

  // 6. Logout: the refresh endpoint refuses afterwards, even with the old CSRF token.
  const carolCsrf = await page.getAttribute('meta[name="csrf-token"]', 'content');
  await Promise.all([page.waitForURL(/\/login\?signed_out=1/, WAIT), page.click('#logout')]);
  await page.waitForSelector('.notice', WAIT);
  await shot(page, '08-signed-out.png');
  const refused = await context.request.post(`${base}/api/wisdom/token`, { headers: { 'X-CSRF-Token': carolCsrf, Origin: base } });
  check(refused.status() === 401, `the token endpoint refuses after logout (${refused.status()})`);
  const dashboardAfter = await context.request.get(`${base}/dashboard`, { maxRedirects: 0 });
  check(dashboardAfter.status() === 303, 'the dashboard redirects to the login page after logout');

  const metrics = await (await context.request.get(`${base}/metrics`)).text();
  check(/sample_token_refreshes_total\{outcome="success"\} [1-9]/.test(metrics), 'metrics count the refreshes');
  check(/sample_token_refreshes_total\{outcome="unauthenticated"\} [1-9]/.test(metrics), 'metrics count the refusal');

  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? ':\n  ' + consoleErrors.join('\n  ') : ''}`);
  log(`PASS in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${artifacts}`);
} catch (error) {
  failed = true;
  console.error(`FAIL: ${error.stack || error}`);
  if (server) console.error(`--- server output ---\n${server.output()}`);
} finally {
  if (context) await context.close().catch(() => {});
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  if (foreign) foreign.server.close();
  if (server) {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit').catch(() => {});
  }
  if (dbDir) fs.rmSync(dbDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

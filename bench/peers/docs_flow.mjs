// The WisdomAI docs' login flow as a Node team would write it (Node 20 fetch, keep-alive, TLS
// verified through NODE_EXTRA_CA_CERTS): listUsers, createUsers when the email is missing else
// setUserAttributes, then impersonateUser. A peer of embark-bench: speaks its worker protocol
// (warm up, print "ready", wait for a line on stdin, run the window, print one JSON line).
//
//   NODE_EXTRA_CA_CERTS=ca.pem node docs_flow.mjs --credentials FILE --workload FILE \
//     --concurrency N --duration S --warmup N
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const LIST_USERS =
  'query ListUsers($workspaceId: ID) { listUsers(workspaceId: $workspaceId) ' +
  '{ id email userAttributes { key value source } roleAssignments { roleId scopes } } }';
const CREATE_USERS =
  'mutation CreateUsers($input: CreateUsersInput!) ' +
  '{ createUsers(input: $input) { status { code message } } }';
const SET_ATTRIBUTES =
  'mutation SetUserAttributes($input: SetUserAttributesInput!) ' +
  '{ setUserAttributes(input: $input) { status { code message } } }';
const IMPERSONATE =
  'mutation ImpersonateUser($accessToken: String!, $userEmail: String!) ' +
  '{ impersonateUser(accessToken: $accessToken, userEmail: $userEmail) }';

const { values: args } = parseArgs({
  options: {
    credentials: { type: 'string' },
    workload: { type: 'string' },
    concurrency: { type: 'string', default: '64' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '0' },
  },
});
const creds = JSON.parse(readFileSync(args.credentials, 'utf8'));
const workload = readFileSync(args.workload, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

async function call(query, variables, bearer = true) {
  const headers = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${creds.api_token}`;
  const r = await fetch(creds.graphql_url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const body = await r.json();
  if (body.errors?.length) throw new Error(body.errors[0].message ?? 'GraphQL error');
  return body.data;
}

async function login(email, attributes) {
  const attrs = Object.entries(attributes).map(([key, value]) => ({ key, value }));
  const { listUsers } = await call(LIST_USERS, {});
  const found = listUsers.find((u) => u.email.toLowerCase() === email.toLowerCase());
  let status;
  if (!found) {
    const d = await call(CREATE_USERS, {
      input: { emails: [email], userAttributes: attrs, sendWelcomeEmail: false },
    });
    status = d.createUsers.status;
  } else {
    const d = await call(SET_ATTRIBUTES, { input: { userId: found.id, userAttributes: attrs } });
    status = d.setUserAttributes.status;
  }
  if (status.code !== 'OK') throw new Error(status.message || status.code);
  const { impersonateUser: token } = await call(
    IMPERSONATE,
    { accessToken: creds.access_key, userEmail: email },
    false,
  );
  const parts = token.split('.');
  const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  if (parts.length !== 3 || payload.exp <= Date.now() / 1000)
    throw new Error('the session JWT is malformed or expired');
}

async function run(first, end, concurrency, durationS) {
  const state = { next: first, ok: 0, failed: 0, error: '' };
  const latencies = [];
  const start = performance.now();
  async function worker() {
    while (state.next < end && performance.now() - start < durationS * 1000) {
      const l = workload[state.next++];
      const sent = performance.now();
      try {
        await login(l.email, l.attributes);
        state.ok++;
        latencies.push(performance.now() - sent);
      } catch (e) {
        state.failed++;
        state.error ||= String(e?.cause ?? e).slice(0, 300);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  return { state, latencies, wall: (performance.now() - start) / 1000 };
}

// VmHWM: maxRSS would include the spawning process's memory (inherited through exec).
function peakRssMb() {
  const m = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/);
  return m ? Number(m[1]) / 1024 : 0;
}

const q = (v, p) => (v.length ? v[Math.min(v.length - 1, Math.round(p * (v.length - 1)))] : 0);

const concurrency = Number(args.concurrency);
const warmup = Math.min(Number(args.warmup), workload.length);
if (warmup) await run(0, warmup, concurrency, 3600);
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
await new Promise((resolve) => rl.once('line', resolve));
rl.close();
const before = process.cpuUsage();
const { state, latencies, wall } = await run(warmup, workload.length, concurrency, Number(args.duration));
const cpu = process.cpuUsage(before);
process.stdout.write(
  JSON.stringify({
    ok: state.ok,
    failed: state.failed,
    wall_s: wall,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    sys_s: cpu.system / 1e6,
    p50_ms: q(latencies, 0.5),
    p90_ms: q(latencies, 0.9),
    p99_ms: q(latencies, 0.99),
    max_rss_mb: peakRssMb(),
    first_error: state.error,
  }) + '\n',
);
process.exit(0);

// --gateway-workers N: the server process serves a share of every instance gateway's connections and
// forks N-1 worker processes that serve the rest (round-robin at accept time). End to end with real
// HTTP clients, each call on a connection of its own (so calls spread over the processes): traces say
// which process answered (gatewayWorker) and can be read from any connection; managed identity tokens
// work everywhere, and a refused one is told apart by its typed code; a policy PUT is visible everywhere once it returns; a rate limit counts once across
// the processes; a killed worker is replaced; SIGTERM leaves no worker behind; bad values are refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { createApimInstance } from '../helpers/apim.js';
import { BIN, ROOT, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { freshRequest, policyXml, startVerifyingBackend, type FreshResponse, type VerifyingBackend } from '../helpers/gateway.js';

const WORKERS = 3;
const CALLS = 9;
const RG = 'gw-workers-rg';
const SVC = 'gw-workers-apim';
const API = 'wk';

/** Live (not zombie) child processes of pid, from /proc/<pid>/task/<tid>/children. */
function childPids(pid: number): number[] {
  const out = new Set<number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let text = '';
    try { text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'); } catch { continue; }
    for (const s of text.trim().split(/\s+/)) if (s) out.add(Number(s));
  }
  return [...out].filter((p) => { const st = procState(p); return st !== undefined && st !== 'Z'; }).sort((a, b) => a - b);
}

/** The state letter of /proc/<pid>/stat (R, S, Z, ...), or undefined when there is no such process. */
function procState(pid: number): string | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[0];
  } catch { return undefined; }
}

describe(`gateway with --gateway-workers ${WORKERS}`, () => {
  let server: TestServer;
  let apim: ApiManagementClient;
  let backend: VerifyingBackend;
  let gatewayUrl: string;
  let principalId: string;
  let traceKey: string;
  let rateKey: string;
  /** Every worker pid seen, for the shutdown test. */
  const seenWorkers = new Set<number>();

  const tail = () => `\n--- server output (tail) ---\n${server.output().slice(-4000)}`;
  const setPolicy = (inbound: string) => apim.apiPolicy.createOrUpdate(RG, SVC, API, 'policy', { format: 'rawxml', value: policyXml(inbound) });

  interface Call extends FreshResponse {
    /** gatewayWorker of the call's trace (when traced). */
    worker?: number;
    traceLocation?: string;
  }

  /** A GET through the gateway on a new connection; with trace, the trace is read (on another new connection). */
  async function call(path: string, opts: { key?: string; trace?: boolean; timeoutMs?: number } = {}): Promise<Call> {
    const headers: Record<string, string> = {};
    if (opts.key) headers['ocp-apim-subscription-key'] = opts.key;
    if (opts.trace) headers['ocp-apim-trace'] = 'true';
    const r: Call = await freshRequest(`${gatewayUrl}/${API}${path}`, { headers, timeoutMs: opts.timeoutMs });
    if (opts.trace) {
      const loc = r.headers['ocp-apim-trace-location'];
      if (typeof loc === 'string') {
        r.traceLocation = loc;
        const t = await freshRequest(loc);
        assert.equal(t.status, 200, `trace ${loc} of a ${r.status} call: ${t.status} ${t.text}${tail()}`);
        r.worker = t.json?.gatewayWorker;
      }
    }
    return r;
  }

  /** n calls one after the other, each on a new connection. */
  async function calls(n: number, path: string, opts: { key?: string; trace?: boolean } = {}): Promise<Call[]> {
    const out: Call[] = [];
    for (let i = 0; i < n; i++) out.push(await call(`${path}/${i}`, opts));
    return out;
  }

  const workersOf = (cs: Call[]) => new Set(cs.map((c) => c.worker));

  before(async () => {
    server = await startTestServer({ args: ['--gateway-workers', String(WORKERS)] });
    backend = await startVerifyingBackend(server, 'api://backend');
    const made = await createApimInstance(server, RG, SVC, { type: 'SystemAssigned' });
    apim = made.apim;
    const svc = made.service;
    gatewayUrl = svc.gatewayUrl!;
    principalId = svc.identity!.principalId!;
    assert.ok(principalId);
    await apim.api.beginCreateOrUpdateAndWait(RG, SVC, API, {
      displayName: 'Workers', path: API, serviceUrl: backend.url, protocols: ['https'], subscriptionRequired: true,
    });
    await apim.apiOperation.createOrUpdate(RG, SVC, API, 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/*' });
    await apim.subscription.createOrUpdate(RG, SVC, 'tracing', { displayName: 'Tracing', scope: '/apis', state: 'active', allowTracing: true });
    await apim.subscription.createOrUpdate(RG, SVC, 'limited', { displayName: 'Limited', scope: '/apis', state: 'active', allowTracing: true });
    traceKey = (await apim.subscription.listSecrets(RG, SVC, 'tracing')).primaryKey!;
    rateKey = (await apim.subscription.listSecrets(RG, SVC, 'limited')).primaryKey!;
  });

  after(async () => {
    await server?.stop('SIGKILL');
    // Workers a failed test left behind (only processes still running this project's code).
    for (const pid of seenWorkers) {
      let cmdline = '';
      try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
      if (cmdline.includes(ROOT)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    await backend?.close();
  });

  it('spreads fresh connections over the processes; every trace names its gatewayWorker and is readable from any connection', async () => {
    await setPolicy('');
    const cs = await calls(CALLS, '/dist', { key: traceKey, trace: true });
    for (const c of cs) {
      assert.equal(c.status, 200, `${c.status} ${c.text}${tail()}`);
      assert.ok(c.traceLocation, `no Ocp-Apim-Trace-Location on a traced call; headers ${JSON.stringify(c.headers)}`);
      assert.ok(Number.isInteger(c.worker) && c.worker! >= 0 && c.worker! < WORKERS, `gatewayWorker ${JSON.stringify(c.worker)} is not 0..${WORKERS - 1}`);
    }
    const seen = workersOf(cs);
    assert.ok(seen.size >= 2, `${CALLS} calls on fresh connections were all answered by gatewayWorker ${[...seen]}`);
    // Each trace again, from as many fresh connections as there are processes: the same document each time.
    for (const c of cs) {
      for (let i = 0; i < WORKERS; i++) {
        const t = await freshRequest(c.traceLocation!);
        assert.equal(t.status, 200, `trace ${c.traceLocation} (made by gatewayWorker ${c.worker}), read #${i + 2}: ${t.status} ${t.text}${tail()}`);
        assert.equal(t.json.gatewayWorker, c.worker);
        assert.equal(t.json.traceId, c.traceLocation!.split('/').pop());
      }
    }
  });

  it('authentication-managed-identity works in every process: the backend verifies a token of the system-assigned identity on every call', async () => {
    await setPolicy('<authentication-managed-identity resource="api://backend" />');
    const cs = await calls(CALLS, '/mi', { key: traceKey, trace: true });
    cs.forEach((c, i) => {
      assert.equal(c.status, 200, `call ${i} (gatewayWorker ${c.worker}): ${c.status} ${c.text}${tail()}`);
      assert.equal(c.json.token, 'valid', `call ${i} (gatewayWorker ${c.worker}): the backend saw ${JSON.stringify({ token: c.json.token, error: c.json.error })}`);
      assert.equal(c.json.oid, principalId, `call ${i} (gatewayWorker ${c.worker}): oid`);
      assert.equal(c.json.aud, 'api://backend');
    });
    assert.ok(workersOf(cs).size >= 2, `the calls were all answered by gatewayWorker ${[...workersOf(cs)]}`);
  });

  it("a refused token is told apart by Entra's typed code in every process: a client-id not assigned to the instance", async () => {
    const clientId = '00000000-0000-4000-8000-0000000000aa';
    await setPolicy(`<authentication-managed-identity resource="api://backend" client-id="${clientId}" />`);
    const cs = await calls(CALLS, '/mi-refused', { key: traceKey, trace: true });
    for (const [i, c] of cs.entries()) {
      assert.equal(c.status, 500, `call ${i} (gatewayWorker ${c.worker}): ${c.status} ${c.text}${tail()}`);
      const trace = await freshRequest(c.traceLocation!);
      assert.equal(trace.json.lastError.message,
        `Managed identity with client id '${clientId}' is not assigned to this service and cannot be used by the authentication-managed-identity policy.`,
        `call ${i} (gatewayWorker ${c.worker})`);
      assert.equal(trace.json.lastError.source, 'authentication-managed-identity');
    }
    assert.ok(workersOf(cs).size >= 2, `the calls were all answered by gatewayWorker ${[...workersOf(cs)]}`);
  });

  it('a policy PUT is visible in every process as soon as it returns', async () => {
    for (const version of ['v1', 'v2', 'v3']) {
      await setPolicy(`<set-header name="x-version" exists-action="override"><value>${version}</value></set-header>`);
      const cs = await calls(CALLS, `/cfg-${version}`, { key: traceKey, trace: true });
      const got = cs.map((c) => `${c.status}:${c.json?.headers?.['x-version']}@${c.worker}`);
      assert.deepEqual(cs.map((c) => [c.status, c.json?.headers?.['x-version']]), cs.map(() => [200, version]),
        `after the PUT of ${version}, calls (status:x-version@gatewayWorker): ${got.join(' ')}${tail()}`);
      assert.ok(workersOf(cs).size >= 2, `the calls were all answered by gatewayWorker ${[...workersOf(cs)]}`);
    }
  });

  it('a rate limit counts once across the processes: of 12 calls, 5 pass and 7 get 429 with Retry-After', async () => {
    await setPolicy('<rate-limit calls="5" renewal-period="60" />');
    const cs = await calls(12, '/rl', { key: rateKey, trace: true });
    const got = cs.map((c) => `${c.status}@${c.worker ?? '?'}`).join(' ');
    assert.deepEqual(cs.map((c) => c.status), [...Array(5).fill(200), ...Array(7).fill(429)], `statuses (status@gatewayWorker): ${got}${tail()}`);
    for (const c of cs.filter((x) => x.status === 429)) {
      const ra = Number(c.headers['retry-after']);
      assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 60, `Retry-After ${JSON.stringify(c.headers['retry-after'])}`);
      assert.equal(c.json?.statusCode, 429);
    }
    const workers = new Set(cs.filter((c) => c.worker !== undefined).map((c) => c.worker));
    assert.ok(workers.size >= 2, `the calls were all answered by gatewayWorker ${[...workers]} (${got})`);
    // Another subscription has its own counter.
    assert.equal((await call('/rl-other', { key: traceKey })).status, 200);
  });

  it('a worker that dies is replaced, and calls on fresh connections succeed again', async (t) => {
    await setPolicy('<authentication-managed-identity resource="api://backend" />');
    const serverPid = server.child.pid!;
    const initial = childPids(serverPid);
    initial.forEach((p) => seenWorkers.add(p));
    assert.equal(initial.length, WORKERS - 1, `children of the server (${serverPid}): ${initial}${tail()}`);
    const victim = initial[0];
    process.kill(victim, 'SIGKILL');
    const killedAt = Date.now();

    const deadline = Date.now() + 10_000;
    let last = '';
    let recovered = false;
    const hung: string[] = [];
    while (Date.now() < deadline) {
      const kids = childPids(serverPid);
      kids.forEach((p) => seenWorkers.add(p));
      const statuses: (number | string)[] = [];
      for (let i = 0; i < 2 * WORKERS; i++) {
        try {
          // A bounded wait: a connection lost with the dead worker must not use up the time to recover.
          const r = await call(`/after-kill/${i}`, { key: traceKey, timeoutMs: 3000 });
          statuses.push(r.status === 200 && r.json?.oid === principalId ? 200 : `${r.status}:${r.text.slice(0, 80)}`);
        } catch (e) {
          const code = String((e as any).code ?? e);
          statuses.push(code);
          if (/TIMEOUT/.test(code)) hung.push(`+${Date.now() - killedAt} ms: /after-kill/${i} ${code}`);
        }
      }
      last = `children ${kids}, calls ${statuses.join(' ')}`;
      t.diagnostic(`+${Date.now() - killedAt} ms: ${last}`);
      if (kids.length === WORKERS - 1 && !kids.includes(victim) && statuses.every((s) => s === 200)) { recovered = true; break; }
      await sleep(250);
    }
    assert.ok(recovered, `not recovered within 10 s of SIGKILL to worker ${victim} (workers before: ${initial}); last: ${last}${tail()}`);
    // A connection handed to the worker as it died goes back to the server unread and is served there:
    // none is left hanging.
    assert.deepEqual(hung, [], 'calls on connections accepted after the kill are answered, none hangs');
    const now = childPids(serverPid);
    assert.equal(now.length, WORKERS - 1);
    assert.ok(now.some((p) => !initial.includes(p)), `a new worker process replaces ${victim}: ${initial} → ${now}`);
    assert.equal(server.child.exitCode, null, 'the server itself is still running');
    // The replacement serves like the others: traced calls over fresh connections, all answered.
    // A replacement takes connections once it compiled the configuration: until then two processes
    // alternate, and with two connections per traced call (call, trace) every call could land on one.
    const seen = new Set<number | undefined>();
    const until = Date.now() + 10_000;
    while (seen.size < 2 && Date.now() < until) {
      const cs = await calls(CALLS, '/replaced', { key: traceKey, trace: true });
      for (const c of cs) assert.equal(c.status, 200, `${c.status} ${c.text} (gatewayWorker ${c.worker})${tail()}`);
      workersOf(cs).forEach((w) => seen.add(w));
    }
    assert.ok(seen.size >= 2, `the calls were all answered by gatewayWorker ${[...seen]}`);
  });

  it('a worker whose event loop is stuck (SIGSTOP) is killed after STALL_MS and replaced; calls keep being answered', async (t) => {
    await setPolicy('');
    const serverPid = server.child.pid!;
    const initial = childPids(serverPid);
    initial.forEach((p) => seenWorkers.add(p));
    const victim = initial[0];
    process.kill(victim, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      // Calls go on meanwhile: a connection handed to the stopped worker is never confirmed by it, and is
      // served by the server once the worker is killed (at most STALL_MS + a beat later).
      const during = await Promise.all(Array.from({ length: 2 * WORKERS }, (_, i) => call(`/stalled/${i}`, { key: traceKey, timeoutMs: 30_000 })));
      assert.deepEqual(during.map((r) => r.status), Array(2 * WORKERS).fill(200));
      let replaced = false;
      while (Date.now() - stoppedAt < 20_000) {
        const kids = childPids(serverPid);
        if (!kids.includes(victim) && kids.length === WORKERS - 1) { replaced = true; break; }
        await sleep(250);
      }
      t.diagnostic(`replaced ${Date.now() - stoppedAt} ms after SIGSTOP`);
      assert.ok(replaced, `the stopped worker ${victim} was not replaced within 20 s${tail()}`);
      assert.ok(Date.now() - stoppedAt >= 9_000, 'a worker is given STALL_MS (10 s) before it is killed');
      assert.match(server.output(), new RegExp(`gateway worker \\d+ \\(pid ${victim}\\) has not answered for 10000 ms: killing it`));
      const after = await calls(CALLS, '/after-stall', { key: traceKey });
      for (const c of after) assert.equal(c.status, 200, `${c.status} ${c.text}${tail()}`);
    } finally {
      try { process.kill(victim, 'SIGKILL'); } catch { /* killed by the server */ }
    }
  });

  it('SIGTERM stops the server with exit code 0 and leaves no worker process behind', async () => {
    const serverPid = server.child.pid!;
    const kids = childPids(serverPid);
    kids.forEach((p) => seenWorkers.add(p));
    assert.equal(kids.length, WORKERS - 1, `children of the server before stop: ${kids}`);
    const code = await server.stop('SIGTERM');
    assert.equal(code, 0, `exit code${tail()}`);
    for (const pid of seenWorkers) {
      assert.throws(() => process.kill(pid, 0), (e: any) => e.code === 'ESRCH',
        `worker ${pid} is still there after the server exited (state ${procState(pid)})`);
    }
  });
});

// The binary with a bad value, from the flag and from the environment: exit 1, the reason, nothing
// written. The other bad values are parseConfig's (test/unit/config.test.ts), the same code path.
describe('--gateway-workers: bad values', () => {
  const cases: { name: string; args: string[]; env?: Record<string, string>; message: string }[] = [
    { name: '--gateway-workers 0', args: ['--gateway-workers', '0'], message: "--gateway-workers: '0' is not a positive integer" },
    { name: 'APIM_LOCAL_GATEWAY_WORKERS=0', args: [], env: { APIM_LOCAL_GATEWAY_WORKERS: '0' }, message: "APIM_LOCAL_GATEWAY_WORKERS: '0' is not a positive integer" },
  ];
  for (const c of cases) {
    it(`start ${c.name} exits non-zero and says why`, () => {
      const dir = tempDir('apim-local-workers-bad-');
      const r = spawnSync(process.execPath, [BIN, 'start', '--data-dir', dir, '--port', '0', ...c.args], {
        encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', env: { ...process.env, ...c.env },
      });
      const output = `${r.stdout}${r.stderr}`;
      assert.notEqual(r.status, null, `start did not exit within 30 s (it started?):\n${output}`);
      assert.equal(r.status, 1, output);
      assert.equal(r.stderr.trim(), c.message);
      assert.ok(!fs.existsSync(`${dir}/connection.json`), 'no connection.json is written');
    });
  }
});

// Child processes and temporary files of a bench script, and their clean-up: on success, on failure,
// on SIGINT/SIGTERM, and (best effort, synchronously) when the process exits any other way.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/apim-local.js');

/** Clean-up steps, run last-registered first: { name, run: async () => void, runSync: () => void }. */
const steps = [];
let cleaning;

export function onCleanup(step) {
  steps.push(step);
  return () => { const i = steps.indexOf(step); if (i !== -1) steps.splice(i, 1); };
}

export function cleanup() {
  cleaning ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop();
      try { await step.run(); } catch (e) { process.stderr.write(`bench: clean-up of ${step.name} failed: ${e instanceof Error ? e.message : e}\n`); }
    }
  })();
  return cleaning;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}: stopping child processes\n`);
    cleanup().finally(() => process.exit(code));
  });
}
process.on('exit', () => {
  // Only what is left when cleanup() did not run to the end (an uncaught error, process.exit()).
  for (const step of steps.splice(0).reverse()) { try { step.runSync(); } catch { /* best effort */ } }
});

export function makeTempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  onCleanup({ name: `temporary directory ${dir}`, run: async () => remove(), runSync: remove });
  return dir;
}

/**
 * Spawns a node child process that is stopped at clean-up (SIGTERM, then SIGKILL after `graceMs`).
 * Keeps the last 64 KB of its stdout/stderr for error messages.
 */
export function spawnNode(name, args, { graceMs = 5000, ipc = false, env = process.env } = {}) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])] });
  let output = '';
  const keep = (d) => { output = (output + d).slice(-65536); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exitCode;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => { exitCode = code ?? signal; resolve(exitCode); }));
  child.on('error', (e) => { keep(`spawn failed: ${e.message}\n`); });
  const alive = () => exitCode === undefined && child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!alive()) return exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => { if (alive()) child.kill('SIGKILL'); }, graceMs);
    try { return await exited; } finally { clearTimeout(timer); }
  };
  const unregister = onCleanup({ name: `${name} (pid ${child.pid})`, run: stop, runSync: () => { if (alive()) child.kill('SIGKILL'); } });
  return {
    child, name, exited, alive,
    output: () => output,
    async stop() { unregister(); return stop(); },
  };
}

/**
 * Starts the real server from dist/ on a free port with a data directory under `tempDir`, and waits
 * for its connection file (written once every listener is up) with the child's pid. `extraArgs` go
 * after `start ...` (server flags, e.g. ['--gateway-workers', '2']); `name` names it in messages.
 */
export async function startApimLocal(tempDir, { nodeArgs = [], extraArgs = [], name = 'apim-local', timeoutMs = 30_000 } = {}) {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const dataDir = path.join(tempDir, 'apim-local');
  fs.mkdirSync(dataDir, { recursive: true });
  const connectionFile = path.join(dataDir, 'connection.json');
  const server = spawnNode(name, [...nodeArgs, BIN, 'start', '--data-dir', dataDir, '--port', '0', '--quiet', ...extraArgs]);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.alive()) throw new Error(`${name} exited (${await server.exited}) before it was ready:\n${server.output()}`);
    try {
      const connection = JSON.parse(fs.readFileSync(connectionFile, 'utf8'));
      if (connection.pid === server.child.pid) return { server, connection, dataDir };
    } catch { /* not written yet */ }
    await sleep(50);
  }
  throw new Error(`${name} did not write ${connectionFile} within ${timeoutMs / 1000} s:\n${server.output()}`);
}

/** Starts bench/lib/https-baseline.mjs with a certificate and key, and waits for its port. */
export async function startBaseline(certPath, keyPath, { timeoutMs = 10_000 } = {}) {
  const baseline = spawnNode('https baseline', [path.join(ROOT, 'bench/lib/https-baseline.mjs'), certPath, keyPath], { ipc: true, graceMs: 2000 });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the baseline server did not start within ${timeoutMs / 1000} s:\n${baseline.output()}`)), timeoutMs);
    baseline.child.once('message', (m) => { clearTimeout(timer); resolve(m.port); });
    baseline.exited.then((code) => { clearTimeout(timer); reject(new Error(`the baseline server exited (${code}):\n${baseline.output()}`)); });
  });
  return { baseline, port };
}

// Linux reports /proc times in USER_HZ ticks, 100 per second on every architecture Node supports.
const USER_HZ = 100;

/** CPU time (user + system) of a process so far, in ms, from /proc; undefined where there is no /proc. */
export function processCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after "(comm)": state is [0], utime [11], stime [12], in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** The pids of a process's children, from /proc/<pid>/task/<tid>/children, else `ps --ppid`; [] if none. */
export function childPids(pid) {
  try {
    const pids = [];
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) pids.push(Number(c));
    }
    return pids;
  } catch {
    const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout.split('\n').filter((l) => l.trim()).map(Number) : [];
  }
}

/**
 * CPU time so far (ms) of a process and all its descendants (e.g. a server and its forked workers,
 * nginx's master and worker), per pid: Map pid → ms. Empty where there is no /proc.
 */
export function processTreeCpuMs(pid) {
  const out = new Map();
  const visit = (p) => {
    const ms = processCpuMs(p);
    if (ms === undefined || out.has(p)) return;
    out.set(p, ms);
    for (const c of childPids(p)) visit(c);
  };
  visit(pid);
  return out;
}

/**
 * CPU time (ms) a process tree used between two processTreeCpuMs() snapshots, summed over the pids of
 * the second (a pid absent from the first started in between and counts in full), and how many
 * processes that is; undefined where there is no /proc.
 */
export function treeCpuDelta(before, after) {
  if (after.size === 0) return undefined;
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return { ms, processes: after.size };
}

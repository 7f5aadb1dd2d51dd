// The real Azure CLI against this server, as LocalStack's `azlocal` does for its cloud: an az
// configuration of its own under the data directory (AZURE_CONFIG_DIR), a CA bundle that adds this
// server's CA to the public roots (REQUESTS_CA_BUNDLE, read by az's HTTP library), the cloud
// registered and selected, and the admin application signed in, once; then az runs unchanged.
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import crypto from 'node:crypto';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { CliError } from '../errors.js';
import type { ConnectionInfo } from '../connection.js';
import { AZ_CLOUD_NAME, type AzCloudConfig } from './cloud-config.js';

export const AZ_INSTALL_HINT = "Install it: 'apt-get install -y azure-cli' (Debian, Ubuntu), or see https://learn.microsoft.com/cli/azure/install-azure-cli";

/** Where az's files for one data directory live. */
export interface AzPaths {
  /** `{dataDir}/az` */
  root: string;
  /** AZURE_CONFIG_DIR */
  configDir: string;
  /** REQUESTS_CA_BUNDLE */
  caBundle: string;
  /** The `--cloud-config` file. */
  cloudConfig: string;
  /** What was set up last (see isSetUp). */
  state: string;
}

export function azPaths(dataDir: string): AzPaths {
  const root = path.join(dataDir, 'az');
  return {
    root, configDir: path.join(root, 'config'), caBundle: path.join(root, 'ca-bundle.pem'),
    cloudConfig: path.join(root, 'cloud.json'), state: path.join(root, 'setup.json'),
  };
}

/** The public roots az would trust: the system bundle Debian's python3-certifi points at, else Node's (Mozilla's list, as certifi's). */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

function publicRoots(env: NodeJS.ProcessEnv): string {
  // A bundle the user set already (a corporate proxy's CA) stays trusted.
  const candidates = [env.REQUESTS_CA_BUNDLE, ...SYSTEM_BUNDLES].filter((f): f is string => !!f);
  for (const file of candidates) {
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (text.includes('-----BEGIN CERTIFICATE-----')) return text;
    } catch { /* try the next */ }
  }
  return tls.rootCertificates.join('\n');
}

/** Writes a file only when its content changed (az reads these on every call). */
function writeIfChanged(file: string, content: string, mode: number): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return;
  } catch { /* absent */ }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

/**
 * Makes `{dataDir}/az` with the CA bundle (public roots + this server's CA) and the cloud config file.
 * The CA certificate is read from the connection file's path.
 */
export function prepareAzFiles(dataDir: string, connection: ConnectionInfo, cloud: AzCloudConfig, env: NodeJS.ProcessEnv): AzPaths {
  const p = azPaths(dataDir);
  fs.mkdirSync(p.configDir, { recursive: true, mode: 0o700 });
  let ca: string;
  try {
    ca = fs.readFileSync(path.resolve(dataDir, connection.caCertificatePath), 'utf8');
  } catch {
    throw new CliError(`Cannot read the CA certificate '${connection.caCertificatePath}' named in ${path.join(dataDir, 'connection.json')}.`);
  }
  const roots = publicRoots(env);
  // Our CA may be in the user's bundle already (a second run): never twice.
  writeIfChanged(p.caBundle, roots.includes(ca.trim()) ? roots : `${roots.trimEnd()}\n${ca.trim()}\n`, 0o644);
  writeIfChanged(p.cloudConfig, JSON.stringify(cloud, null, 2) + '\n', 0o644);
  return p;
}

/** The environment az runs with. */
export function azEnvironment(p: AzPaths): Record<string, string> {
  return {
    AZURE_CONFIG_DIR: p.configDir,
    REQUESTS_CA_BUNDLE: p.caBundle,
    // Nothing leaves the machine: az's telemetry uploads to Microsoft unless turned off.
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_SURVEY_MESSAGE: 'false',
    // Newer az (2.48+) skips MSAL's instance discovery with this; the /adfs authority spares older az of it.
    AZURE_CORE_INSTANCE_DISCOVERY: 'false',
  };
}

/** The commands that register and select the cloud and sign the admin in (arguments of az). */
export function setupCommands(p: AzPaths, connection: ConnectionInfo, registered: boolean): string[][] {
  return [
    ['cloud', registered ? 'update' : 'register', '--name', AZ_CLOUD_NAME, '--cloud-config', `@${p.cloudConfig}`, '--only-show-errors'],
    ['cloud', 'set', '--name', AZ_CLOUD_NAME, '--only-show-errors'],
    ['login', '--service-principal', '--username', connection.clientId, `--password=${connection.clientSecret}`, '--tenant', connection.tenantId, '--output', 'none', '--only-show-errors'],
  ];
}

/** Whether the cloud is in az's clouds.config already (a section `[ApimLocal]`). */
export function cloudRegistered(p: AzPaths): boolean {
  try {
    return fs.readFileSync(path.join(p.configDir, 'clouds.config'), 'utf8').split(/\r?\n/).some((l) => l.trim() === `[${AZ_CLOUD_NAME}]`);
  } catch {
    return false;
  }
}

/** What a set-up az configuration was made for: a server restarted on another port or a new data directory needs it again. */
function stateOf(connection: ConnectionInfo, cloud: AzCloudConfig): string {
  const { managementEndpoint, tenantId, subscriptionId, clientId } = connection;
  const cloudHash = crypto.createHash('sha256').update(JSON.stringify(cloud)).digest('hex');
  return JSON.stringify({ managementEndpoint, tenantId, subscriptionId, clientId, cloudHash });
}

export function isSetUp(p: AzPaths, connection: ConnectionInfo, cloud: AzCloudConfig): boolean {
  try {
    return fs.readFileSync(p.state, 'utf8') === stateOf(connection, cloud) && fs.existsSync(path.join(p.configDir, 'azureProfile.json'));
  } catch {
    return false;
  }
}

export function markSetUp(p: AzPaths, connection: ConnectionInfo, cloud: AzCloudConfig): void {
  writeIfChanged(p.state, stateOf(connection, cloud), 0o600);
}

/** The `az` executable on PATH (PATHEXT on Windows), or a CliError with the install command. */
export function findAz(env: NodeJS.ProcessEnv): string {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.CMD;.BAT;.EXE').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const file = path.join(dir, `az${ext}`);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch { /* not here */ }
    }
  }
  throw new CliError(`The Azure CLI ('az') was not found on PATH. ${AZ_INSTALL_HINT}`);
}

export interface AzRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs az with its output captured (the set-up steps); at most two minutes. */
export function runAzCaptured(az: string, args: string[], env: NodeJS.ProcessEnv): Promise<AzRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(az, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({
      code: code ?? (signal ? 128 + signalNumber(signal) : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
    }));
  });
}

/** A child killed by a signal exits as a shell reports it: 128 + the signal's number. */
export function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 1;
}

/**
 * Registers (or updates) the cloud, selects it and signs the admin in, unless that was done for this
 * server already. One process at a time (a lock directory), so parallel first calls do it once.
 */
export async function ensureSetUp(az: string, p: AzPaths, connection: ConnectionInfo, cloud: AzCloudConfig, env: NodeJS.ProcessEnv): Promise<void> {
  if (isSetUp(p, connection, cloud)) return;
  const release = await lock(path.join(p.root, 'setup.lock'));
  try {
    if (isSetUp(p, connection, cloud)) return;
    for (const args of setupCommands(p, connection, cloudRegistered(p))) {
      const r = await runAzCaptured(az, args, env);
      if (r.code !== 0) {
        const shown = args.map((a) => (a.startsWith('--password=') ? '--password=***' : a)).join(' ');
        throw new CliError(`Setting up the Azure CLI for apim-local failed at 'az ${shown}' (exit code ${r.code}):\n${(r.stderr || r.stdout).trim()}`);
      }
    }
    markSetUp(p, connection, cloud);
  } finally {
    release();
  }
}

/** A lock directory; one left by a process that died is taken over after two minutes. */
async function lock(dir: string): Promise<() => void> {
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(dir);
      return () => { try { fs.rmdirSync(dir); } catch { /* gone */ } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let age = 0;
      try { age = Date.now() - fs.statSync(dir).mtimeMs; } catch { continue; }
      if (age > 120_000) { try { fs.rmdirSync(dir); } catch { /* someone else did */ } continue; }
      if (Date.now() - started > 180_000) throw new CliError(`Another 'apim-local az' is setting up ${path.dirname(dir)}; remove ${dir} if none is.`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

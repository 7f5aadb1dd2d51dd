// The real Azure CLI against this server, as LocalStack's `azlocal` does for its cloud: an az
// configuration of its own under the data directory (AZURE_CONFIG_DIR), a CA bundle that adds this
// server's CA to the public roots (REQUESTS_CA_BUNDLE, read by az's HTTP library), the cloud
// registered and selected, and the admin application signed in, once; then az runs unchanged.
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
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
}

export function azPaths(dataDir: string): AzPaths {
  const root = path.join(dataDir, 'az');
  return {
    root, configDir: path.join(root, 'config'), caBundle: path.join(root, 'ca-bundle.pem'),
    cloudConfig: path.join(root, 'cloud.json'),
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

/** Writes a file only when its content changed (az reads these on every call); true when it did. */
function writeIfChanged(file: string, content: string, mode: number): boolean {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return false;
  } catch { /* absent */ }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
  return true;
}

/**
 * Makes `{dataDir}/az` with the CA bundle (public roots + this server's CA) and the cloud config file.
 * The CA certificate is read from the connection file's path.
 */
export function prepareAzFiles(dataDir: string, connection: ConnectionInfo, cloud: AzCloudConfig, env: NodeJS.ProcessEnv): { paths: AzPaths; cloudChanged: boolean } {
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
  const cloudChanged = writeIfChanged(p.cloudConfig, JSON.stringify(cloud, null, 2) + '\n', 0o644);
  return { paths: p, cloudChanged };
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

const read = (file: string): string | undefined => { try { return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''); } catch { return undefined; } };

/**
 * Whether az's configuration is set up for this server, read from az's own files, so a set-up done by
 * hand with `az-env`'s lines counts too: the cloud registered for this endpoint and selected, and this
 * tenant's subscription signed in as the admin, the default. `cloudChanged`: the cloud config file was
 * rewritten in this call (a new apim-local publishes other endpoints), so the cloud must be updated.
 */
export function isSetUp(p: AzPaths, connection: ConnectionInfo, cloudChanged: boolean): boolean {
  if (cloudChanged) return false;
  const lines = (file: string) => (read(path.join(p.configDir, file)) ?? '').split(/\r?\n/).map((l) => l.trim());
  const endpoint = `${connection.managementEndpoint.replace(/\/+$/, '')}/`;
  const clouds = lines('clouds.config');
  const section = clouds.indexOf(`[${AZ_CLOUD_NAME}]`);
  if (section < 0) return false;
  const next = clouds.findIndex((l, i) => i > section && l.startsWith('['));
  if (!clouds.slice(section + 1, next < 0 ? undefined : next).includes(`endpoint_resource_manager = ${endpoint}`)) return false;
  if (!lines('config').includes(`name = ${AZ_CLOUD_NAME}`)) return false;
  let profile: { subscriptions?: { id?: string; tenantId?: string; isDefault?: boolean; environmentName?: string; user?: { name?: string; type?: string } }[] };
  try { profile = JSON.parse(read(path.join(p.configDir, 'azureProfile.json')) ?? '{}'); } catch { return false; }
  return (profile.subscriptions ?? []).some((s) => s.id === connection.subscriptionId && s.tenantId === connection.tenantId && s.isDefault === true
    && s.environmentName === AZ_CLOUD_NAME && s.user?.type === 'servicePrincipal' && s.user.name === connection.clientId);
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
export async function ensureSetUp(az: string, p: AzPaths, connection: ConnectionInfo, cloudChanged: boolean, env: NodeJS.ProcessEnv): Promise<void> {
  if (isSetUp(p, connection, cloudChanged)) return;
  const release = await lock(path.join(p.root, 'setup.lock'));
  try {
    // Another process may have set it up while this one waited (then the cloud file it wrote is current too).
    if (isSetUp(p, connection, false) && !cloudChanged) return;
    for (const args of setupCommands(p, connection, cloudRegistered(p))) {
      const r = await runAzCaptured(az, args, env);
      if (r.code !== 0) {
        const shown = args.map((a) => (a.startsWith('--password=') ? '--password=***' : a)).join(' ');
        throw new CliError(`Setting up the Azure CLI for apim-local failed at 'az ${shown}' (exit code ${r.code}):\n${(r.stderr || r.stdout).trim()}`);
      }
    }
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

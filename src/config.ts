// The one typed configuration object. Parsed once (flags > environment > defaults) and passed down
// in options objects; nothing reads process.env after this.
import path from 'node:path';

export interface Config {
  /** Absolute path of the data directory (CA, keys, SQLite file, connection.json). */
  dataDir: string;
  /** Management listener port; 0 picks a free port. */
  port: number;
  /** Address every listener binds. */
  host: string;
  /** `sqlite` (a file in dataDir, or memory with inMemory) or a `postgres://` URL. */
  store: { kind: 'sqlite'; inMemory: boolean } | { kind: 'postgres'; url: string };
  /** Lifetime of access tokens issued by the token service, in seconds (Entra's default is 60-90 min). */
  tokenLifetimeSeconds: number;
  /** AES-256-GCM key for secrets at rest, base64 (32 bytes); default: a key file in dataDir. */
  masterKey?: string;
  /** Largest request body any management endpoint reads, in bytes (ARM: 4 MB). */
  maxBodyBytes: number;
  /** Write log lines (one per listener at start, errors) to stderr. */
  quiet: boolean;
  /** How often Key Vault named values are read again, in milliseconds (Azure: within 4 hours). */
  keyVaultRefreshIntervalMs: number;
  /**
   * Processes serving the gateway listeners: this one plus n-1 forked workers (like nginx's
   * worker_processes; a Node process is bound by its one thread). Default 1.
   */
  gatewayWorkers: number;
}

export interface ConfigFlags {
  dataDir?: string;
  port?: string | number;
  host?: string;
  store?: string;
  inMemory?: boolean;
  tokenLifetime?: string | number;
  quiet?: boolean;
  keyVaultRefreshInterval?: string;
  gatewayWorkers?: string | number;
}

export class ConfigError extends Error {}

const MAX_GATEWAY_WORKERS = 64;

/** An integer written in decimal digits (Number() would also take '', '0x50' and '1e3'). */
function parseInteger(value: string | number): number {
  if (typeof value === 'number') return value;
  return /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
}

function parsePort(value: string | number, source: string): number {
  const n = parseInteger(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${source}: '${value}' is not a port (0-65535)`);
  return n;
}

function parsePositive(value: string | number, source: string): number {
  const n = parseInteger(value);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${source}: '${value}' is not a positive integer`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `10m`, `4h`, `1d`; a bare number is seconds. */
export function parseDuration(value: string | number, source: string): number {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(String(value));
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2] ?? 's'] : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new ConfigError(`${source}: '${value}' is not a duration (e.g. 5s, 10m, 4h)`);
  return ms;
}

/** A flag if given, else a non-empty environment variable (an empty one counts as unset), with where it came from. */
function pick<T>(flag: T | undefined, flagName: string, env: NodeJS.ProcessEnv, envName: string): { value: T | string; source: string } | undefined {
  if (flag !== undefined) return { value: flag, source: flagName };
  const v = env[envName];
  return v !== undefined && v !== '' ? { value: v, source: envName } : undefined;
}

export function parseConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dataDir = path.resolve(cwd, String(pick(flags.dataDir, '--data-dir', env, 'APIM_LOCAL_DATA_DIR')?.value ?? '.apim-local'));
  const portArg = pick(flags.port, '--port', env, 'APIM_LOCAL_PORT');
  const port = portArg ? parsePort(portArg.value, portArg.source) : 8443;
  const host = String(pick(flags.host, '--host', env, 'APIM_LOCAL_HOST')?.value ?? '127.0.0.1');
  const storePick = pick(flags.store, '--store', env, 'APIM_LOCAL_STORE');
  const storeArg = String(storePick?.value ?? 'sqlite');
  const inMemory = flags.inMemory ?? env.APIM_LOCAL_IN_MEMORY === '1';
  let store: Config['store'];
  if (storeArg === 'sqlite') store = { kind: 'sqlite', inMemory };
  else if (/^postgres(ql)?:\/\//.test(storeArg)) {
    if (inMemory) throw new ConfigError('--in-memory applies to the sqlite store only');
    store = { kind: 'postgres', url: storeArg };
  } else throw new ConfigError(`${storePick?.source ?? '--store'}: '${storeArg}' is neither 'sqlite' nor a postgres:// URL`);
  const lifetimeArg = pick(flags.tokenLifetime, '--token-lifetime', env, 'APIM_LOCAL_TOKEN_LIFETIME');
  const tokenLifetimeSeconds = lifetimeArg ? parsePositive(lifetimeArg.value, lifetimeArg.source) : 3600;
  if (tokenLifetimeSeconds < 300) throw new ConfigError(`${lifetimeArg!.source}: at least 300 seconds (SDK caches renew 5 minutes early)`);
  const masterKey = env.APIM_LOCAL_MASTER_KEY || undefined;
  const refreshArg = pick(flags.keyVaultRefreshInterval, '--key-vault-refresh-interval', env, 'APIM_LOCAL_KEY_VAULT_REFRESH_INTERVAL');
  const keyVaultRefreshIntervalMs = refreshArg ? parseDuration(refreshArg.value, refreshArg.source) : 4 * 3_600_000;
  const workersArg = pick(flags.gatewayWorkers, '--gateway-workers', env, 'APIM_LOCAL_GATEWAY_WORKERS');
  const gatewayWorkers = workersArg ? parsePositive(workersArg.value, workersArg.source) : 1;
  if (gatewayWorkers > MAX_GATEWAY_WORKERS) throw new ConfigError(`${workersArg!.source}: at most ${MAX_GATEWAY_WORKERS}`);
  return {
    dataDir, port, host, store, tokenLifetimeSeconds, masterKey, gatewayWorkers,
    maxBodyBytes: 4 * 1024 * 1024,
    quiet: flags.quiet ?? env.APIM_LOCAL_QUIET === '1',
    keyVaultRefreshIntervalMs,
  };
}

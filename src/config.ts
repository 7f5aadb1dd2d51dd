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
}

export interface ConfigFlags {
  dataDir?: string;
  port?: string | number;
  host?: string;
  store?: string;
  inMemory?: boolean;
  tokenLifetime?: string | number;
  quiet?: boolean;
}

export class ConfigError extends Error {}

function parsePort(value: string | number, source: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${source}: '${value}' is not a port (0-65535)`);
  return n;
}

function parsePositive(value: string | number, source: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${source}: '${value}' is not a positive integer`);
  return n;
}

export function parseConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dataDir = path.resolve(cwd, flags.dataDir ?? env.APIM_LOCAL_DATA_DIR ?? '.apim-local');
  const port = parsePort(flags.port ?? env.APIM_LOCAL_PORT ?? 8443, flags.port !== undefined ? '--port' : 'APIM_LOCAL_PORT');
  const host = flags.host ?? env.APIM_LOCAL_HOST ?? '127.0.0.1';
  const storeArg = flags.store ?? env.APIM_LOCAL_STORE ?? 'sqlite';
  const inMemory = flags.inMemory ?? env.APIM_LOCAL_IN_MEMORY === '1';
  let store: Config['store'];
  if (storeArg === 'sqlite') store = { kind: 'sqlite', inMemory };
  else if (/^postgres(ql)?:\/\//.test(storeArg)) {
    if (inMemory) throw new ConfigError('--in-memory applies to the sqlite store only');
    store = { kind: 'postgres', url: storeArg };
  } else throw new ConfigError(`--store: '${storeArg}' is neither 'sqlite' nor a postgres:// URL`);
  const tokenLifetimeSeconds = parsePositive(flags.tokenLifetime ?? env.APIM_LOCAL_TOKEN_LIFETIME ?? 3600, '--token-lifetime');
  if (tokenLifetimeSeconds < 300) throw new ConfigError('--token-lifetime: at least 300 seconds (SDK caches renew 5 minutes early)');
  const masterKey = env.APIM_LOCAL_MASTER_KEY || undefined;
  return {
    dataDir, port, host, store, tokenLifetimeSeconds, masterKey,
    maxBodyBytes: 4 * 1024 * 1024,
    quiet: flags.quiet ?? env.APIM_LOCAL_QUIET === '1',
  };
}

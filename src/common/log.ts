// Logging: one line per event to stderr. Never pass secrets, tokens or request bodies here.
export interface Logger {
  info(message: string): void;
  error(message: string, err?: unknown): void;
}

export function createLogger(quiet: boolean): Logger {
  const stamp = () => new Date().toISOString();
  return {
    info(message) {
      if (!quiet) process.stderr.write(`${stamp()} ${message}\n`);
    },
    error(message, err) {
      const detail = err instanceof Error ? `: ${err.stack ?? err.message}` : err === undefined ? '' : `: ${String(err)}`;
      process.stderr.write(`${stamp()} ERROR ${message}${detail}\n`);
    },
  };
}

export const silentLogger: Logger = { info() {}, error() {} };

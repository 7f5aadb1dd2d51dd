// `apim-local start`: run the server in the foreground until SIGINT/SIGTERM.
import type { Command } from 'commander';

export function registerStart(program: Command): void {
  program.command('start')
    .description('Start apim-local: Resource Manager, Entra ID and the other planes, on one machine')
    .option('--data-dir <dir>', 'data directory (default ./.apim-local; env APIM_LOCAL_DATA_DIR)')
    .option('--port <n>', 'management listener port; 0 picks a free one (default 8443)')
    .option('--host <address>', 'address to bind (default 127.0.0.1)')
    .option('--store <store>', "'sqlite' (default) or a postgres:// URL")
    .option('--in-memory', 'keep the store in memory (sqlite only)')
    .option('--token-lifetime <seconds>', 'access token lifetime (default 3600)')
    .option('--key-vault-refresh-interval <duration>', 'how often Key Vault named values are read again, e.g. 5s, 10m, 4h (default 4h)')
    .option('--gateway-workers <n>', 'processes serving the gateways: this one and n-1 forked workers, 1-64 (default 1)')
    .option('--quiet', 'no log lines but errors')
    .action(async (opts) => {
      // Loaded here, not at the top: the other commands should not pay for the server's modules.
      const [{ parseConfig }, { startServer }] = await Promise.all([import('../config.js'), import('../main.js')]);
      const config = parseConfig(opts);
      const server = await startServer(config);
      // As Jupyter does: the portal's address with a one-time sign-in link for the admin, on stdout (not a
      // log line: it carries a credential; it works once, for 10 minutes; `apim-local portal` prints another).
      const link = server.entra.portalSignInLink(server.entra.admin.clientId);
      process.stdout.write(`\n    Portal: ${server.connection.managementEndpoint}/portal/\n`
        + `    To sign in as the admin, open this link (single use, valid 10 minutes; 'apim-local portal' prints a new one):\n`
        + `        ${link.url}\n\n`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        if (!config.quiet) process.stderr.write(`${new Date().toISOString()} ${signal}: stopping\n`);
        server.close().then(() => process.exit(0), (e) => { process.stderr.write(`${String(e)}\n`); process.exit(1); });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}

// `apim-local az <args>`: the user's real Azure CLI against this server, set up on first use
// (src/cli/az/setup.ts); and `apim-local az-env`: the same set-up as shell lines to eval.
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { action, type CliContext, type CliIo } from '../command.js';
import { CliError, errorFromResponse } from '../errors.js';
import { azCloudConfig, type AzCloudConfig } from '../az/cloud-config.js';
import {
  azEnvironment, cloudRegistered, ensureSetUp, findAz, isSetUp, prepareAzFiles, setupCommands, signalNumber, AZ_INSTALL_HINT,
} from '../az/setup.js';

const DATA_DIR_HELP = 'data directory of the running server (default ./.apim-local; env APIM_LOCAL_DATA_DIR)';

export function registerAz(program: Command): void {
  // Everything after `az` is az's: its options are passed on, not parsed here.
  program.enablePositionalOptions();
  const az = program.command('az')
    .description(`Run the Azure CLI ('az', installed separately) against apim-local: an own az configuration under the data directory, this server's CA trusted, the cloud registered and the admin signed in on first use. ${AZ_INSTALL_HINT}`)
    .usage('[--data-dir <dir>] <az arguments...>')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .argument('[arguments...]', "az's arguments, passed on unchanged")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions();
  az.action(action(async (ctx) => ({ value: undefined, exitCode: await runAz(ctx, az.args) })));

  program.command('az-env')
    .description('Print the shell lines that set up the Azure CLI against apim-local in your own shell: eval "$(apim-local az-env)"')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(action(async (ctx) => ({ value: undefined, text: await azEnvScript(ctx) })));
}

/** The server's cloud metadata (api-version 2022-09-01) as az's cloud config. */
async function cloudConfig(ctx: CliContext): Promise<AzCloudConfig> {
  const url = `${ctx.connection.managementEndpoint.replace(/\/+$/, '')}/metadata/endpoints?api-version=2022-09-01`;
  const res = await ctx.server.send('GET', url);
  if (res.status !== 200) throw errorFromResponse(res.status, res.json, res.text);
  try {
    return azCloudConfig(res.json);
  } catch (e) {
    throw new CliError(`${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function runAz(ctx: CliContext, args: string[]): Promise<number> {
  const { io } = ctx;
  const az = findAz(io.env);
  const cloud = await cloudConfig(ctx);
  const { paths, cloudChanged } = prepareAzFiles(ctx.dataDir, ctx.connection, cloud, io.env);
  const env = { ...io.env, ...azEnvironment(paths) };
  await ensureSetUp(az, paths, ctx.connection, cloudChanged, env);
  return passThrough(az, args, env, io);
}

/** Runs az with this process's stdio (or the io's, in tests); resolves to its exit code. */
function passThrough(az: string, args: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const inherit = io.inheritStdio === true;
    const child = spawn(az, args, { env, cwd: io.cwd, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    if (!inherit) {
      child.stdout!.setEncoding('utf8').on('data', (s: string) => io.stdout(s));
      child.stderr!.setEncoding('utf8').on('data', (s: string) => io.stderr(s));
    }
    // Ctrl-C reaches az too (same process group): az decides, and its exit code is ours.
    const ignore = () => undefined;
    if (inherit) { process.on('SIGINT', ignore); process.on('SIGTERM', ignore); }
    const done = () => { if (inherit) { process.off('SIGINT', ignore); process.off('SIGTERM', ignore); } };
    child.once('error', (e) => { done(); reject(new CliError(`Cannot run '${az}': ${e.message}`)); });
    child.once('close', (code, signal) => { done(); resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)); });
  });
}

/** A word for a POSIX shell. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

async function azEnvScript(ctx: CliContext): Promise<string> {
  const cloud = await cloudConfig(ctx);
  const { paths, cloudChanged } = prepareAzFiles(ctx.dataDir, ctx.connection, cloud, ctx.io.env);
  const lines = [
    `# The Azure CLI against apim-local at ${ctx.connection.managementEndpoint} (data directory ${ctx.dataDir}).`,
    '# In your shell: eval "$(apim-local az-env)"',
    ...Object.entries(azEnvironment(paths)).map(([k, v]) => `export ${k}=${sh(v)}`),
  ];
  if (isSetUp(paths, ctx.connection, cloudChanged)) {
    lines.push('# The cloud is registered and selected, and the admin signed in, already (by apim-local az).');
  } else {
    for (const args of setupCommands(paths, ctx.connection, cloudRegistered(paths))) lines.push(['az', ...args].map(sh).join(' '));
  }
  return lines.join('\n') + '\n';
}

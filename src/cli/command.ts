// What every az-style command shares: the global options (--data-dir, --output, --query,
// --only-show-errors), the context built from connection.json, printing the result, and turning
// errors into `ERROR: ...` on stderr with an exit code (1 for failures, 2 for usage errors).
// Nothing here touches the process: output, environment and prompts go through the invocation's
// CliIo, and the exit code is returned by main(), so tests run the command line in process.
import { Command, Option } from 'commander';
import { invocationOf, type CliIo } from './invocation.js';
import { readConnection, resolveDataDir, ServerClient, type ConnectionInfo } from './connection.js';
import { ArmClient } from './arm-client.js';
import { AdminClient } from './admin-client.js';
import { CliError, UsageError } from './errors.js';
import { checkQuery, render, OUTPUT_FORMATS, type OutputFormat, type TableTransformer } from './output.js';

export interface CommonOptions {
  dataDir?: string;
  /** Always set, but for commands registered with `ownDefaultOutput`. */
  output: OutputFormat;
  query?: string;
  onlyShowErrors?: boolean;
}

export { bindInvocation, processIo, usageExit, type CliIo, type Invocation } from './invocation.js';

/** Everything a command needs, built per invocation (no module-level state). */
export interface CliContext {
  dataDir: string;
  connection: ConnectionInfo;
  server: ServerClient;
  arm: ArmClient;
  admin: AdminClient;
  /** `WARNING: ...` on stderr, unless --only-show-errors. */
  warn(message: string): void;
  /** A line of progress on stderr (a long-running command's states), unless --only-show-errors. */
  progress(line: string): void;
  /** The directory relative file arguments are read from. */
  cwd: string;
  /** Asks y/n (io.prompt); without a terminal, a usage error telling to pass --yes. */
  confirm(question: string): Promise<boolean>;
  /** az asks before deleting unless --yes: true when --yes was given or the answer is yes. */
  confirmed(yes: boolean | undefined): Promise<boolean>;
  /** The invocation's io (environment and streams), for a command that runs another program. */
  io: CliIo;
}

/** What a command returns: the value to print (nothing for undefined) and its table transformer. */
export interface CommandResult {
  value: unknown;
  table?: TableTransformer;
  /** Printed as is instead of the rendered value: a command's own default format (no --output given). */
  text?: string;
  /** The exit code of a command that ran another program and printed nothing itself (`apim-local az`). */
  exitCode?: number;
}

export type Handler<O> = (ctx: CliContext, opts: O & CommonOptions) => Promise<CommandResult | void>;

/**
 * Adds az's global options to a leaf command. `ownDefaultOutput`: --output has no default, so the
 * handler sees whether it was given (and may print its own format when not); json otherwise.
 */
export function withCommonOptions(cmd: Command, { ownDefaultOutput = false } = {}): Command {
  const output = new Option('-o, --output <format>', ownDefaultOutput ? 'output format (default: see above)' : 'output format').choices(OUTPUT_FORMATS);
  return cmd
    .option('--data-dir <dir>', 'data directory of the running server (default ./.apim-local; env APIM_LOCAL_DATA_DIR)')
    .addOption(ownDefaultOutput ? output : output.default('json'))
    .option('--query <jmespath>', 'JMESPath query string, applied to the result before output')
    .option('--only-show-errors', 'only show errors, suppressing warnings');
}

/** Wraps a handler as a commander action: context, output, errors and exit code. */
export function action<O>(handler: Handler<O>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const opts = command.opts() as O & CommonOptions;
    const run = invocationOf(command);
    const { io } = run;
    const warn = (message: string) => { if (!opts.onlyShowErrors) io.stderr(`WARNING: ${message}\n`); };
    const confirm = async (question: string): Promise<boolean> => {
      if (!io.prompt) throw new UsageError('Unable to prompt for confirmation as no tty available. Use --yes.');
      return /^y(es)?$/i.test((await io.prompt(`${question} (y/n): `)).trim());
    };
    const confirmed = async (yes: boolean | undefined) => !!yes || confirm('Are you sure you want to perform this operation?');
    let server: ServerClient | undefined;
    try {
      if (opts.query !== undefined) checkQuery(opts.query);
      const dataDir = resolveDataDir(opts.dataDir, io.env, io.cwd);
      const connection = readConnection(dataDir);
      server = new ServerClient(connection, dataDir);
      const arm = new ArmClient(server, connection.subscriptionId);
      const progress = (line: string) => { if (!opts.onlyShowErrors) io.stderr(`${line}\n`); };
      const ctx: CliContext = { dataDir, connection, server, arm, admin: new AdminClient(arm), warn, progress, cwd: io.cwd, confirm, confirmed, io };
      const result = await handler(ctx, opts);
      if (result?.exitCode !== undefined) run.exitCode = result.exitCode;
      else if (result) io.stdout(result.text ?? render(result.value, { output: opts.output ?? 'json', query: opts.query, tableTransformer: result.table }));
    } catch (e) {
      if (e instanceof CliError) {
        io.stderr(`ERROR: ${e.describe()}\n`);
        run.exitCode = e.exitCode;
      } else {
        io.stderr(`ERROR: The command failed with an unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        run.exitCode = 1;
      }
    } finally {
      await server?.close().catch(() => undefined);
    }
  };
}

/** `--tags a=b c` → { a: 'b', c: '' }; a single empty string clears the tags, as az. */
export function parseTags(values: string[] | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const v of values) {
    if (v === '') continue;
    const i = v.indexOf('=');
    const key = i === -1 ? v : v.slice(0, i);
    if (key === '') throw new UsageError(`usage error: '${v}' is not a tag: use KEY[=VALUE].`);
    tags[key] = i === -1 ? '' : v.slice(i + 1);
  }
  return tags;
}

/**
 * az's three-state flag (`--flag`, `--flag true`, `--flag false`): commander gives `true` for the bare
 * flag and the string otherwise; undefined when absent.
 */
export function parseThreeState(flag: string, value: string | boolean | undefined): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new UsageError(`argument ${flag}: invalid choice: '${value}' (choose from 'false', 'true')`);
}

/** An integer argument, as argparse's type=int refuses anything else (exit 2). */
export function parseIntArg(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`argument ${flag}: invalid int value: '${value}'`);
  return Number(value);
}

/** A value of an enumeration, matched case-insensitively (az's get_enum_type), in its canonical spelling. */
export function parseChoice<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const found = choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (!found) throw new UsageError(`argument ${flag}: invalid choice: '${value}' (choose from ${choices.map((c) => `'${c}'`).join(', ')})`);
  return found;
}

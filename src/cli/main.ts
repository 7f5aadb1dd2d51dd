// The `apim-local` command: `start`, az-style commands over the ARM API, and `az` (the real Azure CLI). main() touches no process
// state: it writes through the io it is given and returns the exit code (bin/apim-local.js sets it).
import { Command, CommanderError } from 'commander';
import { registerStart } from './start.js';
import { bindInvocation, processIo, usageExit, type CliIo, type Invocation } from './command.js';
import { registerGroup } from './commands/group.js';
import { registerRole } from './commands/role.js';
import { registerAd } from './commands/ad.js';
import { registerAccount } from './commands/account.js';
import { registerKeys } from './commands/keys.js';
import { registerPortal } from './commands/portal.js';
import { registerApim } from './commands/apim.js';
import { registerIdentity } from './commands/identity.js';
import { registerKeyVault } from './commands/keyvault.js';
import { registerDeployment } from './commands/deployment.js';
import { registerEventHubs } from './commands/eventhubs.js';
import { registerAz } from './commands/az.js';

/** Runs one command line (`argv` as process.argv: node, script, arguments); resolves to its exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = new Command('apim-local')
    .description('Azure API Management managed identities, Resource Manager, Entra ID and Key Vault, locally')
    .showHelpAfterError()
    // Set before the subcommands are made: they inherit both.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const invocation: Invocation = { io, exitCode: 0 };
  bindInvocation(program, invocation);
  registerStart(program);
  // The az-style commands (registered after this) exit with 2 on usage errors, as az does.
  program.exitOverride(usageExit);
  registerGroup(program);
  registerRole(program);
  registerAd(program);
  registerAccount(program);
  registerKeys(program);
  registerPortal(program);
  registerApim(program);
  registerIdentity(program);
  registerKeyVault(program);
  registerDeployment(program);
  registerEventHubs(program);
  registerAz(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  return invocation.exitCode;
}

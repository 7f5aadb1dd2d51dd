// The `apim-local` command: `start`, and az-style commands over the ARM API.
import { Command, CommanderError } from 'commander';
import { registerStart } from './start.js';
import { usageExit } from './command.js';
import { registerGroup } from './commands/group.js';
import { registerRole } from './commands/role.js';
import { registerAd } from './commands/ad.js';
import { registerAccount } from './commands/account.js';
import { registerKeys } from './commands/keys.js';
import { registerApim } from './commands/apim.js';
import { registerIdentity } from './commands/identity.js';
import { registerKeyVault } from './commands/keyvault.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('apim-local')
    .description('Azure API Management managed identities, Resource Manager, Entra ID and Key Vault, locally')
    .showHelpAfterError();
  registerStart(program);
  // The az-style commands (registered after this) exit with 2 on usage errors, as az does.
  program.exitOverride(usageExit);
  registerGroup(program);
  registerRole(program);
  registerAd(program);
  registerAccount(program);
  registerKeys(program);
  registerApim(program);
  registerIdentity(program);
  registerKeyVault(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    throw e;
  }
}

// The `apim-local` command: `start`, and az-style commands over the ARM API.
import { Command, CommanderError } from 'commander';
import { registerStart } from './start.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('apim-local')
    .description('Azure API Management managed identities, Resource Manager, Entra ID and Key Vault, locally')
    .showHelpAfterError();
  registerStart(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    throw e;
  }
}

// `apim-local keys rotate`: a new token signing key. The old one stays in JWKS until every token it
// signed has expired, so clients that cache JWKS keep validating.
import type { Command } from 'commander';
import { action, withCommonOptions } from '../command.js';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description("Manage the token service's signing keys.");

  withCommonOptions(keys.command('rotate').description('Add a new signing key; the old one is published until its tokens expire.'))
    .action(action(async (ctx) => ({ value: await ctx.admin.rotateKeys() })));
}


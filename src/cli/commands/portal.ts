// `apim-local portal`: a new one-time sign-in link to the portal for the signed-in application (the admin,
// by default), as the one `apim-local start` printed.
import type { Command } from 'commander';
import { action, withCommonOptions } from '../command.js';

/** `apim-local portal`: a new one-time sign-in link to the portal (as the printed one at start, for the admin). */
export function registerPortal(program: Command): void {
  withCommonOptions(program.command('portal').description('Print a new one-time sign-in link to the portal (single use, valid 10 minutes).'))
    .action(action(async (ctx) => ({ value: await ctx.admin.portalSignInLink() })));
}

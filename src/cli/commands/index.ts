// Every az-style command group, registered in the order `apim-local --help` lists them.
import type { Command } from 'commander';
import { registerGroup } from './group.js';
import { registerRole } from './role.js';
import { registerAd } from './ad.js';
import { registerAccount } from './account.js';
import { registerKeys } from './keys.js';
import { registerPortal } from './portal.js';
import { registerApim } from './apim.js';
import { registerIdentity } from './identity.js';
import { registerKeyVault } from './keyvault.js';
import { registerDeployment } from './deployment.js';
import { registerEventHubs } from './eventhubs.js';
import { registerAz } from './az.js';

export function registerAzStyleCommands(program: Command): void {
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
}

// Runs @azure/identity's ManagedIdentityCredential in a process of its own (MSAL caches the managed
// identity source per process) with the environment the test gives, and prints the outcome as JSON.
// argv: scope [clientId]
import { ManagedIdentityCredential } from '@azure/identity';

const [scope, clientId] = process.argv.slice(2);
const credential = clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
try {
  const t = await credential.getToken(scope);
  process.stdout.write(JSON.stringify({ token: t.token, expiresOnTimestamp: t.expiresOnTimestamp }));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message } }));
}

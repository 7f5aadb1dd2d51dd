// Test-only access to a server's insides, for what apim-local does not expose over HTTP (registering an
// application's certificate, app roles, forging tokens):
//   - startInProcessServer(): the real server (src/main.ts startServer) in the test's own process, so a
//     test can reach its Directory. Its HTTP is the same HTTPS listener the CLI starts.
//   - serverSigningKey(): the active token signing key of a server's data directory, read the way the
//     server reads it (store + SecretBox + SigningKeys), to sign tokens with claims the token endpoint
//     would never issue (expired ones).
//   - selfSignedCertificate(): an RSA certificate for client assertions.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { ClientSecretCredential } from '@azure/identity';
import { parseConfig, type ConfigFlags } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { openStore } from '../../src/store/db.js';
import { SecretBox } from '../../src/common/crypto.js';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { SigningKeys } from '../../src/entra/signing-keys.js';
import { seedTestCa, tempDir } from './server.js';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

export { seedTestCa } from './server.js';

export interface InProcessServer extends RunningServer {
  dataDir: string;
  credential(clientId?: string, secret?: string): ClientSecretCredential;
  armOptions(): { endpoint: string; credentialScopes: string[] };
  /** An application (service principal) with a client secret, as `az ad sp create-for-rbac` makes. */
  createApplication(displayName: string): Promise<{ clientId: string; objectId: string; secret: string }>;
}

/** Starts the real server in this process on a free port, quiet, with a fresh data directory. */
export async function startInProcessServer(flags: ConfigFlags = {}, deps: { clock?: Clock } = {}): Promise<InProcessServer> {
  const dataDir = flags.dataDir ?? tempDir();
  seedTestCa(dataDir);
  const server = await startServer(parseConfig({ port: 0, quiet: true, ...flags, dataDir }, {}), deps);
  const c = server.connection;
  return Object.assign(server, {
    dataDir,
    credential: (clientId = c.clientId, secret = c.clientSecret) =>
      new ClientSecretCredential(c.tenantId, clientId, secret, { authorityHost: c.authorityHost, disableInstanceDiscovery: true }),
    armOptions: () => ({ endpoint: c.managementEndpoint, credentialScopes: ['https://management.azure.com/.default'] }),
    async createApplication(displayName: string) {
      const app = await server.entra.directory.create({ displayName, principalType: 'Application' });
      const { secret } = await server.entra.directory.addSecret(app.objectId);
      return { clientId: app.appId, objectId: app.objectId, secret };
    },
  });
}

/** The active signing key (kid + private key) of the server whose SQLite store is in `dataDir`. */
export async function serverSigningKey(dataDir: string): Promise<{ kid: string; privateKey: crypto.KeyObject }> {
  const store = await openStore({ kind: 'sqlite', file: path.join(dataDir, 'apim-local.db') });
  try {
    const keys = await SigningKeys.open(store.db, SecretBox.fromDataDir(dataDir), systemClock, 3600_000);
    return keys.activeKey();
  } finally {
    await store.close();
  }
}

/** A self-signed RSA certificate: `pem` holds the certificate and its private key (what ClientCertificateCredential reads). */
export async function selfSignedCertificate(subject = 'CN=apim-local test client'): Promise<{ certPem: string; keyPem: string; pem: string; privateKey: crypto.KeyObject; x5t: string; x5tS256: string }> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
  const keys = await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto.randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    name: subject,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    keys,
    signingAlgorithm: alg,
  });
  const certPem = cert.toString('pem') + '\n';
  const pkcs8 = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKey = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const der = Buffer.from(cert.rawData);
  return {
    certPem, keyPem, pem: keyPem + certPem, privateKey,
    x5t: crypto.createHash('sha1').update(der).digest('base64url'),
    x5tS256: crypto.createHash('sha256').update(der).digest('base64url'),
  };
}

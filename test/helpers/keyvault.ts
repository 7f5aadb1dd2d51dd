// Key Vault test helpers: SDK clients pointed at the server, vaults created with @azure/arm-keyvault,
// and certificates made in the test (PFX with a password, PEM) with node-forge.
import crypto from 'node:crypto';
import forge from 'node-forge';
import type { TokenCredential } from '@azure/identity';
import { KeyVaultManagementClient, type Vault, type VaultProperties } from '@azure/arm-keyvault';
import { SecretClient } from '@azure/keyvault-secrets';
import { CertificateClient } from '@azure/keyvault-certificates';
import type { TestServer } from './server.js';

export const kvOptions = { disableChallengeResourceVerification: true } as const;

export function kvm(server: TestServer, credential: TokenCredential = server.credential()): KeyVaultManagementClient {
  return new KeyVaultManagementClient(credential, server.connection.subscriptionId, {
    endpoint: server.connection.managementEndpoint, credentials: { scopes: ['https://management.azure.com/.default'] },
  } as any);
}

export const secretClient = (vaultUri: string, credential: TokenCredential) => new SecretClient(vaultUri, credential, kvOptions);
export const certificateClient = (vaultUri: string, credential: TokenCredential) => new CertificateClient(vaultUri, credential, kvOptions);

export const uniqueVaultName = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString('hex')}`;

/** Every permission of the secrets and certificates families. */
export const ALL_PERMISSIONS = {
  secrets: ['get', 'list', 'set', 'delete', 'backup', 'restore', 'recover', 'purge'],
  certificates: ['get', 'list', 'delete', 'create', 'import', 'update', 'recover', 'purge', 'backup', 'restore'],
};

export async function createVault(server: TestServer, group: string, name: string, properties: Partial<VaultProperties> = {}): Promise<Vault> {
  return kvm(server).vaults.createOrUpdate(group, name, {
    location: 'westeurope',
    properties: { tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' }, accessPolicies: [], ...properties } as VaultProperties,
  });
}

/** A self-signed RSA certificate with its key, as PFX (base64, with a password) and as PEM. */
export function makeCertificate(cn: string, password: string, sans: string[] = [cn]): { pfx: Buffer; pem: string; certDer: Buffer; keyPem: string; thumbprint: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + crypto.randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: cn }]);
  cert.setExtensions([
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: sans.map((value) => ({ type: 2, value })) },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], password, { algorithm: '3des' });
  const pfx = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
  const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const keyPem = forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey)));
  return { pfx, pem: keyPem + forge.pki.certificateToPem(cert), certDer, keyPem, thumbprint: crypto.createHash('sha1').update(certDer).digest('hex') };
}

/** Reads a PFX without password (what Key Vault returns through the secrets API): its key and leaf certificate. */
export function openPfx(base64: string): { keyPem: string; certDer: Buffer } {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(base64, 'base64').toString('binary')), '');
  const keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag]![0];
  const certBag = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag]![0];
  return {
    keyPem: forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key!))),
    certDer: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certBag.cert!)).getBytes(), 'binary'),
  };
}

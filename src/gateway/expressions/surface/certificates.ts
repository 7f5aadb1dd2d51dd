// X509Certificate2 as API Management exposes it: context.Request.Certificate (the client certificate of a
// hostname with negotiateClientCertificate) and context.Deployment.Certificates.
import { X509Certificate } from 'node:crypto';
import type { TypeSpec } from './define.js';
import { DateTime, Kind, TICKS_PER_MS, UNIX_EPOCH_TICKS } from '../dotnet/datetime.js';

/** .NET writes distinguished names most specific first, comma-separated: "CN=client, O=Contoso, C=US". */
const dotNetName = (name: string) => name.split('\n').reverse().join(', ');
const dateOf = (s: string) => new DateTime(BigInt(Date.parse(s)) * TICKS_PER_MS + UNIX_EPOCH_TICKS, Kind.Utc);

export const certificateTypes: TypeSpec[] = [{
  name: 'X509Certificate2', namespace: 'System.Security.Cryptography.X509Certificates',
  is: (v) => v instanceof X509Certificate,
  instance: {
    'Thumbprint: string': (c: X509Certificate) => c.fingerprint.replace(/:/g, ''),
    'Subject: string': (c: X509Certificate) => dotNetName(c.subject),
    'Issuer: string': (c: X509Certificate) => dotNetName(c.issuer),
    'SerialNumber: string': (c: X509Certificate) => c.serialNumber.toUpperCase(),
    'NotBefore: DateTime': (c: X509Certificate) => dateOf(c.validFrom),
    'NotAfter: DateTime': (c: X509Certificate) => dateOf(c.validTo),
    'RawData: byte[]': (c: X509Certificate) => new Uint8Array(c.raw),
    /** Whether the certificate is within its validity period (the chain was checked by the TLS layer when it asked for one). */
    'Verify(): bool': (c: X509Certificate) => { const now = Date.now(); return Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo); },
    'ToString(): string': (c: X509Certificate) => `[Subject]\n  ${dotNetName(c.subject)}\n\n[Issuer]\n  ${dotNetName(c.issuer)}\n\n[Thumbprint]\n  ${c.fingerprint.replace(/:/g, '')}`,
  },
}];

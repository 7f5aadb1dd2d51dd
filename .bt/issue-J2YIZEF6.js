import {
  CA_DAYS,
  DAY_MS,
  LOOPBACK_NAMES
} from "./chunk-QAJQS5CE.js";

// src/tls/issue.ts
import crypto from "node:crypto";
import net from "node:net";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { AsnConvert } from "@peculiar/asn1-schema";
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from "@peculiar/asn1-x509";
x509.cryptoProvider.set(crypto.webcrypto);
var RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
var SERVER_KEY = { name: "ECDSA", namedCurve: "P-256" };
function nameConstraints(names) {
  const subtrees = names.map((n) => new GeneralSubtree({
    base: new GeneralName(/^[\d.]+(\/\d+)?$|:/.test(n) ? { iPAddress: n.includes("/") ? n : `${n}/${n.includes(":") ? 128 : 32}` } : { dNSName: n })
  }));
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}
function toPem(der, label) {
  const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----
${b64}${b64.endsWith("\n") ? "" : "\n"}-----END ${label}-----
`;
}
function serial() {
  const b = crypto.randomBytes(16);
  b[0] &= 127;
  return b.toString("hex");
}
async function importPrivateKey(pem) {
  const der = crypto.createPrivateKey(pem).export({ format: "der", type: "pkcs8" });
  return crypto.webcrypto.subtle.importKey("pkcs8", der, RSA, true, ["sign"]);
}
async function createCa(extraNames) {
  const keys = await crypto.webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"]);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=apim-local CA ${crypto.randomBytes(4).toString("hex")}, O=apim-local`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      nameConstraints([...LOOPBACK_NAMES, ...extraNames]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  });
  const pkcs8 = await crypto.webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem") + "\n", keyPem: toPem(pkcs8, "PRIVATE KEY") };
}
function permittedNames(caCert) {
  const ext = caCert.extensions.find((e) => e.type === id_ce_nameConstraints);
  if (!ext) return void 0;
  const nc = AsnConvert.parse(ext.value, NameConstraints);
  const dns = [];
  const ip = [];
  for (const sub of nc.permittedSubtrees ?? []) {
    if (sub.base.dNSName) dns.push(sub.base.dNSName.toLowerCase());
    if (sub.base.iPAddress) ip.push(sub.base.iPAddress);
  }
  return { dns, ip };
}
function permits(p, name) {
  if (/^[\d.]+$|:/.test(name)) {
    return p.ip.some((cidr) => {
      const [base, bits] = cidr.split("/");
      const list = new net.BlockList();
      list.addSubnet(base, Number(bits), base.includes(":") ? "ipv6" : "ipv4");
      return list.check(name, name.includes(":") ? "ipv6" : "ipv4");
    });
  }
  const n = name.toLowerCase();
  return p.dns.some((d) => n === d || n.endsWith(`.${d}`));
}
async function issueServerCertificate(caCertPem, caKeyPem, caCertPath, names) {
  const caCert = new x509.X509Certificate(caCertPem);
  const caKey = await importPrivateKey(caKeyPem);
  const permitted = permittedNames(caCert);
  const outside = permitted ? names.filter((n) => !permits(permitted, n)) : [];
  if (outside.length > 0) {
    throw new Error(`the local CA (${caCertPath}) may sign only for ${[...permitted.dns, ...permitted.ip].join(", ")}, not ${outside.join(", ")} (--host): start with a new --data-dir, or remove ca.pem and ca-key.pem there to make a new CA for it`);
  }
  const keys = await crypto.webcrypto.subtle.generateKey(SERVER_KEY, true, ["sign", "verify"]);
  const now = Date.now();
  const altNames = names.map((n) => /^[\d.]+$|:/.test(n) ? { type: "ip", value: n } : { type: "dns", value: n });
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0]}`,
    issuer: caCert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 397 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, void 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
      await x509.AuthorityKeyIdentifierExtension.create(caCert)
    ]
  });
  const pkcs8 = await crypto.webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem") + "\n" + caCertPem, keyPem: toPem(pkcs8, "PRIVATE KEY") };
}
export {
  createCa,
  issueServerCertificate
};

// src/tls/ca.ts
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
var DAY_MS = 864e5;
var CA_DAYS = 825;
var RENEW_BEFORE_DAYS = 30;
var LOOPBACK_NAMES = ["localhost", "127.0.0.0/8", "::1/128"];
async function loadOrCreateCa(dataDir, extraNames = []) {
  const certPath = path.join(dataDir, "ca.pem");
  const keyPath = path.join(dataDir, "ca-key.pem");
  const expiring = fs.existsSync(certPath) && expiresWithin(fs.readFileSync(certPath, "utf8"), RENEW_BEFORE_DAYS);
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath) || expiring) {
    const { createCa } = await import("./issue-J2YIZEF6.js");
    const created = await createCa(extraNames);
    fs.writeFileSync(keyPath, created.keyPem, { mode: 384 });
    fs.writeFileSync(certPath, created.certPem, { mode: 420 });
  }
  const caCertPem = fs.readFileSync(certPath, "utf8");
  const caKeyPem = fs.readFileSync(keyPath, "utf8");
  return {
    caCertPem,
    caCertPath: certPath,
    async issueServerCertificate(names) {
      const { issueServerCertificate } = await import("./issue-J2YIZEF6.js");
      return issueServerCertificate(caCertPem, caKeyPem, certPath, names);
    }
  };
}
async function loadOrIssueServerCertificate(ca, dataDir, names) {
  const certPath = path.join(dataDir, "server.pem");
  const keyPath = path.join(dataDir, "server-key.pem");
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    const certPem = fs.readFileSync(certPath, "utf8");
    if (!expiresWithin(certPem, 30) && names.every((n) => coversName(certPem, n)) && issuedBy(certPem, ca.caCertPem)) {
      return { certPem, keyPem: fs.readFileSync(keyPath, "utf8") };
    }
  }
  const issued = await ca.issueServerCertificate(names);
  fs.writeFileSync(keyPath, issued.keyPem, { mode: 384 });
  fs.writeFileSync(certPath, issued.certPem);
  return issued;
}
function expiresWithin(certPem, days) {
  return new Date(new crypto.X509Certificate(certPem).validTo).getTime() < Date.now() + days * DAY_MS;
}
function coversName(certPem, name) {
  const san = new crypto.X509Certificate(certPem).subjectAltName ?? "";
  const want = /^[\d.]+$|:/.test(name) ? `IP Address:${name.includes(":") ? expandIpv6(name) : name}` : `DNS:${name}`;
  return san.split(", ").some((entry) => entry.toLowerCase() === want.toLowerCase());
}
function expandIpv6(ip) {
  const [head, tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return groups.map((g) => g.replace(/^0+(?=.)/, "").toUpperCase()).join(":");
}
function issuedBy(certPem, caCertPem) {
  return new crypto.X509Certificate(certPem).checkIssued(new crypto.X509Certificate(caCertPem));
}

export {
  DAY_MS,
  CA_DAYS,
  LOOPBACK_NAMES,
  loadOrCreateCa,
  loadOrIssueServerCertificate
};

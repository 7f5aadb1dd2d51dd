// The server name a TLS client asks for (SNI), read from its ClientHello before the handshake is handed
// to a TLS server: the gateway picks the server (one that asks for a client certificate, or not) by the
// hostname, which node:tls cannot decide per name once the handshake has begun.

/** The TLS record of the handshake's first message: at most 16 KiB of payload (RFC 8446 §5.1). */
const MAX_RECORD = 5 + 16_384;

export type ClientHelloScan =
  /** More bytes are needed to see the whole first record. */
  | { complete: false }
  /** The record is whole: the name asked for (none when the client sent none or the record is not a ClientHello). */
  | { complete: true; serverName: string | undefined };

/** Reads the SNI host_name of the ClientHello at the start of `buf` (the bytes received so far). */
export function scanClientHello(buf: Buffer): ClientHelloScan {
  if (buf.length < 5) return { complete: false };
  const recordEnd = 5 + buf.readUInt16BE(3);
  if (buf[0] !== 0x16 || recordEnd > MAX_RECORD) return { complete: true, serverName: undefined };
  if (buf.length < recordEnd) return { complete: false };
  try {
    return { complete: true, serverName: serverNameOf(buf.subarray(5, recordEnd)) };
  } catch {
    // A malformed or fragmented hello: the TLS server will judge it; no name is assumed.
    return { complete: true, serverName: undefined };
  }
}

function serverNameOf(hs: Buffer): string | undefined {
  if (hs[0] !== 0x01) return undefined; // not a ClientHello
  const end = Math.min(hs.length, 4 + hs.readUIntBE(1, 3));
  let p = 4 + 2 + 32; // type+length, client_version, random
  p += 1 + hs[p]; // session_id
  p += 2 + hs.readUInt16BE(p); // cipher_suites
  p += 1 + hs[p]; // compression_methods
  if (p + 2 > end) return undefined;
  const extEnd = Math.min(end, p + 2 + hs.readUInt16BE(p));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = hs.readUInt16BE(p);
    const len = hs.readUInt16BE(p + 2);
    p += 4;
    if (type === 0x0000) {
      // server_name_list: name_type (0 = host_name), then a 2-byte length and the name.
      let q = p + 2;
      const listEnd = Math.min(p + len, q + hs.readUInt16BE(p));
      while (q + 3 <= listEnd) {
        const nameType = hs[q];
        const nameLen = hs.readUInt16BE(q + 1);
        q += 3;
        if (nameType === 0 && q + nameLen <= listEnd) return hs.toString('ascii', q, q + nameLen).toLowerCase();
        q += nameLen;
      }
      return undefined;
    }
    p += len;
  }
  return undefined;
}

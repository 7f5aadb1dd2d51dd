// Two connected in-memory streams (node 20 has no stream.duplexPair): the gateway's in-process AMQP
// connection to a local namespace, which no outside client can open.
import { Duplex } from 'node:stream';

class End extends Duplex {
  other!: End;
  override _read(): void { /* data is pushed by the other end's writes */ }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.other.push(chunk);
    cb();
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.other.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.other.destroyed) this.other.push(null);
    cb(err);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new End();
  const b = new End();
  a.other = b;
  b.other = a;
  return [a, b];
}

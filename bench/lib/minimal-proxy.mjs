// The minimal Node reverse proxy of bench/gateway.mjs: a node:http (or node:https) server and undici
// Pool.dispatch() with a raw handler, no policies. The ceiling of a Node data plane. One handler serves
// three baselines:
//   - as is (phase `minimal`);
//   - adding fixed request headers (phase `minimal-headers`: the headers the gateway's policies add, so
//     that the cost of their bytes is measured apart from the cost of running policies);
//   - in each worker of a node:cluster (phase `minimal-cluster`: the ceiling for n processes).
import cluster from 'node:cluster';
import http from 'node:http';
import https from 'node:https';
import { Pool } from 'undici';

/**
 * The proxy's request handler: forwards to `target` (an origin) with the client's headers minus host and
 * connection, plus `addHeaders` (name → value, set over any header of that name), and streams the answer
 * back without its hop-by-hop headers.
 */
export function minimalProxyHandler(target, { addHeaders } = {}) {
  const pool = new Pool(target, { connections: 256, keepAliveTimeout: 30_000 });
  const extra = Object.entries(addHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]);
  return (req, res) => {
    const headers = req.headers;
    delete headers.host; delete headers.connection;
    for (let i = 0; i < extra.length; i++) headers[extra[i][0]] = extra[i][1];
    pool.dispatch({ path: req.url, method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, {
      onConnect() {}, onError(err) { if (!res.headersSent) { res.writeHead(502); res.end(); } else res.destroy(err); },
      onHeaders(status, raw, resume) {
        const h = [];
        for (let i = 0; i < raw.length; i += 2) {
          const k = raw[i].toString('latin1');
          if (k.length === 10 && /^(connection|keep-alive)$/i.test(k)) continue;
          if (k.length === 17 && /^transfer-encoding$/i.test(k)) continue;
          h.push(k, raw[i + 1].toString('latin1'));
        }
        res.writeHead(status, h);
        this.resume = resume;
        return true;
      },
      onData(chunk) { if (res.write(chunk)) return true; res.once('drain', this.resume); return false; },
      onComplete() { res.end(); },
    });
  };
}

/**
 * Runs the proxy in this process, started as a child with an IPC channel: reports `{ port }` once it
 * listens on 127.0.0.1 and exits when the parent goes away. `tls` ({ cert, key } PEM) serves HTTPS.
 * With `workers` ≥ 1 this process becomes a node:cluster primary: it forks `workers` processes (which run
 * the same script with the same arguments, so they come back here as workers and serve), and the
 * primary only accepts connections and hands them out round-robin (Node's default on Linux).
 */
export function runMinimalProxy({ target, addHeaders, tls, workers = 0 }) {
  if (workers >= 1 && cluster.isPrimary) {
    let listening = 0;
    let stopping = false;
    cluster.on('listening', (_worker, address) => { if (++listening === workers) process.send({ port: address.port }); });
    cluster.on('exit', (worker, code, signal) => {
      if (!stopping) { process.stderr.write(`minimal-cluster: worker ${worker.process.pid} exited (${code ?? signal})\n`); process.exit(1); }
    });
    const stop = () => { stopping = true; for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM'); process.exit(0); };
    process.on('disconnect', stop);
    process.on('SIGTERM', stop);
    for (let i = 0; i < workers; i++) cluster.fork();
    return;
  }
  const handler = minimalProxyHandler(target, { addHeaders });
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  // In a cluster worker, every worker's listen(0) shares one port and process.send() goes to the primary.
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}

// The baseline of the bench scripts: a bare node:https server with the management listener's TLS and
// server settings, answering every request with a small JSON body (about the size of a resource
// group). Started by bench/lib/processes.mjs: argv = certificate and key PEM paths; it reports its
// port over IPC and exits when its parent goes away.
import fs from 'node:fs';
import https from 'node:https';

const [certPath, keyPath] = process.argv.slice(2);
if (!certPath || !keyPath || !process.send) {
  process.stderr.write('usage: started by bench scripts (node https-baseline.mjs <cert.pem> <key.pem>, with an IPC channel)\n');
  process.exit(2);
}

const body = JSON.stringify({
  id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bench',
  name: 'bench', type: 'Microsoft.Resources/resourceGroups', location: 'westeurope',
  properties: { provisioningState: 'Succeeded' },
});

const server = https.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath), requestTimeout: 60_000, headersTimeout: 30_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));

const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);

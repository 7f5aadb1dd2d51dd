import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, startBackend, echoApi, policy, call } from './gateway-harness.js';
test('smoke', async () => {
  const be = await startBackend();
  const gw = await startGateway();
  await gw.load({ ...echoApi(be.url + '/base'), policies: [policy({ kind: 'api', apiName: 'echo' }, { inbound: '<base/><set-header name="x-a" exists-action="override"><value>1</value></set-header>', outbound: '<set-header name="x-out"><value>o</value></set-header>' })] });
  const r = await call(gw.url + '/echo/hello?x=1');
  console.log(r.status, r.text, [...r.headers]);
  const r2 = await call(`http://127.0.0.1:${gw.port}/echo/hello?x=1`, { method: 'POST', body: 'abc' });
  console.log(r2.status, r2.text);
  const r3 = await call(`http://127.0.0.1:${gw.port}/nope`);
  console.log(r3.status, r3.text);
  console.log(gw.gateway.problems('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/unit'));
  await gw.close(); await be.close();
});

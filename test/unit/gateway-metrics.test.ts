// The gateway's metrics store (src/gateway/runtime/metrics.ts): Prometheus names from APIM's names,
// custom series bounded (count and value length), and snapshots of several processes summed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayMetrics, MAX_CUSTOM_SERIES, MAX_LABEL_VALUE, exposition, promName } from '../../src/gateway/runtime/metrics.js';

test('promName: APIM dimension and metric names to Prometheus names', () => {
  assert.equal(promName('API ID'), 'api_id');
  assert.equal(promName('Client-IP'), 'client_ip');
  assert.equal(promName('9lives'), '_9lives');
  assert.equal(promName('***'), '_');
});

test('custom series are bounded: at most MAX_CUSTOM_SERIES, values cut to MAX_LABEL_VALUE; the rest counted as dropped', async () => {
  const m = new GatewayMetrics();
  for (let i = 0; i < MAX_CUSTOM_SERIES + 5; i++) m.emit('i', 'ns', 'Hits', 1, [['Client', `c${i}`]]);
  m.emit('i', 'ns', 'Long', 2, [['v', 'x'.repeat(MAX_LABEL_VALUE + 100)]]);
  const snap = await m.snapshot();
  const hits = snap.find((f) => f.name === 'apim_custom_hits')!;
  assert.equal(hits.values.length, MAX_CUSTOM_SERIES * 2, '_sum and _count per series');
  assert.equal(snap.find((f) => f.name === 'apim_gateway_custom_series_dropped_total')!.values[0].value, 6);
  assert.equal(snap.find((f) => f.name === 'apim_custom_long'), undefined, 'no room left for a new series');
  const m2 = new GatewayMetrics();
  m2.emit('i', 'ns', 'Long', 2, [['v', 'x'.repeat(MAX_LABEL_VALUE + 100)]]);
  const long = (await m2.snapshot()).find((f) => f.name === 'apim_custom_long')!;
  assert.equal(String(long.values[0].labels.v).length, MAX_LABEL_VALUE);
});

test('exposition sums the processes: counters, histograms and custom summaries', async () => {
  const a = new GatewayMetrics();
  const b = new GatewayMetrics();
  a.request('i', 'api', 'op', 200, 0.01);
  b.request('i', 'api', 'op', 200, 0.2);
  a.emit('i', 'API Management', 'Size', 1.5, [['API ID', 'api']]);
  b.emit('i', 'API Management', 'Size', 2, [['API ID', 'api']]);
  const { text } = await exposition([await a.snapshot(), await b.snapshot()]);
  assert.ok(text.includes('apim_gateway_requests_total{instance="i",api="api",operation="op",status="200"} 2'), text);
  assert.ok(text.includes('apim_gateway_request_duration_seconds_count{instance="i",api="api",operation="op"} 2'), text);
  assert.ok(text.includes('apim_gateway_request_duration_seconds_bucket{le="0.025",instance="i",api="api",operation="op"} 1'), text);
  assert.ok(text.includes('apim_custom_size_sum{instance="i",namespace="API Management",api_id="api"} 3.5'), text);
  assert.ok(text.includes('apim_custom_size_count{instance="i",namespace="API Management",api_id="api"} 2'), text);
  assert.match(text, /# TYPE apim_custom_size summary/);
});

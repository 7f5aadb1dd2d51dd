// Large packages loaded on first use rather than when the process starts. A server start loads every
// plane's modules, and these packages were most of its module-loading time although many processes
// (a CLI command, a test server, a gateway without backends) never use them. Each getter requires the
// package's CommonJS build synchronously, so call sites that compile or answer synchronously can use it.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type * as X509 from '@peculiar/x509';
import type Forge from 'node-forge';
import type * as PromClient from 'prom-client';
import type Rhea from 'rhea';
import type * as AjvDraft7 from 'ajv';
import type * as AjvDraft2019 from 'ajv/dist/2019.js';
import type * as AjvDraft2020 from 'ajv/dist/2020.js';
import type * as WsModule from 'ws';

const require = createRequire(import.meta.url);

function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/** undici: the gateway's backend pools, send-request, the CLI's HTTP client. */
export const undici = lazy(() => require('undici') as typeof Undici);

/** @peculiar/x509 (certificate extensions, CRLs), with the polyfill it needs and node's WebCrypto. */
export const x509 = lazy(() => {
  require('reflect-metadata');
  const m = require('@peculiar/x509') as typeof X509;
  m.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);
  return m;
});

/** node-forge: PKCS#12 (PFX) reading and writing. */
export const forge = lazy(() => require('node-forge') as typeof Forge);

/** prom-client: the gateway's metrics registry. */
export const promClient = lazy(() => require('prom-client') as typeof PromClient);

/** rhea: AMQP 1.0, for Event Hubs (server and the gateway's sender). */
export const rhea = lazy(() => require('rhea') as typeof Rhea);

/** ajv with its draft 2019-09 and 2020-12 builds and ajv-formats: validate-content's JSON schemas. */
export const ajv = lazy(() => {
  // ajv-formats is CommonJS with a default export.
  const formats = require('ajv-formats') as { default?: (a: AjvDraft7.Ajv) => AjvDraft7.Ajv } & ((a: AjvDraft7.Ajv) => AjvDraft7.Ajv);
  return {
    Ajv: (require('ajv') as typeof AjvDraft7).Ajv,
    Ajv2019: (require('ajv/dist/2019.js') as typeof AjvDraft2019).Ajv2019,
    Ajv2020: (require('ajv/dist/2020.js') as typeof AjvDraft2020).Ajv2020,
    addFormats: formats.default ?? formats,
  };
});
/** ws: the WebSocket server of Event Hubs' AMQP over WebSockets. */
export const ws = lazy(() => require('ws') as typeof WsModule);

// API Management's expression extensions and types: Jwt, BasicAuthCredentials, the comma-joining
// GetValueOrDefault of headers/query/claims, form data, and .NET's CollectionExtensions.GetValueOrDefault.
import type { ReadOnlyDictionaryView } from '../dotnet/collections.js';
import {
  BasicAuthCredentials, joinedValueOrDefault, Jwt, parseBasic, parseJwt, toFormUrlEncoded,
} from '../dotnet/apim.js';
import { DotNetException, argumentNull } from '../dotnet/exceptions.js';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Ref, TypeSpec } from './define.js';

type Strings = ReadOnlyDictionaryView<string, string[] | null>;
type RO = ReadOnlyDictionaryView<unknown, unknown>;

const need = <T>(d: T | null, param: string): T => { if (d === null) throw argumentNull(param); return d; };

export const apimTypes: TypeSpec[] = [
  {
    name: 'Jwt', namespace: 'Microsoft.Azure.ApiManagement', is: (v) => v instanceof Jwt,
    instance: {
      'Algorithm: string': (j: Jwt) => j.algorithm,
      'Audiences: IEnumerable<string>': (j: Jwt) => j.audiences,
      'Claims: IReadOnlyDictionary<string,string[]>': (j: Jwt) => j.claims,
      'Id: string': (j: Jwt) => j.id,
      'Issuer: string': (j: Jwt) => j.issuer,
      'Subject: string': (j: Jwt) => j.subject,
      'Type: string': (j: Jwt) => j.type,
      // ExpirationTime/NotBefore/IssuedAt (DateTime?) wait for the DateTime type (branch exprtext).
    },
  },
  {
    name: 'BasicAuthCredentials', namespace: 'Microsoft.Azure.ApiManagement', is: (v) => v instanceof BasicAuthCredentials,
    instance: {
      'UserId: string': (b: BasicAuthCredentials) => b.userId,
      'Password: string': (b: BasicAuthCredentials) => b.password,
    },
  },
  {
    name: 'ApiManagementExtensions', namespace: 'Microsoft.Azure.ApiManagement', static: true,
    statics: {
      'AsJwt(this string input): Jwt': (s: string | null) => parseJwt(s),
      // APIM's symmetric encryption helpers (policy expressions reference, "Encrypt"/"Decrypt").
      'Encrypt(this byte[] input, string alg, byte[] key, byte[] iv): byte[]': (input: Uint8Array | null, alg: string | null, key: Uint8Array | null, iv: Uint8Array | null) => symmetric('encrypt', input, alg, key, iv),
      'Decrypt(this byte[] input, string alg, byte[] key, byte[] iv): byte[]': (input: Uint8Array | null, alg: string | null, key: Uint8Array | null, iv: Uint8Array | null) => symmetric('decrypt', input, alg, key, iv),
      'TryParseJwt(this string input, out Jwt result): bool': (s: string | null, out: Ref<Jwt | null>) => (out.value = parseJwt(s)) !== null,
      'AsBasic(this string input): BasicAuthCredentials': (s: string | null) => parseBasic(s),
      'TryParseBasic(this string input, out BasicAuthCredentials result): bool': (s: string | null, out: Ref<BasicAuthCredentials | null>) => (out.value = parseBasic(s)) !== null,
      // Headers, query and claims: values joined with ',' (null / defaultValue when absent).
      'GetValueOrDefault(this IReadOnlyDictionary<string,string[]> dictionary, string name): string': (d: Strings | null, n: string) => joinedValueOrDefault(need(d, 'dictionary'), n, null),
      'GetValueOrDefault(this IReadOnlyDictionary<string,string[]> dictionary, string name, string defaultValue): string': (d: Strings | null, n: string, def: string | null) => joinedValueOrDefault(need(d, 'dictionary'), n, def),
      'ToFormUrlEncodedContent(this IDictionary<string,IList<string>> dictionary): string': (d: ReadOnlyDictionaryView<string, string[]> | null) => toFormUrlEncoded(d),
      'ToQueryString(this IDictionary<string,IList<string>> dictionary): string': (d: ReadOnlyDictionaryView<string, string[]> | null) => {
        const c = toFormUrlEncoded(d);
        return c === null ? null : `?${c}`;
      },
    },
  },
  {
    // System.Collections.Generic.CollectionExtensions: default(TValue) is null here for value types too
    // (type arguments of a generic method are passed, so this one could do better: see lead notes).
    name: 'CollectionExtensions', namespace: 'System.Collections.Generic', static: true,
    statics: {
      'GetValueOrDefault<TKey,TValue>(this IReadOnlyDictionary<TKey,TValue> dictionary, TKey key): TValue': (d: RO | null, k: unknown) => {
        const v = need(d, 'dictionary').lookup(k);
        return v === undefined ? null : v;
      },
      'GetValueOrDefault<TKey,TValue>(this IReadOnlyDictionary<TKey,TValue> dictionary, TKey key, TValue defaultValue): TValue': (d: RO | null, k: unknown, def: unknown) => {
        const v = need(d, 'dictionary').lookup(k);
        return v === undefined ? def : v;
      },
    },
  },
];

/** byte[].Encrypt/Decrypt: CBC with PKCS7 padding (.NET's defaults) of the named algorithm, sized by the key. */
function symmetric(op: 'encrypt' | 'decrypt', input: Uint8Array | null, alg: string | null, key: Uint8Array | null, iv: Uint8Array | null): Uint8Array {
  if (input === null) throw argumentNull('input');
  if (key === null) throw argumentNull('key');
  if (iv === null) throw argumentNull('iv');
  const name = (alg ?? '').toLowerCase();
  let cipher: string;
  if (name === 'aes' || name === 'rijndael' || name === 'aesmanaged' || name === 'rijndaelmanaged') {
    if (![16, 24, 32].includes(key.length)) throw new DotNetException('System.Security.Cryptography.CryptographicException', 'Specified key is not a valid size for this algorithm.');
    cipher = `aes-${key.length * 8}-cbc`;
  } else if (name === 'tripledes') {
    if (key.length !== 24 && key.length !== 16) throw new DotNetException('System.Security.Cryptography.CryptographicException', 'Specified key is not a valid size for this algorithm.');
    cipher = key.length === 24 ? 'des-ede3-cbc' : 'des-ede-cbc';
  } else {
    throw new DotNetException('System.ArgumentException', `Algorithm '${alg}' is not supported: use Aes, Rijndael or TripleDES. (Parameter 'alg')`);
  }
  try {
    const c = op === 'encrypt' ? createCipheriv(cipher, key, iv) : createDecipheriv(cipher, key, iv);
    return new Uint8Array(Buffer.concat([c.update(input), c.final()]));
  } catch (e) {
    throw new DotNetException('System.Security.Cryptography.CryptographicException', op === 'decrypt' ? 'Padding is invalid and cannot be removed.' : (e as Error).message);
  }
}

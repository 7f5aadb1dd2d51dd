// APIM's expression helpers: AsJwt on a real signed token (made with jose), AsBasic, GetValueOrDefault, form data.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { parseBasic, parseFormUrlEncoded, parseJwt, toFormUrlEncoded, type Jwt } from '../../../src/gateway/expressions/dotnet/apim.js';
import { Dictionary, dictionaryGet, List } from '../../../src/gateway/expressions/dotnet/collections.js';
import { Surface } from '../../../src/gateway/expressions/surface/index.js';

describe('AsJwt', () => {
  let token = '';
  before(async () => {
    const { privateKey } = await generateKeyPair('RS256');
    token = await new SignJWT({ scp: 'read write', roles: ['a', 'b'], n: 5, f: 1.5, ok: true, nothing: null, obj: { x: 1 } })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer('https://issuer.example/').setSubject('user-1').setAudience(['api://one', 'api://two'])
      .setJti('id-9').setIssuedAt(1700000000).setExpirationTime(1700003600).setNotBefore(1700000000)
      .sign(privateKey);
  });
  it('reads header and claims (C#: context.Request.Headers.GetValueOrDefault("Authorization").AsJwt())', () => {
    const j = parseJwt(`Bearer ${token}`) as Jwt;
    assert.ok(j);
    const rows: [string, unknown, unknown][] = [
      ['jwt.Algorithm', j.algorithm, 'RS256'],
      ['jwt.Type', j.type, 'JWT'],
      ['jwt.Issuer', j.issuer, 'https://issuer.example/'],
      ['jwt.Subject', j.subject, 'user-1'],
      ['jwt.Id', j.id, 'id-9'],
      ['jwt.Audiences', j.audiences, ['api://one', 'api://two']],
      ['jwt.Claims["roles"]', dictionaryGet(j.claims, 'roles'), ['a', 'b']],
      ['jwt.Claims["ROLES"] (names ignore case)', dictionaryGet(j.claims, 'ROLES'), ['a', 'b']],
      ['jwt.Claims["n"]', dictionaryGet(j.claims, 'n'), ['5']],
      ['jwt.Claims["f"]', dictionaryGet(j.claims, 'f'), ['1.5']],
      ['jwt.Claims["ok"]', dictionaryGet(j.claims, 'ok'), ['true']],
      ['jwt.Claims["nothing"]', dictionaryGet(j.claims, 'nothing'), []],
      ['jwt.Claims["obj"]', dictionaryGet(j.claims, 'obj'), ['{"x":1}']],
      ['jwt.Claims["missing"]', dictionaryGet(j.claims, 'missing'), []],
      ['jwt.Claims.GetValueOrDefault("roles", "")', call('GetValueOrDefault', j.claims, 'roles', ''), 'a,b'],
      ['jwt.Claims.GetValueOrDefault("missing", "d")', call('GetValueOrDefault', j.claims, 'missing', 'd'), 'd'],
      ['exp seconds', j.expirationSeconds, 1700003600n],
    ];
    for (const [cs, got, want] of rows) assert.deepEqual(got, want, cs);
  });
  it('null for what is not a JWT', () => {
    for (const s of [null, '', 'abc', 'a.b', 'e30', `${Buffer.from('[1]').toString('base64url')}.${Buffer.from('{}').toString('base64url')}`]) {
      assert.equal(parseJwt(s), null, String(s));
    }
  });
  it('TryParseJwt writes its out box', () => {
    const box = { value: null as unknown };
    assert.equal(call('TryParseJwt', token, box), true);
    assert.ok(box.value);
    assert.equal(call('TryParseJwt', 'nope', box), false);
    assert.equal(box.value, null);
  });
});

describe('AsBasic', () => {
  const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
  const rows: { cs: string; header: string | null; want: [string, string] | null }[] = [
    { cs: '"Basic dXNlcjpwYXNz".AsBasic()', header: `Basic ${b64('user:pass')}`, want: ['user', 'pass'] },
    { cs: 'password with colons', header: `Basic ${b64('user:pa:ss')}`, want: ['user', 'pa:ss'] },
    { cs: 'ISO-8859-1 decoding', header: `Basic ${b64('usér:p')}`, want: ['usér', 'p'] },
    { cs: 'empty user id', header: `Basic ${b64(':p')}`, want: null },
    { cs: 'another scheme', header: `Bearer ${b64('u:p')}`, want: null },
    { cs: 'not base64', header: 'Basic !!!', want: null },
    { cs: 'null', header: null, want: null },
  ];
  for (const r of rows) {
    it(r.cs, () => {
      const c = parseBasic(r.header);
      assert.deepEqual(c && [c.userId, c.password], r.want);
    });
  }
});

describe('headers GetValueOrDefault and form data', () => {
  it('joins values with commas', () => {
    const h = new Dictionary<string, string[]>();
    h.add('Accept', ['a/b', 'c/d']);
    assert.equal(call('GetValueOrDefault', h, 'Accept', 'x'), 'a/b,c/d');
    assert.equal(call('GetValueOrDefault', h, 'Nope', 'x'), 'x');
    assert.equal(call('GetValueOrDefault', h, 'Nope'), null);
  });
  it('form data round trip', () => {
    const d = parseFormUrlEncoded('a=1&b=x%20y&a=2&c=&d+e=%26');
    assert.deepEqual([...d].map((p) => [p.key, [...p.value]]), [['a', ['1', '2']], ['b', ['x y']], ['c', ['']], ['d e', ['&']]]);
    assert.equal(toFormUrlEncoded(d), 'a=1&a=2&b=x%20y&c=&d%20e=%26');
    assert.equal(toFormUrlEncoded(new Dictionary<string, List<string>>()), null);
  });
});

function call(name: string, ...args: unknown[]): unknown {
  const m = Surface.of().extensionMethods(name).find((x) => x.params.length === args.length && x.typeParams.length === 0);
  assert.ok(m, `${name}/${args.length}`);
  return (m.impl as (...a: unknown[]) => unknown)(...args);
}

// Schema checks of the authentication policies (#14) at PUT: authentication-basic,
// authentication-certificate, validate-client-certificate and validate-jwt's certificate-id keys, each
// against its Microsoft Learn reference page (attributes, required ones, sections); and the
// distinguished-name comparison validate-client-certificate uses for subject and issuer-subject.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayPlane } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/common/log.js';
import { normalizeDn } from '../../src/gateway/policies/client-certificate.js';

const gw = new GatewayPlane({ host: '127.0.0.1', certPem: '', keyPem: '', logger: silentLogger });

function refused(xml: string): string[] {
  try {
    gw.validatePolicy(xml, 'api');
  } catch (e: any) {
    assert.equal(e.status, 400);
    const env = e.toEnvelope();
    assert.equal(env.error.code, 'ValidationError');
    return (env.error.details as { message: string }[]).map((d) => d.message);
  }
  assert.fail(`accepted: ${xml}`);
}
const accepted = (xml: string) => { gw.validatePolicy(xml, 'api'); };
const inbound = (p: string) => `<policies>\n  <inbound>\n    ${p}\n  </inbound>\n</policies>`;
const outbound = (p: string) => `<policies>\n  <outbound>\n    ${p}\n  </outbound>\n</policies>`;

test('authentication-basic (Learn: "Authenticate with Basic"): username and password required, inbound only, expressions allowed', () => {
  accepted(inbound('<authentication-basic username="u" password="p" />'));
  accepted(inbound('<authentication-basic username="@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;&quot;))" password="{{pw}}" />'));
  assert.deepEqual(refused(inbound('<authentication-basic username="u" />')), ["Error in element 'authentication-basic' on line 3, column 5: The required attribute 'password' is missing."]);
  assert.deepEqual(refused(inbound('<authentication-basic password="p" />')), ["Error in element 'authentication-basic' on line 3, column 5: The required attribute 'username' is missing."]);
  assert.deepEqual(refused(inbound('<authentication-basic username="u" password="p" realm="r" />')), ["Error in element 'authentication-basic' on line 3, column 5: The 'realm' attribute is not declared."]);
  assert.deepEqual(refused(outbound('<authentication-basic username="u" password="p" />')), ["Error in element 'authentication-basic' on line 3, column 5: Policy is not allowed in the 'outbound' section. Allowed sections: inbound."]);
});

test('authentication-certificate (Learn: "Authenticate with client certificate"): one of thumbprint, certificate-id, body; password only with body; inbound only', () => {
  accepted(inbound('<authentication-certificate thumbprint="CA06F56B258B7A0D4F2B05470939478651151984" />'));
  accepted(inbound('<authentication-certificate certificate-id="544fe9ddf3b8f30fb490d90f" />'));
  accepted(inbound('<authentication-certificate body="@(context.Variables.GetValueOrDefault&lt;byte[]&gt;(&quot;byteCertificate&quot;))" password="optional-certificate-password" />'));
  const one = "Error in element 'authentication-certificate' on line 3, column 5: Exactly one of the 'thumbprint', 'certificate-id' and 'body' attributes must be given.";
  assert.deepEqual(refused(inbound('<authentication-certificate />')), [one]);
  assert.deepEqual(refused(inbound('<authentication-certificate thumbprint="AB" certificate-id="c" />')), [one]);
  assert.deepEqual(refused(inbound('<authentication-certificate certificate-id="c" password="p" />')), ["Error in element 'authentication-certificate' on line 3, column 5: 'password' is allowed only with 'body'."]);
  assert.deepEqual(refused(inbound('<authentication-certificate certificate-id="c" store="My" />')), ["Error in element 'authentication-certificate' on line 3, column 5: The 'store' attribute is not declared."]);
  assert.deepEqual(refused(outbound('<authentication-certificate certificate-id="c" />')), ["Error in element 'authentication-certificate' on line 3, column 5: Policy is not allowed in the 'outbound' section. Allowed sections: inbound."]);
});

test('validate-client-certificate (Learn: "Validate client certificate"): boolean attributes without expressions, up to 10 identities, issuer-certificate-id exclusive', () => {
  // The reference page's example, with the quotes of O="Contoso, Inc." escaped as XML requires.
  accepted(inbound(`<validate-client-certificate validate-revocation="true" validate-trust="true" validate-not-before="true" validate-not-after="true" ignore-error="false">
      <identities>
        <identity subject="C=US, ST=Illinois, L=Chicago, O=&quot;Contoso, Inc.&quot;, CN=*.contoso.com" issuer-subject="C=BE, O=FabrikamSign nv-sa, OU=Root CA, CN=FabrikamSign Root CA" />
      </identities>
    </validate-client-certificate>`));
  accepted(inbound('<validate-client-certificate />'));
  const at = "Error in element 'validate-client-certificate' on line 3, column 5: ";
  assert.deepEqual(refused(inbound('<validate-client-certificate validate-trust="yes" />')), [`${at}The 'validate-trust' attribute has an invalid value 'yes': 'true' or 'false' is expected.`]);
  assert.match(refused(inbound('<validate-client-certificate ignore-error="@(true)" />'))[0], /Policy expressions are not allowed in the 'ignore-error' attribute|invalid value/);
  assert.deepEqual(refused(inbound('<validate-client-certificate validate-chain="true" />')), [`${at}The 'validate-chain' attribute is not declared.`]);
  assert.deepEqual(refused(outbound('<validate-client-certificate />')), [`${at}Policy is not allowed in the 'outbound' section. Allowed sections: inbound.`]);
  const ids = (n: number) => `<validate-client-certificate><identities>${'<identity thumbprint="AB" />'.repeat(n)}</identities></validate-client-certificate>`;
  accepted(inbound(ids(10)));
  assert.match(refused(inbound(ids(11)))[0], /identity/);
  assert.match(refused(inbound('<validate-client-certificate><identities><identity issuer-certificate-id="ca" issuer-thumbprint="AB" /></identities></validate-client-certificate>'))[0],
    /'issuer-certificate-id' cannot be combined with 'issuer-subject' or 'issuer-thumbprint'\./);
  assert.match(refused(inbound('<validate-client-certificate><identities><identity /></identities></validate-client-certificate>'))[0], /An identity must define at least one claim\./);
  assert.match(refused(inbound('<validate-client-certificate><identities><identity colour="red" /></identities></validate-client-certificate>'))[0], /The 'colour' attribute is not declared\./);
});

test('validate-jwt issuer-signing-keys: a key by certificate-id is accepted, alone', () => {
  accepted(inbound('<validate-jwt header-name="Authorization"><issuer-signing-keys><key certificate-id="signer" /></issuer-signing-keys></validate-jwt>'));
  assert.match(refused(inbound('<validate-jwt header-name="Authorization"><issuer-signing-keys><key certificate-id="signer" n="AQAB" e="AQAB" /></issuer-signing-keys></validate-jwt>'))[0],
    /A key with 'certificate-id' takes its public key from that certificate/);
  assert.match(refused(inbound('<validate-jwt header-name="Authorization"><issuer-signing-keys><key n="AQAB" /></issuer-signing-keys></validate-jwt>'))[0], /An RSA key needs both 'n' and 'e'\./);
});

test('distinguished names compare by parts, in any order, types ignoring case, quoted commas kept', () => {
  assert.deepEqual(normalizeDn('C=US, ST=Illinois, O="Contoso, Inc.", CN=*.contoso.com', ','), ['C=US', 'CN=*.contoso.com', 'O=Contoso, Inc.', 'ST=Illinois']);
  assert.deepEqual(normalizeDn('CN=*.contoso.com\nO=Contoso\\, Inc.\nST=Illinois\nC=US', '\n'), ['C=US', 'CN=*.contoso.com', 'O=Contoso, Inc.', 'ST=Illinois']);
  assert.deepEqual(normalizeDn('CN=a\\, b, O=x', ','), ['CN=a, b', 'O=x']);
  assert.deepEqual(normalizeDn('cn=a, s=IL, e=x@y', ','), ['CN=a', 'EMAILADDRESS=x@y', 'ST=IL']);
});

import { expect } from 'chai';
import { decideEndpoint, normalizeEndpoint } from '../../../src/controller/endpoint-policy.js';

const policy = {
  defaultEndpoint: 'https://ucs.myhuaweicloud.com',
  allowedEndpoints: [
    'https://ucs.myhuaweicloud.com',
    'https://ucs-intl.myhuaweicloud.com',
    'http://127.0.0.1:8080',
  ],
};

describe('endpoint policy', () => {
  const cases: [string, string | undefined, boolean, string][] = [
    [
      'default endpoint, default credentials',
      undefined,
      false,
      'ok https://ucs.myhuaweicloud.com default',
    ],
    ['default endpoint, own credentials', undefined, true, 'ok https://ucs.myhuaweicloud.com own'],
    [
      'allowed endpoint with own credentials',
      'https://ucs-intl.myhuaweicloud.com/',
      true,
      'ok https://ucs-intl.myhuaweicloud.com own',
    ],
    [
      'allowed endpoint, default credentials refused',
      'https://ucs-intl.myhuaweicloud.com',
      false,
      'error must name its own spec.credentialsRef',
    ],
    ['endpoint not allowed', 'https://evil.example.com', true, 'error is not in the operator'],
    ['http on loopback, allowed', 'http://127.0.0.1:8080', true, 'ok http://127.0.0.1:8080 own'],
    [
      'http elsewhere',
      'http://ucs.myhuaweicloud.com',
      true,
      'error uses http on a non-loopback host',
    ],
    ['a path', 'https://ucs.myhuaweicloud.com/v1', true, 'error scheme://host[:port] only'],
    ['userinfo', 'https://u:p@ucs.myhuaweicloud.com', true, 'error scheme://host[:port] only'],
    ['not a URL', 'ucs.myhuaweicloud.com', true, 'error is not an absolute URL'],
    [
      'case is normalised',
      'HTTPS://UCS.MYHUAWEICLOUD.COM',
      false,
      'ok https://ucs.myhuaweicloud.com default',
    ],
  ];
  for (const [name, requested, hasRef, expected] of cases) {
    it(name, () => {
      const d = decideEndpoint(policy, requested, hasRef);
      const got = d.ok
        ? `ok ${d.endpoint} ${d.usesDefaultCredentials ? 'default' : 'own'}`
        : `error ${d.message}`;
      if (expected.startsWith('ok')) expect(got).to.equal(expected);
      else
        expect(got)
          .to.include(expected.slice('error '.length))
          .and.match(/^error /);
    });
  }

  it('normalises loopback forms', () => {
    for (const url of ['http://localhost:1', 'http://127.1.2.3:1', 'http://[::1]:1']) {
      expect(normalizeEndpoint(url).ok, url).to.equal(true);
    }
  });
});

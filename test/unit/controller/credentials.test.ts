import { expect } from 'chai';
import { decodeSecretData, parseCredentials } from '../../../src/controller/credentials.js';

describe('credentials from a Secret', () => {
  it('reads a token', () => {
    expect(parseCredentials({ token: ' t0k ' })).to.deep.equal({
      ok: true,
      credentials: { kind: 'token', token: 't0k' },
    });
  });

  it('reads AK/SK with optional security token and domain id', () => {
    expect(parseCredentials({ accessKey: 'AK', secretKey: 'SK' })).to.deep.equal({
      ok: true,
      credentials: { kind: 'aksk', accessKey: 'AK', secretKey: 'SK' },
    });
    expect(
      parseCredentials({ accessKey: 'AK', secretKey: 'SK', securityToken: 'ST', domainID: 'D' }),
    ).to.deep.equal({
      ok: true,
      credentials: {
        kind: 'aksk',
        accessKey: 'AK',
        secretKey: 'SK',
        securityToken: 'ST',
        domainID: 'D',
      },
    });
  });

  it('reads an IAM user', () => {
    expect(
      parseCredentials({
        username: 'u',
        password: 'p',
        domainName: 'acct',
        iamEndpoint: 'https://iam.example',
      }),
    ).to.deep.equal({
      ok: true,
      credentials: {
        kind: 'password',
        username: 'u',
        password: 'p',
        domainName: 'acct',
        iamEndpoint: 'https://iam.example',
      },
    });
  });

  it('reads a workload identity provider (idpId), with optional domain id and IAM endpoint', () => {
    expect(parseCredentials({ idpId: ' k8s-prod ' })).to.deep.equal({
      ok: true,
      credentials: { kind: 'federated', idpId: 'k8s-prod' },
    });
    expect(
      parseCredentials({ idpId: 'k8s-prod', domainID: 'D1', iamEndpoint: 'https://iam.example' }),
    ).to.deep.equal({
      ok: true,
      credentials: {
        kind: 'federated',
        idpId: 'k8s-prod',
        domainID: 'D1',
        iamEndpoint: 'https://iam.example',
      },
    });
  });

  const refused: [string, Record<string, string>, string][] = [
    ['empty', {}, 'holds no credentials'],
    ['unknown keys only', { tokn: 'x' }, 'found keys: tokn'],
    [
      'two sets',
      { token: 't', accessKey: 'a', secretKey: 's' },
      'mixes token and accessKey/secretKey',
    ],
    ['AK without SK', { accessKey: 'a' }, 'lacks secretKey'],
    ['IAM without domain', { username: 'u', password: 'p' }, 'lacks domainName'],
    [
      'an identity provider with an access key',
      { idpId: 'k8s', accessKey: 'a', secretKey: 's' },
      'mixes accessKey/secretKey and idpId',
    ],
    // The token file is the operator's flag: a Secret may not point it at another file.
    ['an ID token file in the Secret', { idTokenFile: '/etc/passwd' }, 'found keys: idTokenFile'],
  ];
  for (const [name, data, message] of refused) {
    it(`refuses ${name}, naming keys and never values`, () => {
      const result = parseCredentials(data);
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.message).to.include(message);
      for (const value of Object.values(data)) {
        if (value.length > 1) expect(result.message).not.to.include(`${value} `);
      }
    });
  }

  it('decodes data and stringData', () => {
    expect(
      decodeSecretData({
        data: { token: Buffer.from('abc').toString('base64') },
        stringData: { x: 'y' },
      }),
    ).to.deep.equal({
      token: 'abc',
      x: 'y',
    });
  });
});

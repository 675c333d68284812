import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import type { ICredential } from '@huaweicloud/huaweicloud-sdk-core/auth/ICredential.js';
import {
  SDK_SIGNING_ALGORITHM,
  canonicalRequest,
  computeSignature,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  signRequest,
  stringToSign,
  type SignableRequest,
} from '../../../src/ucs/auth/sdk-signer.js';

/** The vendor SDK's signer, the oracle: it returns every header it signed plus Authorization. */
function vendorAuthorization(
  request: {
    method: string;
    endpoint: string;
    queryParams: Record<string, string | string[]>;
    headers: Record<string, string>;
    data?: unknown;
  },
  accessKey: string,
  secretKey: string,
): string {
  const credential: ICredential = {
    getAk: () => accessKey,
    getSk: () => secretKey,
    processAuthRequest: () => Promise.reject(new Error('unused')),
    processAuthParams: () => Promise.reject(new Error('unused')),
  };
  const signed = AKSKSigner.sign(request, credential) as Record<string, string>;
  const authorization = signed.Authorization;
  if (authorization === undefined) throw new Error('vendor returned no Authorization');
  return authorization;
}

/** The vendor's own CanonicalURI (protected static; reached by name on purpose). */
function vendorCanonicalUri(path: string): string {
  const fn = (AKSKSigner as unknown as Record<string, (p: string) => string>).CanonicalURI;
  if (fn === undefined) throw new Error('AKSKSigner.CanonicalURI is gone');
  return fn.call(AKSKSigner, path);
}

// Characters that survive the vendor's url.parse() of its endpoint untouched (it auto-escapes
// space, quotes, braces, backslash... and would then double-encode the '%'), so that the full
// signing comparison feeds it the very path it would send. Other characters are compared via
// its CanonicalURI directly below.
const PLAIN_PATH_CHAR = fc.constantFrom(
  ...chars('abcxyzABCXYZ0189-._~!$&()*+,;=:@[]'),
  'é',
  'ß',
  'Ω',
  '中',
  '文',
  'ж',
  '🚀',
  '😀',
);
const ANY_PATH_CHAR = fc.oneof(
  PLAIN_PATH_CHAR,
  fc.constantFrom(...chars(' "\'<>\\^`{|}%?#\t')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);

type Segment = string;
const segments = (char: fc.Arbitrary<string>): fc.Arbitrary<Segment[]> =>
  fc.array(fc.string({ unit: char, minLength: 0, maxLength: 8 }), { minLength: 1, maxLength: 5 });

/** Different, equally valid wire spellings of one path segment. */
const wireEncoders: ((s: string) => string)[] = [
  encodeURIComponent,
  // Everything escaped, upper-case hex.
  (s) =>
    [...Buffer.from(s, 'utf8')]
      .map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'))
      .join(''),
  // Lower-case hex.
  (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  // Sub-delims left raw, as browsers and axios do.
  (s) =>
    encodeURIComponent(s).replace(/%(21|24|26|27|28|29|2A|2B|2C|3B|3D|3A|40)/g, (_m, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    ),
];

const QUERY_CHAR = fc.oneof(
  fc.constantFrom(...chars('aZ09-._~ !*\'()&=+%/?#[]@$,;:"<>')),
  fc.constantFrom('é', '中', '🚀'),
);
const queryParams = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('limit', 'marker', 'kind', 'a'), fc.string({ unit: QUERY_CHAR })),
    fc.string({ unit: QUERY_CHAR, maxLength: 6 }),
  ),
  { maxLength: 6 },
);

const HEADER_NAME = fc
  .string({ unit: fc.constantFrom(...chars('abcdefxyzABXZ0123-')), minLength: 1, maxLength: 10 })
  .filter((n) => /^[a-zA-Z]/.test(n))
  .map((n) => 'x-' + n)
  .filter(
    (n) =>
      !['x-sdk-date', 'x-domain-id', 'x-security-token', 'x-sdk-content-sha256'].includes(
        n.toLowerCase(),
      ),
  );
const HEADER_VALUE = fc
  .string({ unit: fc.constantFrom(...chars('abcXYZ019 -_.,;:=/+*"()[]{}')), maxLength: 20 })
  .map((v) => v.trim());
const extraHeaders = fc.uniqueArray(fc.tuple(HEADER_NAME, HEADER_VALUE), {
  maxLength: 5,
  selector: ([name]) => name.toLowerCase(),
});

const signingInput = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  host: fc.constantFrom('ucs.myhuaweicloud.com', 'ucs-intl.myhuaweicloud.com', '127.0.0.1:8443'),
  path: segments(PLAIN_PATH_CHAR),
  encoders: fc.array(fc.nat(wireEncoders.length - 1), { minLength: 5, maxLength: 5 }),
  query: queryParams,
  plusForSpace: fc.boolean(),
  contentType: fc.option(fc.constantFrom('application/json', 'application/json;charset=UTF-8')),
  domainID: fc.option(
    fc.string({ unit: fc.constantFrom(...chars('0123456789abcdef')), minLength: 1, maxLength: 32 }),
  ),
  securityToken: fc.option(
    fc.string({ unit: fc.constantFrom(...chars('abcXYZ019+/=')), minLength: 1 }),
  ),
  body: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }))),
  extra: extraHeaders,
  date: fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
  accessKey: fc.string({
    unit: fc.constantFrom(...chars('ABCXYZ0189')),
    minLength: 1,
    maxLength: 20,
  }),
  secretKey: fc.string({ minLength: 1, maxLength: 40 }),
});
type SigningInput = typeof signingInput extends fc.Arbitrary<infer T> ? T : never;

function wirePath(input: SigningInput): string {
  return input.path
    .map((segment, i) => {
      const encode =
        wireEncoders[input.encoders[i % input.encoders.length] ?? 0] ?? encodeURIComponent;
      return encode(segment);
    })
    .join('/');
}

function wireQuery(input: SigningInput): string {
  const encode = (s: string): string => {
    const e = encodeURIComponent(s);
    return input.plusForSpace ? e.replace(/%20/g, '+') : e;
  };
  return input.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

function vendorQuery(input: SigningInput): Record<string, string | string[]> {
  const grouped: Record<string, string | string[]> = Object.create(null) as Record<
    string,
    string | string[]
  >;
  for (const [k, v] of input.query) {
    const prev = grouped[k];
    grouped[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return grouped;
}

function requestOf(input: SigningInput, withExtra: boolean): SignableRequest {
  const query = wireQuery(input);
  const headers: SignableRequest['headers'] = { Host: input.host };
  if (input.contentType !== null) headers['Content-Type'] = input.contentType;
  if (withExtra) for (const [name, value] of input.extra) headers[name] = value;
  return {
    method: input.method,
    url: '/' + wirePath(input) + (query === '' ? '' : `?${query}`),
    headers,
    body: input.body === null ? '' : JSON.stringify(input.body),
  };
}

function vendorRequest(
  input: SigningInput,
  extraHeaders: [string, string][],
): Parameters<typeof vendorAuthorization>[0] {
  const headers: Record<string, string> = {
    host: input.host,
    'X-Sdk-Date': formatSdkDate(input.date),
  };
  if (input.contentType !== null) headers['content-type'] = input.contentType;
  if (input.domainID !== null) headers['X-Domain-Id'] = input.domainID;
  if (input.securityToken !== null) headers['X-Security-Token'] = input.securityToken;
  for (const [name, value] of extraHeaders) headers[name] = value;
  const request: Parameters<typeof vendorAuthorization>[0] = {
    method: input.method,
    endpoint: `https://${input.host}/${input.path.join('/')}`,
    queryParams: vendorQuery(input),
    headers,
  };
  if (input.body !== null) request.data = input.body;
  return request;
}

const RUNS = 3000;

describe('ucs AK/SK signer', () => {
  it('reproduces the signing guide example (canonical request hash and StringToSign)', () => {
    const req: SignableRequest = {
      method: 'GET',
      url: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?marker=13551d6b-755d-4757-b956-536f674975c0&limit=2',
      headers: {
        'Content-Type': 'application/json',
        Host: 'service.region.example.com',
        'X-Sdk-Date': '20191115T033655Z',
      },
      body: '',
    };
    const canonical = canonicalRequest(req, ['content-type', 'host', 'x-sdk-date']);
    expect(canonical).to.equal(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
        'content-type;host;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(stringToSign(canonical, '20191115T033655Z')).to.equal(
      'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );
    // The published header parses into its parts (its SK is not published, so no signature).
    expect(
      parseAuthorization(
        'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
      ),
    ).to.deep.equal({
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      signature: '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    });
  });

  it('formats and parses X-Sdk-Date', () => {
    expect(SDK_SIGNING_ALGORITHM).to.equal('SDK-HMAC-SHA256');
    expect(formatSdkDate(new Date('2019-11-15T03:36:55.987Z'))).to.equal('20191115T033655Z');
    expect(parseSdkDate('20191115T033655Z')?.toISOString()).to.equal('2019-11-15T03:36:55.000Z');
    for (const bad of ['20191115T033655', '2019-11-15T03:36:55Z', '20191340T033655Z', '', 'x']) {
      expect(parseSdkDate(bad), bad).to.equal(undefined);
    }
    fc.assert(
      fc.property(
        fc.date({ min: new Date(0), max: new Date('9999-12-31'), noInvalidDate: true }),
        (d) => {
          const parsed = parseSdkDate(formatSdkDate(d));
          return parsed?.getTime() === Math.floor(d.getTime() / 1000) * 1000;
        },
      ),
    );
  });

  it('canonicalises headers: lower-case names, trimmed values, sorted; missing ones empty', () => {
    const canonical = canonicalRequest(
      {
        method: 'get',
        url: '/a',
        headers: { 'X-B': '  two  ', 'x-a': ['1', ' 2 '], Host: 'h' },
        body: Buffer.from('{}'),
      },
      ['X-B', 'host', 'x-a', 'x-missing'],
    );
    const lines = canonical.split('\n');
    expect(lines.slice(0, 3)).to.deep.equal(['GET', '/a/', '']);
    expect(lines.slice(3, 7)).to.deep.equal(['host:h', 'x-a:1,2', 'x-b:two', 'x-missing:']);
    expect(lines[8]).to.equal('host;x-a;x-b;x-missing');
    expect(lines[9]).to.equal(createHash('sha256').update('{}').digest('hex'));
  });

  it('canonicalises paths and queries independently of their wire spelling', () => {
    const sign = (url: string): string =>
      canonicalRequest({ method: 'GET', url, headers: {}, body: '' }, []);
    expect(sign('/v1/a%20b/%E4%B8%AD')).to.equal(sign('/v1/a b/中'));
    expect(sign('/v1/%7e%41')).to.equal(sign('/v1/~A'));
    expect(sign('/v1/x/')).to.equal(sign('/v1/x'));
    expect(sign('/v1/x?b=2&a=1&a=0')).to.equal(sign('/v1/x?a=0&b=2&a=1'));
    expect(sign('/v1/x?q=a+b')).to.equal(sign('/v1/x?q=a%20b'));
    expect(sign('/v1/x?q=a+b')).not.to.equal(sign('/v1/x?q=a%2Bb'));
    expect(sign('/v1/x?flag')).to.equal(sign('/v1/x?flag='));
    // Malformed escapes stay literal instead of throwing.
    expect(sign('/v1/100%/%zz')).to.equal(sign('/v1/100%25/%25zz'));
    expect(
      canonicalRequest({ method: 'GET', url: '/v1/a%2Fb', headers: {}, body: '' }, []),
    ).to.include('\n/v1/a/b/\n');
  });

  it('parses Authorization headers strictly', () => {
    const sig = 'a'.repeat(64);
    expect(
      parseAuthorization(
        `SDK-HMAC-SHA256 Signature=${sig}, Access=AK, SignedHeaders=Host;x-sdk-date`,
      ),
    ).to.deep.equal({
      accessKey: 'AK',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: sig,
    });
    for (const bad of [
      '',
      `AWS4-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host`,
      `SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=${sig}`,
      `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=xyz`,
      `SDK-HMAC-SHA256 Access=AK SignedHeaders=host Signature=${sig}`,
    ]) {
      expect(parseAuthorization(bad), bad).to.equal(undefined);
    }
  });

  it('signs host, content-type, x-sdk-date and the credential headers; verifiable from the wire', () => {
    const now = new Date('2025-11-10T07:24:03Z');
    const req: SignableRequest = {
      method: 'GET',
      url: '/v1/policy/jobs/abc',
      headers: { Host: 'ucs.myhuaweicloud.com', 'User-Agent': 'x', 'X-Sdk-Date': 'stale' },
      body: '',
    };
    const added = signRequest(
      req,
      { accessKey: 'AK', secretKey: 'SK', securityToken: 'TOKEN', domainID: 'DOMAIN' },
      now,
    );
    expect(added['X-Sdk-Date']).to.equal('20251110T072403Z');
    expect(added['X-Security-Token']).to.equal('TOKEN');
    expect(added['X-Domain-Id']).to.equal('DOMAIN');
    const auth = parseAuthorization(added.Authorization ?? '');
    expect(auth?.signedHeaders).to.deep.equal([
      'host',
      'x-domain-id',
      'x-sdk-date',
      'x-security-token',
    ]);
    // What a server does: recompute from the received request.
    const received: SignableRequest = {
      ...req,
      headers: { host: 'ucs.myhuaweicloud.com', 'user-agent': 'x', ...lowerKeys(added) },
    };
    const expected = computeSignature(
      'SK',
      stringToSign(canonicalRequest(received, auth?.signedHeaders ?? []), '20251110T072403Z'),
    );
    expect(auth?.signature).to.equal(expected);
    expect(
      computeSignature(
        'other',
        stringToSign(canonicalRequest(received, auth?.signedHeaders ?? []), '20251110T072403Z'),
      ),
    ).not.to.equal(expected);
  });

  it(`agrees with the vendor SDK's AKSKSigner on signRequest over ${RUNS} generated requests`, () => {
    let agreed = 0;
    fc.assert(
      fc.property(signingInput, (input) => {
        const mine = signRequest(
          requestOf(input, true),
          {
            accessKey: input.accessKey,
            secretKey: input.secretKey,
            ...(input.securityToken === null ? {} : { securityToken: input.securityToken }),
            ...(input.domainID === null ? {} : { domainID: input.domainID }),
          },
          input.date,
        );
        const theirs = vendorAuthorization(
          vendorRequest(input, []),
          input.accessKey,
          input.secretKey,
        );
        expect(mine.Authorization).to.equal(theirs);
        agreed++;
      }),
      { numRuns: RUNS },
    );
    expect(agreed).to.equal(RUNS);
    signerAgreement.signRequest = agreed;
  });

  it(`agrees with the vendor SDK when every header is signed, over ${RUNS} generated requests`, () => {
    let agreed = 0;
    fc.assert(
      fc.property(signingInput, (input) => {
        const sdkDate = formatSdkDate(input.date);
        const req = requestOf(input, true);
        req.headers['X-Sdk-Date'] = sdkDate;
        if (input.domainID !== null) req.headers['X-Domain-Id'] = input.domainID;
        if (input.securityToken !== null) req.headers['X-Security-Token'] = input.securityToken;
        const names = Object.keys(req.headers);
        const canonical = canonicalRequest(req, names);
        const signature = computeSignature(input.secretKey, stringToSign(canonical, sdkDate));
        const signedList = names
          .map((n) => n.toLowerCase())
          .sort()
          .join(';');
        const mine = `${SDK_SIGNING_ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedList}, Signature=${signature}`;
        const theirs = vendorAuthorization(
          vendorRequest(input, input.extra),
          input.accessKey,
          input.secretKey,
        );
        expect(mine).to.equal(theirs);
        agreed++;
      }),
      { numRuns: RUNS },
    );
    expect(agreed).to.equal(RUNS);
    signerAgreement.allHeaders = agreed;
  });

  it(`agrees with the vendor's CanonicalURI for any characters, over ${RUNS} generated paths`, () => {
    let agreed = 0;
    fc.assert(
      fc.property(
        segments(ANY_PATH_CHAR).filter((s) => s.every((seg) => !seg.includes('/'))),
        fc.nat(wireEncoders.length - 1),
        (path, encoder) => {
          const encode = wireEncoders[encoder] ?? encodeURIComponent;
          const wire = '/' + path.map(encode).join('/');
          const line = canonicalRequest(
            { method: 'GET', url: wire, headers: {}, body: '' },
            [],
          ).split('\n')[1];
          expect(line).to.equal(vendorCanonicalUri('/' + path.join('/')));
          agreed++;
        },
      ),
      { numRuns: RUNS },
    );
    expect(agreed).to.equal(RUNS);
    signerAgreement.canonicalUri = agreed;
  });

  after(() => {
    const total =
      signerAgreement.signRequest + signerAgreement.allHeaders + signerAgreement.canonicalUri;
    console.log(
      `      signer vs vendor AKSKSigner: ${total} generated cases agreed ` +
        `(signRequest ${signerAgreement.signRequest}, all headers signed ${signerAgreement.allHeaders}, ` +
        `CanonicalURI ${signerAgreement.canonicalUri})`,
    );
  });
});

function chars(text: string): string[] {
  return Array.from(text);
}

const signerAgreement = { signRequest: 0, allHeaders: 0, canonicalUri: 0 };

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

import { expect } from 'chai';
import fc from 'fast-check';
import { errorBodyDetails, htmlText, MAX_ERROR_TEXT } from '../../../src/ucs/error-body.js';
import { errorFromAnswer, parseRetryAfter, reasonForStatus } from '../../../src/ucs/errors.js';
import { redact } from '../../../src/ucs/redact.js';
import { normalizeTimestamp } from '../../../src/ucs/index.js';

describe('ucs error classification (pure parts)', () => {
  it('maps statuses to reasons', () => {
    const table: [number, string][] = [
      [400, 'InvalidRequest'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [404, 'JobNotFound'],
      [405, 'InvalidRequest'],
      [408, 'Unavailable'],
      [409, 'InvalidRequest'],
      [429, 'Throttled'],
      [500, 'Unavailable'],
      [502, 'Unavailable'],
      [503, 'Unavailable'],
      [504, 'Unavailable'],
      [301, 'InvalidResponse'],
    ];
    for (const [status, reason] of table)
      expect(reasonForStatus(status), String(status)).to.equal(reason);
  });

  it('parses Retry-After as seconds or an HTTP-date', () => {
    const now = Date.UTC(2030, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('0', now)).to.equal(0);
    expect(parseRetryAfter(' 120 ', now)).to.equal(120);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', now)).to.equal(60);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:00.500 GMT', now)).to.equal(1);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).to.equal(0);
    for (const bad of [undefined, '', '-5', '1.5', 'soon', '12 s']) {
      expect(parseRetryAfter(bad, now), String(bad)).to.equal(undefined);
    }
  });

  it('reads the documented and the observed error body shapes', () => {
    expect(
      errorBodyDetails('{"error_code":"UCS.00000006","error_msg":"Server internal error."}'),
    ).to.deep.equal({
      code: 'UCS.00000006',
      message: 'Server internal error.',
    });
    expect(errorBodyDetails('{"error":{"code":"UCS.1","message":"m"}}')).to.deep.equal({
      code: 'UCS.1',
      message: 'm',
    });
    expect(errorBodyDetails('{"code":"X","message":"y","request_id":"r"}')).to.deep.equal({
      code: 'X',
      message: 'y',
      requestID: 'r',
    });
    expect(errorBodyDetails('{"error":"just text"}')).to.deep.equal({ message: 'just text' });
    expect(errorBodyDetails('{"other":1}')).to.deep.equal({ message: '{"other":1}' });
    expect(errorBodyDetails('plain\n text ')).to.deep.equal({ message: 'plain text' });
    expect(errorBodyDetails('')).to.deep.equal({});
    expect(errorBodyDetails('[1,2]')).to.deep.equal({ message: '[1,2]' });
  });

  it('strips HTML and truncates long text', () => {
    expect(
      htmlText(
        '<html><head><title>T</title></head><body><!-- c --><h1>Bad&nbsp;Gateway</h1><p>a &lt;b&gt; &#65;&#x42;</p></body></html>',
      ),
    ).to.equal('Bad Gateway a <b> AB');
    const long = errorBodyDetails('é'.repeat(1000)).message ?? '';
    expect(long.length).to.equal(MAX_ERROR_TEXT);
    expect(long.endsWith('…')).to.be.true;
    const emoji = errorBodyDetails('🚀'.repeat(400)).message ?? '';
    expect(emoji).not.to.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('builds messages from status, code and text', () => {
    const error = errorFromAnswer(
      {
        status: 404,
        headers: { 'x-request-id': 'abc' },
        body: '{"error_code":"UCS.00000013","error_msg":"No requested resources found."}',
      },
      'UCS',
    );
    expect(error).to.deep.equal({
      reason: 'JobNotFound',
      message: 'UCS answered HTTP 404 UCS.00000013: No requested resources found.',
      retryable: false,
      httpStatus: 404,
      code: 'UCS.00000013',
      requestID: 'abc',
    });
  });

  it('drops a code that only repeats the status (Keystone-style bodies)', () => {
    const error = errorFromAnswer(
      {
        status: 401,
        headers: {},
        body: '{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}',
      },
      'IAM',
    );
    expect(error.code).to.equal(undefined);
    expect(error.message).to.equal('IAM answered HTTP 401: The username or password is wrong.');
  });

  it('redacts secrets and URL credentials', () => {
    expect(redact('token abcd1234 and abcd1234', ['abcd1234'])).to.equal(
      'token [redacted] and [redacted]',
    );
    expect(redact('via http://user:pw@proxy:3128 failed', [])).to.equal(
      'via http://[redacted]@proxy:3128 failed',
    );
    expect(redact('a b c', ['', 'b'])).to.equal('a b c');
  });
});

describe('ucs timestamps (property)', () => {
  it('agrees with Date for any instant, offset and fraction, keeping every digit', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0100-01-01T00:00:00Z'),
          max: new Date('9998-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.string({
          unit: fc.constantFrom(...Array.from('0123456789')),
          minLength: 0,
          maxLength: 9,
        }),
        fc.boolean(),
        (instant, offsetMinutes, fraction, goStyle) => {
          const whole = Math.floor(instant.getTime() / 1000) * 1000;
          const local = new Date(whole + offsetMinutes * 60_000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const hh = String(Math.floor(abs / 60)).padStart(2, '0');
          const mm = String(abs % 60).padStart(2, '0');
          const frac = fraction === '' ? '' : `.${fraction}`;
          const raw = goStyle
            ? `${local.replace('T', ' ')}${frac} ${sign}${hh}${mm} XYZ`
            : `${local}${frac}${sign}${hh}:${mm}`;
          const expected = `${new Date(whole).toISOString().slice(0, 19)}${frac}Z`;
          expect(normalizeTimestamp(raw), raw).to.equal(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

import { expect } from 'chai';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../../../src/api/index.js';

describe('api: durations', () => {
  const table: [string, number | undefined][] = [
    ['5s', 5_000],
    ['45s', 45_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h1m1s', 3_661_000],
    ['1.5m', 90_000],
    ['1.1s', 1_100],
    ['250ms', 250],
    ['1s500ms', 1_500],
    ['0s', 0],
    ['90000s', 90_000_000],
    ['', undefined],
    ['30', undefined],
    ['s', undefined],
    ['-5s', undefined],
    ['+5s', undefined],
    ['5 s', undefined],
    [' 5s', undefined],
    ['5S', undefined],
    ['1d', undefined],
    ['1us', undefined],
    ['.5s', undefined],
    ['5.s', undefined],
    ['abc', undefined],
  ];
  for (const [text, ms] of table) {
    it(`parseDuration(${JSON.stringify(text)}) = ${String(ms)}`, () => {
      expect(parseDuration(text)).to.equal(ms);
    });
  }

  it('formats whole milliseconds in the shortest form, and round-trips', () => {
    const table: [number, string][] = [
      [0, '0s'],
      [250, '250ms'],
      [5_000, '5s'],
      [90_000, '1m30s'],
      [3_600_000, '1h'],
      [3_661_001, '1h1m1s1ms'],
    ];
    for (const [ms, text] of table) {
      expect(formatDuration(ms)).to.equal(text);
      expect(parseDuration(text)).to.equal(ms);
    }
    expect(() => formatDuration(-1)).to.throw(RangeError);
  });

  it("the CRD's pattern accepts only what parseDuration reads, and never an overflow", () => {
    const pattern = new RegExp(DURATION_PATTERN);
    for (const [text, ms] of table) {
      if (pattern.test(text)) expect(ms, text).to.not.equal(undefined);
    }
    expect(pattern.test('99999h99999h99999h99999h')).to.equal(true);
    // Go's time.ParseDuration overflows above 2^63-1 ns (about 2562047h).
    expect(parseDuration('99999h99999h99999h99999h')! * 1e6).to.be.below(2 ** 63);
    expect(pattern.test('999999h')).to.equal(false);
    expect(pattern.test('1h1h1h1h1h')).to.equal(false);
  });
});

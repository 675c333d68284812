import { expect } from 'chai';
import { normalizeTimestamp } from '../../../src/ucs/index.js';

describe('ucs timestamps', () => {
  const table: [unknown, string | undefined][] = [
    // The seed's two shapes.
    ['2025-11-10 07:24:03.529155 +0000 UTC', '2025-11-10T07:24:03.529155Z'],
    ['2025-11-10T15:24:03.553733+08:00', '2025-11-10T07:24:03.553733Z'],
    // The Go SDK's other layouts; no zone means UTC.
    ['2006-01-02T15:04:05Z', '2006-01-02T15:04:05Z'],
    ['2006-01-02T15:04:05', '2006-01-02T15:04:05Z'],
    ['2006-01-02 15:04:05', '2006-01-02T15:04:05Z'],
    // Go's time.String() with other offsets and zone names, and the monotonic reading.
    ['2025-11-10 15:24:03.553733 +0800 CST', '2025-11-10T07:24:03.553733Z'],
    ['2025-11-10 02:24:03.5 -0500 EST', '2025-11-10T07:24:03.5Z'],
    ['2025-11-10 07:24:03 +0000 UTC', '2025-11-10T07:24:03Z'],
    ['2025-11-10 12:54:03.1 +0530 IST', '2025-11-10T07:24:03.1Z'],
    ['2025-11-10 07:24:03.529155 +0000 UTC m=+0.001234567', '2025-11-10T07:24:03.529155Z'],
    ['2025-11-10 07:24:03 UTC', '2025-11-10T07:24:03Z'],
    // Nanoseconds, and fraction digits kept as given (trailing zeros too).
    ['2025-11-10T07:24:03.123456789Z', '2025-11-10T07:24:03.123456789Z'],
    ['2025-11-10T07:24:03.120000+00:00', '2025-11-10T07:24:03.120000Z'],
    ['2025-11-10T07:24:03.999999999-00:01', '2025-11-10T07:25:03.999999999Z'],
    // Offsets that cross a day, a month, a year, a leap day.
    ['2025-01-01T01:00:00.000001+08:00', '2024-12-31T17:00:00.000001Z'],
    ['2024-02-29T23:30:00-01:00', '2024-03-01T00:30:00Z'],
    ['2025-11-10T07:24:03+0800', '2025-11-09T23:24:03Z'],
    ['2025-11-10T07:24:03+08', '2025-11-09T23:24:03Z'],
    ['2025-11-10t07:24:03z', '2025-11-10T07:24:03Z'],
    ['  2025-11-10T07:24:03Z  ', '2025-11-10T07:24:03Z'],
    ['0001-01-01 00:00:00 +0000 UTC', '0001-01-01T00:00:00Z'],
    // Unparseable: the caller keeps the raw string.
    ['', undefined],
    ['yesterday', undefined],
    ['2025-11-10', undefined],
    ['2025-13-10T07:24:03Z', undefined],
    ['2025-02-29T07:24:03Z', undefined],
    ['2025-11-31T07:24:03Z', undefined],
    ['2025-11-10T24:00:00Z', undefined],
    ['2025-11-10T23:59:60Z', undefined],
    ['2025-11-10T07:24:03.1234567890Z', undefined],
    ['2025-11-10T07:24:03+25:00', undefined],
    ['2025-11-10 07:24:03 CST', undefined],
    ['2025-11-10T07:24:03Zjunk', undefined],
    ['0000-01-01T00:00:00+01:00', undefined],
    ['1762759443', undefined],
    [1762759443, undefined],
    [null, undefined],
    [undefined, undefined],
  ];
  for (const [raw, expected] of table) {
    it(`${raw === undefined ? 'undefined' : JSON.stringify(raw)} -> ${expected ?? 'undefined'}`, () => {
      expect(normalizeTimestamp(raw)).to.equal(expected);
      expect(normalizeTimestamp(raw), 'asked again (remembered)').to.equal(expected);
    });
  }

  it('agrees with Date on the instant, to the millisecond', () => {
    const normalized = normalizeTimestamp('2025-11-10T15:24:03.553733+08:00') ?? '';
    expect(Date.parse(normalized)).to.equal(Date.parse('2025-11-10T15:24:03.553+08:00'));
  });

  it('reads a long text (not remembered) the same way every time', () => {
    const padded = `  2025-11-10T07:24:03Z${' '.repeat(100)}`;
    expect(normalizeTimestamp(padded)).to.equal('2025-11-10T07:24:03Z');
    expect(normalizeTimestamp(padded)).to.equal('2025-11-10T07:24:03Z');
    expect(normalizeTimestamp(`2025-11-10T07:24:03Z${'x'.repeat(100)}`)).to.equal(undefined);
  });

  it('stays right past the size of what it remembers', () => {
    const day = (i: number) => String(1 + (i % 28)).padStart(2, '0');
    const fraction = (i: number) => String(i).padStart(6, '0');
    for (const pass of [1, 2])
      for (let i = 0; i < 20_000; i++) {
        const raw = `2025-11-${day(i)} 07:24:03.${fraction(i)} +0000 UTC`;
        expect(normalizeTimestamp(raw), `pass ${pass}`).to.equal(
          `2025-11-${day(i)}T07:24:03.${fraction(i)}Z`,
        );
      }
  });
});

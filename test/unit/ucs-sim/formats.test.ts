import { expect } from 'chai';
import { parseDuration } from '../../../src/ucs-sim/duration.js';
import { goTimeString, iamTimestamp, rfc3339China } from '../../../src/ucs-sim/timestamps.js';
import { SimClock } from '../../../src/ucs-sim/clock.js';

// 2025-11-10 07:24:03.529155 UTC, the seed job's creationTimestamp.
const SEED_CREATED_US = Date.UTC(2025, 10, 10, 7, 24, 3) * 1000 + 529_155;

describe('ucs-sim: formats', () => {
  it("renders metadata times like Go's time.String(), as in the seed", () => {
    expect(goTimeString(SEED_CREATED_US)).to.equal('2025-11-10 07:24:03.529155 +0000 UTC');
    // Go trims trailing zeros of the fraction and drops an empty one.
    expect(goTimeString(SEED_CREATED_US - 529_155 + 500_000)).to.equal(
      '2025-11-10 07:24:03.5 +0000 UTC',
    );
    expect(goTimeString(SEED_CREATED_US - 529_155)).to.equal('2025-11-10 07:24:03 +0000 UTC');
  });

  it('renders status times in RFC 3339 with the +08:00 offset, as in the seed', () => {
    const startUs = Date.UTC(2025, 10, 10, 7, 24, 3) * 1000 + 553_733;
    expect(rfc3339China(startUs)).to.equal('2025-11-10T15:24:03.553733+08:00');
    // Past midnight in Beijing is the next day.
    expect(rfc3339China(Date.UTC(2025, 11, 31, 20, 0, 0) * 1000)).to.equal(
      '2026-01-01T04:00:00+08:00',
    );
    expect(Date.parse(rfc3339China(startUs))).to.equal(Math.floor(startUs / 1000));
  });

  it("renders IAM's expires_at with six fraction digits and Z", () => {
    expect(iamTimestamp(Date.UTC(2020, 0, 5, 6, 53, 13) * 1000 + 774_000)).to.equal(
      '2020-01-05T06:53:13.774000Z',
    );
  });

  it('parses Go-style durations; a bare number is milliseconds', () => {
    const table: [string | number, number | undefined][] = [
      ['30s', 30_000],
      ['1m30s', 90_000],
      ['250ms', 250],
      ['2h', 7_200_000],
      ['1.5s', 1500],
      // Go has no day unit, and neither has spec.pollInterval.
      ['1d', undefined],
      [' 45s ', 45_000],
      [1500, 1500],
      ['20', 20],
      ['', undefined],
      ['30', 30],
      ['30 s', undefined],
      ['s', undefined],
      ['10x', undefined],
      [-1, undefined],
    ];
    for (const [input, expected] of table)
      expect(parseDuration(input), String(input)).to.equal(expected);
  });

  it('has a clock that can be advanced, set, frozen and reset', () => {
    let real = 1_000_000;
    const clock = new SimClock(() => real);
    expect(clock.now()).to.equal(1_000_000);
    clock.advance(500);
    real += 100;
    expect(clock.now()).to.equal(1_000_600);
    clock.freeze();
    real += 1000;
    expect(clock.now()).to.equal(1_000_600);
    clock.advance(400);
    expect(clock.now()).to.equal(1_001_000);
    clock.resume();
    real += 10;
    expect(clock.now()).to.equal(1_001_010);
    clock.set(5);
    expect(clock.now()).to.equal(5);
    clock.reset();
    expect(clock.now()).to.equal(real);
    expect(clock.micros(2) % 1000).to.be.within(1, 999);
  });
});

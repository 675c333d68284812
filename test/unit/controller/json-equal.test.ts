import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { jsonEqual } from '../../../src/controller/json-equal.js';

const seed: unknown = JSON.parse(
  readFileSync(new URL('../../fixtures/seed-job.json', import.meta.url), 'utf8'),
);

/** Every value reached from `value`, paired with a path to replace it. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as Record<string, unknown>)[k], [...at, k]))];
}

function withChange(value: unknown, path: (string | number)[], change: unknown): unknown {
  if (path.length === 0) return change;
  const copy: unknown = structuredClone(value);
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = change;
  return copy;
}

describe('jsonEqual', () => {
  it('says equal for a copy of the seed job, parsed again', () => {
    expect(jsonEqual(seed, structuredClone(seed))).to.equal(true);
    expect(jsonEqual(seed, JSON.parse(JSON.stringify(seed)))).to.equal(true);
  });

  it('agrees with isDeepStrictEqual on every one-place change of the seed job', () => {
    const changes: unknown[] = ['x', 0, 1, true, false, null, [], {}, [0], { a: 1 }, undefined];
    let compared = 0;
    for (const path of paths(seed)) {
      for (const change of changes) {
        const other = withChange(seed, path, change);
        expect(jsonEqual(seed, other), `${path.join('.')} = ${String(change)}`).to.equal(
          isDeepStrictEqual(seed, other),
        );
        expect(jsonEqual(other, seed)).to.equal(isDeepStrictEqual(other, seed));
        compared++;
      }
    }
    expect(compared).to.be.greaterThan(200);
  });

  it('tells arrays from objects, and counts keys both ways', () => {
    expect(jsonEqual([], {})).to.equal(false);
    expect(jsonEqual({ 0: 'a', length: 1 }, ['a'])).to.equal(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).to.equal(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).to.equal(false);
    expect(jsonEqual({ a: undefined }, {})).to.equal(false);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).to.equal(true);
    expect(jsonEqual([1, [2, { c: [3] }]], [1, [2, { c: [3] }]])).to.equal(true);
    expect(jsonEqual([1, [2, { c: [3] }]], [1, [2, { c: [4] }]])).to.equal(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).to.equal(false);
    expect(jsonEqual(null, {})).to.equal(false);
    expect(jsonEqual('1', 1)).to.equal(false);
    expect(jsonEqual(undefined, null)).to.equal(false);
  });
});

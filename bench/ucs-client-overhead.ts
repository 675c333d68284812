// The UCS client's per-call overhead against a raw keep-alive http.get of the same answer.
// Run: npx tsx bench/ucs-client-overhead.ts [calls]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { UcsTransport, type UcsCredentials } from '../src/ucs/index.js';

const CALLS = Number(process.argv[2] ?? 2000);
const WARM_UP = 200;
const SEED = readFileSync(new URL('../test/fixtures/seed-job.json', import.meta.url));

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'bench' });
  res.end(SEED);
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function measure(call: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await call(i);
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

const rawAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function rawGet(i: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/v1/policy/jobs/job-${i}`, { agent: rawAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const transport = new UcsTransport({ qps: 1_000_000, burst: 1_000_000, maxConcurrent: 4 });
function viaClient(credentials: UcsCredentials): (i: number) => Promise<unknown> {
  const client = transport.client(base, credentials);
  return async (i) => {
    const result = await client.getJob(`job-${i}`);
    if (!result.ok) throw new Error(result.error.message);
    return result;
  };
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

const runs: [string, (i: number) => Promise<unknown>][] = [
  ['raw http.get (keep-alive)', rawGet],
  ['raw http.get + JSON.parse', async (i) => JSON.parse(await rawGet(i)) as unknown],
  ['UcsClient.getJob (token)', viaClient({ kind: 'token', token: 'bench-token' })],
  ['UcsClient.getJob (AK/SK)', viaClient({ kind: 'aksk', accessKey: 'AK', secretKey: 'SK' })],
];

const results: { name: string; median: number; p99: number }[] = [];
for (const [name, call] of runs) {
  const samples = await measure(call);
  results.push({ name, median: quantile(samples, 0.5), p99: quantile(samples, 0.99) });
}

const raw = results[0];
console.log(
  `${CALLS} sequential calls each (after ${WARM_UP} warm-up), seed job (${SEED.length} bytes), Node ${process.version}`,
);
console.log(
  'call'.padEnd(30),
  'median ms'.padStart(10),
  'p99 ms'.padStart(10),
  'median overhead'.padStart(17),
  'p99 overhead'.padStart(14),
);
for (const r of results) {
  const over = (a: number, b: number | undefined): string =>
    b === undefined ? '' : `+${(a - b).toFixed(3)}`;
  console.log(
    r.name.padEnd(30),
    r.median.toFixed(3).padStart(10),
    r.p99.toFixed(3).padStart(10),
    over(r.median, raw?.median).padStart(17),
    over(r.p99, raw?.p99).padStart(14),
  );
}

transport.close();
rawAgent.destroy();
server.closeAllConnections();
server.close();

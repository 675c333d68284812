// What the kernel says of a process, whatever it runs (Node or Go): CPU seconds from
// /proc/PID/stat, resident memory and its peak from /proc/PID/status. The same numbers for
// every operator, so that no figure depends on what an operator chooses to export.
import { readFile } from 'node:fs/promises';

/** One reading of a process. */
export interface ProcessSample {
  at: number;
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  /** Resident set size now (VmRSS), bytes. */
  rss: number;
  /** The highest resident set size so far (VmHWM), bytes. */
  peakRss: number;
}

/** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
export const CLOCK_TICKS = 100;

/** CPU seconds (utime + stime) of a /proc/PID/stat line. */
export function cpuSecondsOfStat(stat: string, ticks = CLOCK_TICKS): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // After the name, field 3 (state) is index 0; utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`not a /proc/PID/stat line: ${stat.slice(0, 80)}`);
  return (utime + stime) / ticks;
}

/** VmRSS and VmHWM of a /proc/PID/status text, in bytes. */
export function memoryOfStatus(status: string): { rss: number; peakRss: number } {
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${key} in /proc/PID/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/** Reads /proc/PID once. */
export async function sampleProcess(pid: number): Promise<ProcessSample> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${String(pid)}/stat`, 'utf8'),
    readFile(`/proc/${String(pid)}/status`, 'utf8'),
  ]);
  return { at: Date.now(), cpuSeconds: cpuSecondsOfStat(stat), ...memoryOfStatus(status) };
}

/** Reads a process every `intervalMs` until stopped; `stop` takes one last reading. */
export class ProcessSampler {
  readonly samples: ProcessSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      sampleProcess(this.pid).then(
        (s) => this.samples.push(s),
        () => undefined, // the process may just have exited; stop() reports what was read
      );
    }, this.intervalMs);
  }

  /** Stops sampling after a last reading (the process must still run). */
  async stop(): Promise<ProcessSample[]> {
    clearInterval(this.timer);
    this.samples.push(await sampleProcess(this.pid));
    return this.samples;
  }
}

/** CPU seconds at time `at`: the first reading at or after it (the last one if none is). */
export function cpuSecondsAt(samples: readonly ProcessSample[], at: number): number {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  return (sorted.find((s) => s.at >= at) ?? sorted.at(-1))?.cpuSeconds ?? Number.NaN;
}

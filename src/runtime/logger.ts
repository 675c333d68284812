// A CommonJS module: its class is a property of the default export at run time.
import sonicBoom, { type SonicBoom, type SonicBoomOpts } from 'sonic-boom';
import winston from 'winston';
import Transport from 'winston-transport';

export type LogFormat = 'json' | 'text';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type Logger = winston.Logger;

/** The formatted line winston's formats leave on a log record (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/** Lines gathered before a write; a busy operator logs a few hundred lines a second. */
const FLUSH_BYTES = 8192;
/** The longest a line waits in the buffer. */
const FLUSH_INTERVAL_MS = 100;
/** Past this much unwritten (a reader that stopped reading), new lines are dropped. */
const MAX_BUFFERED_BYTES = 8 * 2 ** 20;
/** A full pipe is retried every 100 ms this many times in a row before lines are given up. */
const MAX_WRITE_RETRIES = 50;
const STDERR_FD = 2;

/**
 * Lines to a file descriptor through sonic-boom (pino's writer): gathered until FLUSH_BYTES or
 * FLUSH_INTERVAL_MS, then written with one write off the main thread. One write a line (what
 * winston's stream transport on stderr does) is a system call and a wake-up of the container
 * runtime's reader for every line.
 */
class BufferedLines extends Transport {
  constructor(private readonly out: SonicBoom) {
    super();
  }

  override log(info: Record<symbol, unknown>, next: () => void): void {
    this.out.write(`${String(info[MESSAGE])}\n`);
    next();
  }
}

/**
 * stderr for the operator's logs, buffered. What is still buffered is written synchronously
 * when the process exits (process.exit, a signal handled by `run`, an uncaught error); a
 * SIGKILL loses at most the last FLUSH_INTERVAL_MS of lines. A stderr that fails (closed,
 * stuck) loses lines, never the operator.
 */
export function bufferedStderr(fd = STDERR_FD): SonicBoom {
  // maxWriteRetries is not in the types sonic-boom ships.
  const options: SonicBoomOpts & { maxWriteRetries: number } = {
    fd,
    minLength: FLUSH_BYTES,
    periodicFlush: FLUSH_INTERVAL_MS,
    maxLength: MAX_BUFFERED_BYTES,
    maxWriteRetries: MAX_WRITE_RETRIES,
  };
  const out = new sonicBoom.SonicBoom(options);
  out.on('error', () => undefined);
  process.once('exit', () => {
    try {
      out.flushSync();
    } catch {
      // Nowhere left to report it.
    }
  });
  return out;
}

/**
 * Structured logs: JSON for machines (default), text for people. On stderr, buffered
 * (bufferedStderr), unless `out` says where.
 */
export function createLogger(options: {
  level: LogLevel;
  format: LogFormat;
  out?: SonicBoom;
}): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp(),
          winston.format.printf(({ timestamp, level, message, ...rest }) => {
            const fields = Object.entries(rest)
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ');
            return `${String(timestamp)} ${level.toUpperCase().padEnd(5)} ${String(message)}${fields ? ` ${fields}` : ''}`;
          }),
        );
  return winston.createLogger({
    level: options.level,
    format,
    transports: [new BufferedLines(options.out ?? bufferedStderr())],
  });
}

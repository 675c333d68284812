// The UCS API mixes timestamp formats (see docs/ucs-api.md): Go's time.String() in metadata,
// RFC 3339 with the +08:00 offset of the Chinese mainland in status, and IAM's own form.
// All take epoch *microseconds*: the seed has microsecond precision and so does the simulator.

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Go trims trailing zeros of the fraction (layout ".999999999") and drops an empty one. */
function goFraction(micros: number): string {
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  if (fraction === 0) return '';
  return `.${pad(fraction, 6).replace(/0+$/, '')}`;
}

function wallClock(micros: number, offsetMinutes: number): { date: string; time: string } {
  const shifted = new Date(Math.floor(micros / 1000) + offsetMinutes * 60_000);
  return {
    date: `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`,
    time: `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`,
  };
}

/** "2025-11-10 07:24:03.529155 +0000 UTC": Go's time.Time.String() of a UTC time. */
export function goTimeString(micros: number): string {
  const { date, time } = wallClock(micros, 0);
  return `${date} ${time}${goFraction(micros)} +0000 UTC`;
}

/** "2025-11-10T15:24:03.553733+08:00": Go's RFC3339Nano in a fixed +08:00 zone. */
export function rfc3339China(micros: number): string {
  const { date, time } = wallClock(micros, 480);
  return `${date}T${time}${goFraction(micros)}+08:00`;
}

/** "2025-11-11T07:24:03.529155Z": the form of IAM's token.expires_at and issued_at. */
export function iamTimestamp(micros: number): string {
  const { date, time } = wallClock(micros, 0);
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  return `${date}T${time}.${pad(fraction, 6)}Z`;
}

/**
 * The spend day: the day boundary (`[limits] day_starts_at`) in a time zone (`[limits] time_zone`).
 * Daily limits count what was spent since the current day started and hold until the next starts.
 */

/** Where days start. @public */
export interface DayBoundary {
  /** "HH:MM", 24-hour. */
  readonly startsAt: string;
  /** IANA time zone. */
  readonly timeZone: string;
}

/** One spend day: its name (the local date it starts on) and its instants. @public */
export interface SpendDay {
  /** "YYYY-MM-DD": the local date on which the day starts. */
  readonly day: string;
  readonly start: Date;
  /** When the next day starts: when a daily limit resets. */
  readonly end: Date;
}

interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: Date, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetMs(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant of a local wall-clock time in a zone (the later one across a DST change). */
function instantOf(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day) + minutes * 60_000;
  let guess = wall - offsetMs(new Date(wall), timeZone);
  guess = wall - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

function minutesOf(startsAt: string): number {
  const [h, m] = startsAt.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function dateName(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The spend day an instant falls in. @public */
export function spendDayOf(instant: Date, boundary: DayBoundary): SpendDay {
  const minutes = minutesOf(boundary.startsAt);
  const local = localParts(instant, boundary.timeZone);
  // Before the boundary, the instant belongs to the day that started on the previous date.
  const isBefore = local.hour * 60 + local.minute < minutes;
  const startDate = new Date(Date.UTC(local.year, local.month - 1, local.day - (isBefore ? 1 : 0)));
  const [y, m, d] = [startDate.getUTCFullYear(), startDate.getUTCMonth() + 1, startDate.getUTCDate()];
  const start = instantOf(y, m, d, minutes, boundary.timeZone);
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  const end = instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), minutes, boundary.timeZone);
  return { day: dateName(y, m, d), start, end };
}

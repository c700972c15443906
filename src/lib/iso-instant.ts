const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * An ISO 8601 instant with a time zone, checked against the calendar: `new Date('2026-02-30T00:00:00Z')`
 * is 2 March, since JavaScript rolls impossible dates over, so what is stored is what was sent.
 * Answers the instant, or why it is not one (the GraphQL `DateTime` scalar and the HTTP routes
 * word the refusal their own way).
 */
export function parseIsoInstant(value: unknown): { date: Date } | { problem: string } {
  const match = typeof value === 'string' ? isoDateTime.exec(value) : null;
  if (match === null) {
    return { problem: 'DateTime must be an ISO 8601 string with a time zone, e.g. 2026-01-31T12:00:00Z.' };
  }
  const [year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => (part === undefined || part === '+' || part === '-' ? 0 : Number(part)));
  const daysInMonth = monthLengths[(month ?? 1) - 1] ?? 0;
  const leapDay = month === 2 && day === 29 && isLeapYear(year ?? 0);
  const valid =
    (month ?? 0) >= 1 &&
    (month ?? 0) <= 12 &&
    (day ?? 0) >= 1 &&
    ((day ?? 0) <= daysInMonth || leapDay) &&
    (hour ?? 0) <= 23 &&
    (minute ?? 0) <= 59 &&
    (second ?? 0) <= 59 &&
    (offsetHours ?? 0) <= 23 &&
    (offsetMinutes ?? 0) <= 59;
  const date = new Date(value as string);
  if (!valid || Number.isNaN(date.getTime())) {
    return { problem: `DateTime ${value as string} is not a real instant.` };
  }
  // ISO 8601's year 0000 is 1 BC, which PostgreSQL does not accept written that way.
  if (date.getUTCFullYear() < 1) {
    return { problem: `DateTime ${value as string} is before the year 1.` };
  }
  return { date };
}

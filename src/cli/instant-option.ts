import { InputValidationError } from '../domain/errors.js';

const isoInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An option holding an instant, e.g. `--expires-at 2027-01-01T00:00:00Z`. `new Date()` alone
 * would take "yesterday" as an invalid date and roll 2027-02-30 over into March: both are refused.
 */
export function parseInstantOption(option: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const parts = isoInstant.exec(text);
  const [year, month, day, hour, minute, second] = (parts ?? []).slice(1, 7).map(Number);
  const calendar = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day, hour, minute, second));
  const real =
    parts !== null &&
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() + 1 === month &&
    calendar.getUTCDate() === day &&
    calendar.getUTCHours() === hour &&
    calendar.getUTCMinutes() === minute;
  if (!real)
    throw new InputValidationError([
      {
        path: [`--${option}`],
        message: `must be an ISO 8601 date and time with a time zone, e.g. 2027-01-01T00:00:00Z (got "${text}")`,
      },
    ]);
  return new Date(text);
}

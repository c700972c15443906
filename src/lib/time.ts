/** One day as Notarium counts notice periods and validities: exactly 24 hours. */
export const dayMs = 24 * 60 * 60 * 1000;

/** `date` plus `days` exact 24-hour days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * dayMs);
}

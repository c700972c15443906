/**
 * When a failed delivery is tried again: after failed attempt n (1-based), wait
 * min(30 s × 4^(n−1), 12 h) — 30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h 32 min, 12 h — and
 * after the 8th failed attempt (about 23.3 hours after the first) give up: the delivery is DEAD
 * until someone redelivers it. Deterministic, so tests and operators can predict it.
 */
export const maxAttempts = 8;
const firstDelayMs = 30_000;
const maxDelayMs = 12 * 60 * 60_000;

/** The wait before the next attempt after `failedAttempts` failures, or null when it is dead. */
export function retryDelayMs(failedAttempts: number): number | null {
  if (failedAttempts >= maxAttempts) return null;
  return Math.min(firstDelayMs * 4 ** (failedAttempts - 1), maxDelayMs);
}

/** A 2xx answer is a delivery; anything else (3xx included: redirects are not followed) is a failure. */
export function isDelivered(status: number): boolean {
  return status >= 200 && status < 300;
}

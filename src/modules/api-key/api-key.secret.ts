import { createHash, randomBytes } from 'node:crypto';

const keyPattern = /^ntr_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewSecret {
  /** The full key, shown to its owner once and never stored. */
  readonly secret: string;
  /** Public, non-secret part used to recognise a key in lists. */
  readonly prefix: string;
  readonly hash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateSecret(): NewSecret {
  const prefix = randomBytes(8).toString('hex').slice(0, 8);
  const secret = `ntr_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: `ntr_${prefix}`, hash: hashSecret(secret) };
}

/** Rejects anything that cannot be one of our keys before touching the database. */
export function looksLikeKey(candidate: string): boolean {
  return keyPattern.test(candidate);
}

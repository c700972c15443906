/** True for a string with an unpaired surrogate: it has no UTF-8 form (it would become U+FFFD). */
export function hasLoneSurrogate(value: string): boolean {
  // String.prototype.isWellFormed is in Node 20; TypeScript lists it only from lib es2024.
  return !(value as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Text PostgreSQL can store exactly as sent: no U+0000 (text columns cannot hold it) and no
 * unpaired surrogate (it has no UTF-8 form and would be stored as U+FFFD).
 */
export function isStorableText(value: string): boolean {
  return !hasLoneSurrogate(value) && !value.includes('\u0000');
}

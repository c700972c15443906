import { createHash } from 'node:crypto';
import { canonicalJson } from '../notice/content-hash.js';

/** SHA-256 over the canonical JSON of what a record says: equal content, equal hash. */
export function recordHash(content: Record<string, string | number | null>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

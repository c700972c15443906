import { describe, expect, it } from 'vitest';
import { isUuid } from '../../src/lib/uuid.js';
import { uuidV7 } from '../../src/lib/uuid-v7.js';

describe('uuidV7', () => {
  it('makes RFC 9562 version-7 UUIDs carrying the time, in increasing order, without repeats', () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 0, 123);
    const ids = Array.from({ length: 10_000 }, () => uuidV7(at));
    for (const id of ids.slice(0, 50)) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect(Number.parseInt(ids[0]!.replaceAll('-', '').slice(0, 12), 16)).toBe(at);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const later = uuidV7(at + 60_000);
    expect(later > ids.at(-1)!).toBe(true);
  });
});

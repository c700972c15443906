import { describe, expect, it } from 'vitest';
import { withBulkParameter } from '../../src/db/bulk-parameters.js';
import { jsonParameter } from '../../src/db/json-rows.js';
import { useTestApp } from '../support/test-app.js';

describe('bulk parameters', () => {
  const t = useTestApp();

  it('reach the database as the held bytes, inside a transaction too, and only while held', async () => {
    const bytes = Buffer.from(
      JSON.stringify(Array.from({ length: 50_000 }, (_, i) => ({ i, s: `row-${i}` }))),
    );
    const [outside] = await withBulkParameter(
      bytes,
      (token) =>
        t.database.prisma.$queryRaw<{ size: number; rows: number }[]>`
        SELECT length(${token}::bytea)::int AS size, json_array_length(${jsonParameter(token)}) AS rows`,
    );
    expect(outside).toEqual({ size: bytes.length, rows: 50_000 });
    const inside = await t.database.prisma.$transaction((tx) =>
      withBulkParameter(
        bytes,
        (token) => tx.$queryRaw<{ size: number }[]>`SELECT length(${token}::bytea)::int AS size`,
      ),
    );
    expect(inside).toEqual([{ size: bytes.length }]);
    // A token that is no longer held, or any other string, is passed on as it is.
    let stale = '';
    await withBulkParameter(bytes, async (token) => {
      stale = token;
    });
    const [plain] = await t.database.prisma.$queryRaw<{ value: string }[]>`SELECT ${stale}::text AS value`;
    expect(plain?.value).toBe(stale);
  });
});

import { describe, expect, it } from 'vitest';
import { Prisma } from '../../../src/generated/prisma/client.js';
import { levelFourStatement } from '../../../src/modules/transparency-log/log-store.js';
import { makeTenant } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';

describe('appending a large backlog to the transparency log', () => {
  const t = useTestApp();

  // A million leaves at once (a sequencer run after a bulk load) on tables never analysed: the
  // levels below 16 leaves pair neighbours by a window over the sorted level, never by joining a
  // level to itself, which a planner without statistics may run as a nested loop (quadratic).
  it('hashes the levels below the stored nodes with one sort per level, no join of a level to itself', async () => {
    const { controller } = await makeTenant(t.database.prisma);
    const statement = levelFourStatement(controller.id, 0, 62_500);
    const plan = await t.database.prisma.$queryRaw<{ 'QUERY PLAN': string }[]>(
      Prisma.sql`EXPLAIN ${statement}`,
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text.match(/WindowAgg/g)).toHaveLength(4);
    expect(text).not.toMatch(/Nested Loop|Hash Join|Merge Join/);
  });
});

import { describe, expect, it } from 'vitest';
import { poolFromUrl } from '../../../src/db/database.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { useTestApp } from '../../support/test-app.js';
import { testTarget } from '../../support/test-database.js';
import { notification, record, scheduledTenant, subjectOf } from './retention-fixtures.js';

const RaceNotifications = graphql(`
  mutation RetentionRaceNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload {
        accepted
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

// Only PostgreSQL runs two transactions at once; PGlite has one connection.
describe.runIf(testTarget === 'postgres')('a batch racing the retention purge (PostgreSQL)', () => {
  const t = useTestApp();

  it('is refused with CONFLICT, not an internal error, when a person it found is purged before it commits; sent again it is accepted', async () => {
    const { controller, keys } = await scheduledTenant(t);
    await record(t, keys, { notifications: [notification('racer', 'race-old', new Date())] });
    const subject = await subjectOf(t, controller.id, 'racer');
    expect(subject).not.toBeNull();

    // The purge's transaction, held open: it has locked the person (as purgeSubjects does first).
    const holder = poolFromUrl(t.database.url!, 1, 0);
    const purge = await holder.connect();
    try {
      await purge.query('BEGIN');
      await purge.query(`SELECT set_config('notarium.retention', 'on', true)`);
      await purge.query(`SELECT "id" FROM "Subject" WHERE "id" = $1 FOR UPDATE`, [subject!.id]);

      // The batch found the person and now waits on the purge's lock to check its foreign key.
      const input = { items: [notification('racer', 'race-new', new Date())] };
      const batch = execute(t.app, RaceNotifications, { key: keys.NOTIFIER, variables: { input } });
      await waitForLockWaiter(t, 'INSERT INTO "Notification"');

      await purge.query(`DELETE FROM "Notification" WHERE "subjectId" = $1`, [subject!.id]);
      await purge.query(`DELETE FROM "Subject" WHERE "id" = $1`, [subject!.id]);
      await purge.query('COMMIT');

      const refused = expectData(await batch).recordNotifications;
      expect(refused).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
      expect(refused).toMatchObject({ message: expect.stringMatching(/send it again/) });
      expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(0);

      const again = expectData(
        await execute(t.app, RaceNotifications, { key: keys.NOTIFIER, variables: { input } }),
      ).recordNotifications;
      expect(again).toEqual({ __typename: 'RecordNotificationsPayload', accepted: 1 });
      const fresh = await subjectOf(t, controller.id, 'racer');
      expect(fresh?.id).not.toBe(subject!.id);
    } finally {
      purge.release();
      await holder.end();
    }
  });
});

/** Polls pg_stat_activity until a backend running `statement` waits on a lock: an event, not a delay. */
async function waitForLockWaiter(t: ReturnType<typeof useTestApp>, statement: string) {
  for (;;) {
    const waiting = await t.database.sql(
      `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
      [`%${statement}%`],
    );
    if (waiting.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

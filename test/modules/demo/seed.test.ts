import { describe, expect, it } from 'vitest';
import { developmentSubjectRefSecret } from '../../../src/config/env.js';
import { verifyAuditChain } from '../../../src/modules/audit/audit.service.js';
import { seedDemoIfEmpty } from '../../../src/modules/demo/seed.js';
import { upcomingEffectiveFrom } from '../../../src/modules/demo/timeline.js';
import { openTestDatabase } from '../../support/test-database.js';
import { heavyTestTimeout } from '../../support/timeouts.js';

const createdOn = new Date('2026-12-03T10:00:00Z');

describe('demo seed', { timeout: heavyTestTimeout }, () => {
  it('builds the same history every time, through the services, once', async () => {
    const database = await openTestDatabase();
    try {
      const demo = await seedDemoIfEmpty(database, developmentSubjectRefSecret, createdOn);
      expect(demo?.controllerSlug).toBe('demo');
      expect(await seedDemoIfEmpty(database, developmentSubjectRefSecret)).toBeNull();

      const controller = await database.prisma.controller.findUniqueOrThrow({ where: { slug: 'demo' } });
      expect(await verifyAuditChain(database, controller.id)).toMatchObject({ valid: true });
      const versions = await database.prisma.noticeVersion.findMany({
        select: { number: true, classification: true, effectiveFrom: true, contentHash: true },
        orderBy: { number: 'asc' },
      });
      // Fixed dates and content: the same hashes in every demo created on the same day.
      expect(versions).toEqual([
        {
          number: 1,
          classification: 'RECONSENT',
          effectiveFrom: new Date('2025-02-04T00:00:00Z'),
          contentHash: 'sha256:ae88f2c74d6ef5460c8d17ea56118429912a0874589b4593b9e9a4b1a86760cf',
        },
        {
          number: 2,
          classification: 'EDITORIAL',
          effectiveFrom: new Date('2025-06-02T09:00:00Z'),
          contentHash: 'sha256:71cf6e2d0e5d8e4a12a005c01b4015b5004bf18e7c9c5b8a40e97f9fa0204b54',
        },
        {
          number: 3,
          classification: 'RENOTIFY',
          effectiveFrom: new Date('2025-11-10T00:00:00Z'),
          contentHash: 'sha256:6dc9422b3725cbbb7bb4c8c46cd9507a9d957929050e3054d5048f6c60e61818',
        },
        {
          number: 4,
          classification: 'RECONSENT',
          effectiveFrom: new Date('2027-01-11T00:00:00Z'),
          contentHash: 'sha256:1395ae92cac3e6c2dc522607e8d813a516c6f52d002dc24c605213e10b450e47',
        },
      ]);
      expect({
        notifications: await database.prisma.notification.count(),
        events: await database.prisma.notificationEvent.count(),
        responses: await database.prisma.response.count(),
        keys: await database.prisma.apiKey.findMany({ select: { role: true }, orderBy: { role: 'asc' } }),
      }).toEqual({
        notifications: 5_800,
        events: 8_540,
        responses: 1_467,
        keys: [{ role: 'ADMIN' }, { role: 'READER' }, { role: 'REGULATOR' }],
      });
      // Objections to AI training: the 2025 ones decided (one refused), half the campaign's still open.
      const cases = await database.prisma.objectionCase.groupBy({
        by: ['outcome'],
        _count: true,
        orderBy: { outcome: 'asc' },
      });
      expect(Object.fromEntries(cases.map((row) => [row.outcome, row._count]))).toEqual({
        OPEN: 56,
        HONOURED: 205,
        REFUSED: 1,
      });
      expect(await database.prisma.objectionCase.count({ where: { grounds: { not: null } } })).toBe(59);
    } finally {
      await database.close();
    }
  });

  it('keeps version 4 upcoming: 30 days after a later creation day', () => {
    expect(upcomingEffectiveFrom(createdOn)).toEqual(new Date('2027-01-11T00:00:00Z'));
    expect(upcomingEffectiveFrom(new Date('2028-05-17T23:59:00Z'))).toEqual(new Date('2028-06-16T00:00:00Z'));
  });
});

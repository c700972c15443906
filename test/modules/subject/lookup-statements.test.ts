import { beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../../src/generated/prisma/client.js';
import { type SubjectFactsRow, subjectFactsQuery } from '../../../src/modules/eligibility/subject-facts.js';
import { type ProofFactsRow, proofFactsQuery } from '../../../src/modules/subject/proof-facts.sql.js';
import type { NotificationInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNoticeAsOf } from '../../support/notice-fixtures.js';
import { recordWithEvents } from '../../support/record-with-events.js';
import { useTestApp } from '../../support/test-app.js';

/** What a compliance client asks to prove a notification: the measured selection (docs/notifications.md). */
const ProofLookup = graphql(`
  query ProofLookup($ref: String!) {
    subject(ref: $ref) {
      id
      notificationProof(noticeKey: "lookup", version: 1) {
        __typename
        ... on NotificationProof {
          contentHash
          version {
            number
            noticeKey
            effectiveFrom
          }
          notifications {
            notification {
              id
              idempotencyKey
              channel
              locale
              occurredAt
            }
            events {
              type
              occurredAt
            }
            evidenceStrength
            countingEvents
            reached
            reachedAt
            textHash
          }
          reached
          firstReachedAt
          leadTimeEndsAt
          leadTimeMet
          batchIds
        }
      }
    }
  }
`);

/** What a client asks before processing: the decision with every record behind it (docs/eligibility.md). */
const EligibilityLookup = graphql(`
  query EligibilityLookup($ref: String!) {
    subject(ref: $ref) {
      id
      eligibility(purposeKey: "lookup-p") {
        __typename
        ... on EligibilityResult {
          decision
          rule
          legalBasis
          explanation
          purposeRevision {
            number
          }
          evidence {
            version {
              noticeKey
              number
            }
            notification {
              id
            }
            event {
              id
              type
            }
            response {
              id
              kind
            }
          }
          transparency {
            status
            since
            reached
            version {
              noticeKey
              number
            }
            notification {
              id
            }
            event {
              type
            }
          }
        }
      }
    }
  }
`);

/** The version's canonical form, which the lookup statements leave out: asked for, it costs a statement. */
const CanonicalFormLookups = graphql(`
  query CanonicalFormLookups($ref: String!) {
    subject(ref: $ref) {
      notificationProof(noticeKey: "lookup", version: 1) {
        ... on NotificationProof {
          version {
            number
            canonicalForm
          }
        }
      }
      eligibility(purposeKey: "lookup-p") {
        ... on EligibilityResult {
          evidence {
            version {
              number
              canonicalForm
            }
          }
          transparency {
            version {
              canonicalForm
            }
          }
        }
      }
    }
  }
`);

const LookupResponses = graphql(`
  mutation LookupResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      ... on RecordResponsesPayload {
        accepted
      }
    }
  }
`);

const t = useTestApp();
const day = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * day).toISOString();

const statementsOf = (work: () => Promise<unknown>) => t.database.counter.statementsBeyondKeyLookup(work);

describe('proof and eligibility lookups', () => {
  let keys: Awaited<ReturnType<typeof makeTenant>>['keys'];
  let controllerId: string;

  beforeAll(async () => {
    let controller: { id: string };
    ({ keys, controller } = await makeTenant(t.database.prisma));
    controllerId = controller.id;
    await publishedNoticeAsOf(t.app, t.database, keys.EDITOR, 'lookup', new Date(ago(90)));
    // `one` was notified once; `many` five times over several channels, each with events.
    const notification = (key: string, ref: string, channel: NotificationInput['channel'], days: number) => ({
      idempotencyKey: key,
      subjectRef: ref,
      channel,
      noticeKey: 'lookup',
      versionNumber: 1,
      locale: 'en',
      occurredAt: ago(days),
    });
    const channels = ['EMAIL', 'IN_APP', 'SMS', 'PUSH', 'WEB_BANNER'] as const;
    const items = [
      notification('one-1', 'one', 'EMAIL', 60),
      ...channels.map((channel, index) => notification(`many-${index}`, 'many', channel, 60 - index)),
    ];
    const events = items.flatMap((item) => [
      { notificationIdempotencyKey: item.idempotencyKey, type: 'SENT' as const, occurredAt: item.occurredAt },
      {
        notificationIdempotencyKey: item.idempotencyKey,
        type: 'ACKNOWLEDGED' as const,
        occurredAt: new Date(Date.parse(item.occurredAt) + 60_000).toISOString(),
      },
    ]);
    await recordWithEvents(t.app, keys.NOTIFIER, items, events);
    const objection = (ref: string, kind: 'OBJECTED' | 'OBJECTION_WITHDRAWN', days: number) => ({
      subjectRef: ref,
      purposeKey: 'lookup-p',
      kind,
      occurredAt: ago(days),
      channel: 'WEB_BANNER' as const,
      idempotencyKey: `${ref}-${kind}`,
    });
    const input = {
      items: ['one', 'many'].flatMap((ref) => [
        objection(ref, 'OBJECTED', 30),
        objection(ref, 'OBJECTION_WITHDRAWN', 20),
      ]),
    };
    expect(
      expectData(await execute(t.app, LookupResponses, { key: keys.NOTIFIER, variables: { input } })),
    ).toMatchObject({
      recordResponses: { accepted: 4 },
    });
  });

  it('proves a notification in one statement with its subject, however many notifications and events', async () => {
    for (const ref of ['one', 'many']) {
      let data: Awaited<ReturnType<typeof execute<unknown, unknown>>> | undefined;
      const statements = await statementsOf(async () => {
        data = await execute(t.app, ProofLookup, { key: keys.AUDITOR, variables: { ref } });
      });
      const proof = expectData(data!) as {
        subject: { notificationProof: { notifications: unknown[]; reached: boolean } };
      };
      expect(proof.subject.notificationProof).toMatchObject({ reached: true });
      expect(proof.subject.notificationProof.notifications).toHaveLength(ref === 'one' ? 1 : 5);
      expect(statements.length, statements.join('\n')).toBe(1);
    }
  });

  it('decides eligibility with its evidence in one statement with its subject, however many notifications and events', async () => {
    for (const ref of ['one', 'many']) {
      let data: Awaited<ReturnType<typeof execute<unknown, unknown>>> | undefined;
      const statements = await statementsOf(async () => {
        data = await execute(t.app, EligibilityLookup, { key: keys.AUDITOR, variables: { ref } });
      });
      expect(expectData(data!)).toMatchObject({
        subject: {
          eligibility: {
            decision: 'ALLOWED',
            rule: 'LEGITIMATE_INTERESTS_NOTIFIED',
            purposeRevision: { number: 1 },
            evidence: {
              version: { noticeKey: 'lookup', number: 1 },
              response: { kind: 'OBJECTION_WITHDRAWN' },
            },
            transparency: { status: 'CURRENT', reached: true, version: { noticeKey: 'lookup', number: 1 } },
          },
        },
      });
      expect(statements.length, statements.join('\n')).toBe(1);
    }
  });

  it('shows the canonical form the lookup statements leave out when it is asked for, read by ID', async () => {
    const stored = await t.database.prisma.noticeVersion.findFirstOrThrow({
      where: { controllerId, number: 1, notice: { key: 'lookup' } },
      select: { canonicalForm: true },
    });
    expect(stored.canonicalForm?.length).toBeGreaterThan(0);
    const data = expectData(
      await execute(t.app, CanonicalFormLookups, { key: keys.AUDITOR, variables: { ref: 'one' } }),
    );
    expect(data).toMatchObject({
      subject: {
        notificationProof: { version: { number: 1, canonicalForm: stored.canonicalForm } },
        eligibility: {
          evidence: { version: { number: 1, canonicalForm: stored.canonicalForm } },
          transparency: { version: { canonicalForm: stored.canonicalForm } },
        },
      },
    });
  });

  it('never reads the canonical form: the version rows carry every other column, listed', async () => {
    const statements = await statementsOf(async () => {
      await execute(t.app, ProofLookup, { key: keys.AUDITOR, variables: { ref: 'many' } });
      await execute(t.app, EligibilityLookup, { key: keys.AUDITOR, variables: { ref: 'many' } });
    });
    expect(statements).toHaveLength(2);
    for (const sql of statements) expect(sql).not.toContain('canonicalForm');

    const expected = Object.values(Prisma.NoticeVersionScalarFieldEnum)
      .filter((column) => column !== 'canonicalForm')
      .sort();
    const { id } = await t.database.prisma.subject.findFirstOrThrow({ where: { controllerId } });
    const [proof] = await t.database.prisma.$queryRaw<ProofFactsRow[]>(
      proofFactsQuery(controllerId, { id }, 'lookup', 1),
    );
    expect(Object.keys(proof!.version as object).sort()).toEqual(expected);
    const [facts] = await t.database.prisma.$queryRaw<SubjectFactsRow[]>(
      subjectFactsQuery(controllerId, 'lookup-p', new Date(), [id]),
    );
    const rows = facts!.versions.map((version) => version.row).filter((row) => row !== null);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0] as object).sort()).toEqual(expected);
  });
});

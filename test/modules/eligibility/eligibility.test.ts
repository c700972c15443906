import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { Prisma } from '../../../src/generated/prisma/client.js';
import { EligibilityService } from '../../../src/modules/eligibility/eligibility.service.js';
import { publishedVersionRows } from '../../../src/modules/notice/published-version-rows.js';
import type { NotificationChannel, NotificationEventType, ResponseKind } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData, rawId } from '../../support/client.js';
import { makeKey, makeTenant } from '../../support/factories.js';
import { insertLegacyResponse } from '../../support/legacy-responses.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  notMaterial,
  publish,
  publishAsOf,
  revisePurpose,
  translations,
} from '../../support/notice-fixtures.js';
import { type TestContext, useTestApp } from '../../support/test-app.js';

const EligibilityRecordNotifications = graphql(`
  mutation EligibilityRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload {
        rejected
        items {
          recordId
          error {
            code
            message
          }
        }
      }
    }
  }
`);

const EligibilityRecordEvents = graphql(`
  mutation EligibilityRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
      ... on RecordNotificationEventsPayload {
        rejected
        items {
          recordId
          error {
            code
            message
          }
        }
      }
    }
  }
`);

const EligibilityRecordResponses = graphql(`
  mutation EligibilityRecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      __typename
      ... on RecordResponsesPayload {
        rejected
        items {
          recordId
          error {
            code
            message
          }
        }
      }
    }
  }
`);

const EligibilityOfSubject = graphql(`
  query EligibilityOfSubject($ref: String!, $purposeKey: String!, $at: DateTime) {
    subject(ref: $ref) {
      id
      eligibility(purposeKey: $purposeKey, at: $at) {
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
              id
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
            reached
            since
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
          }
        }
        ... on NotFoundError {
          code
          resource
        }
      }
    }
  }
`);

const EligibilitySubjectId = graphql(`
  query EligibilitySubjectId($ref: String!) {
    subject(ref: $ref) {
      id
    }
  }
`);

const EligibilityOfNodes = graphql(`
  query EligibilityOfNodes($ids: [ID!]!, $purposeKey: String!, $at: DateTime) {
    nodes(ids: $ids) {
      ... on Subject {
        id
        eligibility(purposeKey: $purposeKey, at: $at) {
          ... on EligibilityResult {
            decision
            rule
            evidence {
              version {
                number
              }
            }
            transparency {
              status
              version {
                number
              }
            }
          }
        }
      }
    }
  }
`);

const CreateEligibilityManifest = graphql(`
  mutation CreateEligibilityManifest($input: CreateEligibilityManifestInput!) {
    createEligibilityManifest(input: $input) {
      __typename
      ... on CreateEligibilityManifestPayload {
        manifest {
          id
          at
          eligible
          setHash
          createdAt
          purpose {
            key
          }
          settings {
            minimumNoticeDays
            reachEvidence {
              channel
              eventTypes
            }
            leadTimes {
              days
              frozen
              version {
                noticeKey
                number
              }
            }
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const EligibilityManifestById = graphql(`
  query EligibilityManifestById($id: ID!) {
    eligibilityManifest(id: $id) {
      id
      eligible
      setHash
    }
    node(id: $id) {
      id
    }
  }
`);

const VerifyEligibilityManifest = graphql(`
  query VerifyEligibilityManifest($id: ID!) {
    verifyEligibilityManifest(id: $id) {
      __typename
      ... on EligibilityManifestVerification {
        matches
        recomputedCount
        recomputedHash
        manifest {
          eligible
          setHash
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const EligibilityArchivePurpose = graphql(`
  mutation EligibilityArchivePurpose($key: String!) {
    archivePurpose(input: { key: $key }) {
      __typename
    }
  }
`);

const EligibilityEraseSubject = graphql(`
  mutation EligibilityEraseSubject($ref: String!) {
    eraseSubject(input: { subjectRef: $ref }) {
      __typename
    }
  }
`);

const day = 24 * 60 * 60 * 1000;
const ago = (days: number, base = Date.now()) => new Date(base - days * day).toISOString();

interface NotificationSpec {
  ref: string;
  notice: string;
  version: number;
  channel?: NotificationChannel;
  occurredAt: string;
  key?: string;
}

let sequence = 0;
const nextKey = (prefix: string) => `${prefix}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

async function notify(app: App, apiKey: string, specs: NotificationSpec[]) {
  const items = specs.map((spec) => ({
    subjectRef: spec.ref,
    noticeKey: spec.notice,
    versionNumber: spec.version,
    channel: spec.channel ?? 'EMAIL',
    locale: 'en',
    occurredAt: spec.occurredAt,
    idempotencyKey: spec.key ?? nextKey('n'),
  }));
  const result = expectData(
    await execute(app, EligibilityRecordNotifications, { key: apiKey, variables: { input: { items } } }),
  ).recordNotifications;
  if (result.__typename !== 'RecordNotificationsPayload' || result.rejected > 0)
    throw new Error(JSON.stringify(result));
  return result.items.map((item, index) => ({
    id: rawId(item.recordId!),
    key: items[index]!.idempotencyKey,
  }));
}

async function deliver(
  app: App,
  apiKey: string,
  specs: { key: string; type: NotificationEventType; occurredAt: string }[],
) {
  const items = specs.map((spec) => ({
    notificationIdempotencyKey: spec.key,
    type: spec.type,
    occurredAt: spec.occurredAt,
  }));
  const result = expectData(
    await execute(app, EligibilityRecordEvents, { key: apiKey, variables: { input: { items } } }),
  ).recordNotificationEvents;
  if (result.__typename !== 'RecordNotificationEventsPayload' || result.rejected > 0)
    throw new Error(JSON.stringify(result));
  return result.items.map((item) => rawId(item.recordId!));
}

interface ResponseSpec {
  ref: string;
  purpose: string;
  kind: ResponseKind;
  occurredAt: string;
  notice?: string;
  version?: number;
}

/**
 * Records the answers in order. A consent that names no notice version is a row recorded before
 * consent records had to name one (ADR 0033): the API refuses it now, so it is inserted as such.
 */
async function respond(t: TestContext, apiKey: string, specs: ResponseSpec[]) {
  const legacy = (spec: ResponseSpec) =>
    !spec.notice && (spec.kind === 'CONSENT_GIVEN' || spec.kind === 'CONSENT_REFUSED');
  const throughApi = specs.filter((spec) => !legacy(spec));
  const apiIds = throughApi.length > 0 ? await respondThroughApi(t.app, apiKey, throughApi) : [];
  const ids: string[] = [];
  for (const spec of specs) {
    if (!legacy(spec)) {
      ids.push(apiIds[throughApi.indexOf(spec)]!);
      continue;
    }
    ids.push(
      await insertLegacyResponse(t.database, apiKey, {
        subjectRef: spec.ref,
        purposeKey: spec.purpose,
        kind: spec.kind as 'CONSENT_GIVEN' | 'CONSENT_REFUSED',
        occurredAt: spec.occurredAt,
        channel: 'WEB_BANNER',
        idempotencyKey: nextKey('r'),
      }),
    );
  }
  return ids;
}

async function respondThroughApi(app: App, apiKey: string, specs: ResponseSpec[]) {
  const items = specs.map((spec) => ({
    subjectRef: spec.ref,
    purposeKey: spec.purpose,
    kind: spec.kind,
    occurredAt: spec.occurredAt,
    channel: 'WEB_BANNER' as const,
    noticeKey: spec.notice ?? null,
    versionNumber: spec.version ?? null,
    locale: spec.notice ? 'en' : null,
    idempotencyKey: nextKey('r'),
  }));
  const result = expectData(
    await execute(app, EligibilityRecordResponses, { key: apiKey, variables: { input: { items } } }),
  ).recordResponses;
  if (result.__typename !== 'RecordResponsesPayload' || result.rejected > 0)
    throw new Error(JSON.stringify(result));
  return result.items.map((item) => rawId(item.recordId!));
}

async function eligibility(app: App, apiKey: string, ref: string, purposeKey: string, at?: string) {
  const subject = expectData(
    await execute(app, EligibilityOfSubject, { key: apiKey, variables: { ref, purposeKey, at } }),
  ).subject;
  if (!subject) throw new Error(`no subject ${ref}`);
  const result = subject.eligibility;
  if (result.__typename !== 'EligibilityResult') throw new Error(JSON.stringify(result));
  return {
    subjectId: rawId(subject.id),
    decision: result.decision,
    rule: result.rule,
    legalBasis: result.legalBasis,
    explanation: result.explanation,
    revision: result.purposeRevision?.number ?? null,
    version: result.evidence.version
      ? `${result.evidence.version.noticeKey}#${result.evidence.version.number}`
      : null,
    notification: result.evidence.notification ? rawId(result.evidence.notification.id) : null,
    event: result.evidence.event ? rawId(result.evidence.event.id) : null,
    eventType: result.evidence.event?.type ?? null,
    response: result.evidence.response ? rawId(result.evidence.response.id) : null,
    transparency: result.transparency && {
      status: result.transparency.status,
      reached: result.transparency.reached,
      since: result.transparency.since,
      version: result.transparency.version
        ? `${result.transparency.version.noticeKey}#${result.transparency.version.number}`
        : null,
      notification: result.transparency.notification ? rawId(result.transparency.notification.id) : null,
      event: result.transparency.event ? rawId(result.transparency.event.id) : null,
    },
  };
}

/**
 * Sets the lead time frozen on a published version, behind the immutability trigger: to pin the
 * value a test is about, whatever publication stored (null: a version published before lead
 * times were frozen).
 */
async function freezeLeadTime(versionId: string, days: number | null) {
  const id = /^[0-9a-f-]{36}$/.test(versionId) ? versionId : rawId(versionId);
  const sql = t.database.sql.bind(t.database);
  await sql(`ALTER TABLE "NoticeVersion" DISABLE TRIGGER "NoticeVersion_immutable"`);
  try {
    await sql(`UPDATE "NoticeVersion" SET "minimumNoticeDays" = $1 WHERE "id" = $2`, [days, id]);
  } finally {
    await sql(`ALTER TABLE "NoticeVersion" ENABLE TRIGGER "NoticeVersion_immutable"`);
  }
  // The process remembers published versions as they cannot change (ADR 0053); this one did.
  publishedVersionRows(t.database).clear();
}

/**
 * A new revision of the purpose under another legal basis, with the justification a switch away
 * from consent needs, written directly: how the API checks such a switch is the purpose module's
 * concern, what eligibility makes of it is this file's.
 */
async function switchBasis(
  controllerId: string,
  purposeKey: string,
  legalBasis: 'LEGITIMATE_INTERESTS' | 'CONTRACT' | 'LEGAL_OBLIGATION',
) {
  const prisma = t.database.prisma;
  await prisma.$transaction(async (tx) => {
    const purpose = await tx.purpose.update({
      where: { controllerId_key: { controllerId, key: purposeKey } },
      data: { currentRevision: { increment: 1 } },
    });
    const {
      id: _id,
      number: _number,
      createdAt: _createdAt,
      ...previous
    } = await tx.purposeRevision.findFirstOrThrow({
      where: { purposeId: purpose.id },
      orderBy: { number: 'desc' },
    });
    await tx.purposeRevision.create({
      data: {
        ...previous,
        number: purpose.currentRevision,
        legalBasis,
        legitimateInterest: legalBasis === 'LEGITIMATE_INTERESTS' ? 'Keeping members informed.' : null,
        consentValidityDays: null,
        explicitConsent: false,
        basisChangeJustification: 'The processing is needed for another reason than the consent given.',
        automatedDecisionMaking: previous.automatedDecisionMaking ?? Prisma.DbNull,
        objectionMechanism: previous.objectionMechanism ?? Prisma.DbNull,
        legitimateInterestAssessment: Prisma.DbNull,
        specialCategories: previous.specialCategories ?? [],
        transfers: previous.transfers ?? [],
      },
    });
  });
}

/**
 * A notice whose first version covers the purposes and is in force from now. It was published
 * 90 days ago (announced ahead of its effective date), so that the notifications these tests
 * date up to 60 days back came after its publication, as the API requires.
 */
async function noticeInForce(app: App, apiKey: string, noticeKey: string, purposeKeys: string[]) {
  await createNotice(app, noticeKey, apiKey);
  const id = await createDraft(app, apiKey, { noticeKey, purposeKeys, effectiveFrom: inDays(0) });
  return publishAsOf(t.database, id, new Date(ago(90)), 'first version of a new notice');
}

const consentContent = { legalBasis: 'CONSENT' as const, legitimateInterest: null };

function setHash(ids: string[]): string {
  return createHash('sha256')
    .update([...ids].sort().join('\n'), 'utf8')
    .digest('hex');
}

const t = useTestApp();

describe('eligibility of one subject', () => {
  it('legitimate interests: allowed when reached in time without objection; each denial with its evidence', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'training', keys.EDITOR);
    const beforePublication = new Date().toISOString();
    const published = await noticeInForce(t.app, keys.EDITOR, 'ai-notice', ['training']);
    await createPurpose(t.app, 'newsletter', keys.EDITOR, consentContent);
    await noticeInForce(t.app, keys.EDITOR, 'marketing', ['newsletter']);
    // The lead time this test is about, frozen on the version (whatever publication stored).
    await freezeLeadTime(published.id, 28);

    const [delivered, inApp, unseen, bounced, recent, other] = await notify(t.app, keys.NOTIFIER, [
      { ref: 'delivered', notice: 'ai-notice', version: 1, occurredAt: ago(40) },
      { ref: 'in-app', notice: 'ai-notice', version: 1, channel: 'IN_APP', occurredAt: ago(30) },
      { ref: 'in-app-unseen', notice: 'ai-notice', version: 1, channel: 'IN_APP', occurredAt: ago(30) },
      { ref: 'bounced', notice: 'ai-notice', version: 1, occurredAt: ago(40) },
      { ref: 'recent', notice: 'ai-notice', version: 1, occurredAt: ago(10) },
      { ref: 'other-notice', notice: 'marketing', version: 1, occurredAt: ago(40) },
    ]);
    const deliveredAt = ago(39.9);
    const [deliveredEvent, , displayedEvent, sentEvent, bounceEvent, recentEvent] = await deliver(
      t.app,
      keys.NOTIFIER,
      [
        { key: delivered!.key, type: 'DELIVERED', occurredAt: deliveredAt },
        { key: delivered!.key, type: 'OPENED', occurredAt: ago(39) },
        { key: inApp!.key, type: 'DISPLAYED', occurredAt: ago(29.5) },
        { key: unseen!.key, type: 'SENT', occurredAt: ago(30) },
        { key: bounced!.key, type: 'BOUNCED', occurredAt: ago(39.9) },
        { key: recent!.key, type: 'DELIVERED', occurredAt: ago(10) },
        { key: other!.key, type: 'DELIVERED', occurredAt: ago(40) },
      ],
    );

    const allowed = await eligibility(t.app, keys.AUDITOR, 'delivered', 'training');
    expect(allowed).toMatchObject({
      decision: 'ALLOWED',
      rule: 'LEGITIMATE_INTERESTS_NOTIFIED',
      legalBasis: 'LEGITIMATE_INTERESTS',
      revision: 1,
      version: 'ai-notice#1',
      notification: delivered!.id,
      event: deliveredEvent,
      eventType: 'DELIVERED',
      response: null,
      transparency: {
        status: 'CURRENT',
        reached: true,
        version: 'ai-notice#1',
        notification: delivered!.id,
        event: deliveredEvent,
      },
    });
    expect(allowed.transparency?.since).toBe(deliveredAt);
    // Shown in the app: reached when displayed; sent but never displayed: not reached.
    expect(await eligibility(t.app, keys.AUDITOR, 'in-app', 'training')).toMatchObject({
      decision: 'ALLOWED',
      notification: inApp!.id,
      event: displayedEvent,
      eventType: 'DISPLAYED',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'in-app-unseen', 'training')).toMatchObject({
      decision: 'DENIED',
      rule: 'NOT_REACHED',
      notification: unseen!.id,
      event: sentEvent,
      transparency: { status: 'CURRENT', reached: false, notification: unseen!.id, event: null },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'bounced', 'training')).toMatchObject({
      decision: 'DENIED',
      rule: 'NOT_REACHED',
      notification: bounced!.id,
      event: bounceEvent,
      eventType: 'BOUNCED',
    });
    const tooSoon = await eligibility(t.app, keys.AUDITOR, 'recent', 'training');
    expect(tooSoon).toMatchObject({
      decision: 'DENIED',
      rule: 'LEAD_TIME_NOT_MET',
      notification: recent!.id,
      event: recentEvent,
    });
    expect(tooSoon.explanation).toContain('28 days');
    expect(await eligibility(t.app, keys.AUDITOR, 'recent', 'training', inDays(18.01))).toMatchObject({
      decision: 'ALLOWED',
      rule: 'LEGITIMATE_INTERESTS_NOTIFIED',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'other-notice', 'training')).toMatchObject({
      decision: 'DENIED',
      rule: 'NOT_NOTIFIED',
      version: 'ai-notice#1',
      notification: null,
      transparency: { status: 'NONE', reached: false, since: null, version: null, notification: null },
    });
    // Before the version took effect, nothing covered the purpose.
    expect(await eligibility(t.app, keys.AUDITOR, 'delivered', 'training', beforePublication)).toMatchObject({
      decision: 'DENIED',
      rule: 'NO_VERSION_IN_FORCE',
    });
    // The lead time is frozen with the version: a shorter controller setting today changes nothing.
    await t.database.prisma.controller.update({
      where: { id: controller.id },
      data: { minimumNoticeDays: 7 },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'recent', 'training')).toMatchObject({
      rule: 'LEAD_TIME_NOT_MET',
    });
    // A version published before lead times were frozen takes the controller's setting.
    await freezeLeadTime(published.id, null);
    expect(await eligibility(t.app, keys.AUDITOR, 'recent', 'training')).toMatchObject({
      decision: 'ALLOWED',
    });
    // The controller decides what shows reach on a channel: here only an acknowledgement for e-mail.
    await t.database.prisma.controller.update({
      where: { id: controller.id },
      data: { reachEvidence: { EMAIL: ['ACKNOWLEDGED'] } },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'delivered', 'training')).toMatchObject({
      rule: 'NOT_REACHED',
      transparency: { status: 'CURRENT', reached: false },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'in-app', 'training')).toMatchObject({
      decision: 'ALLOWED',
    });
  });

  it('objections count from when they are made until they are withdrawn', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'training', keys.EDITOR);
    await noticeInForce(t.app, keys.EDITOR, 'ai-notice', ['training']);
    const shown = await notify(t.app, keys.NOTIFIER, [
      { ref: 'objector', notice: 'ai-notice', version: 1, channel: 'IN_APP', occurredAt: ago(40) },
      { ref: 'changed-mind', notice: 'ai-notice', version: 1, channel: 'IN_APP', occurredAt: ago(40) },
      { ref: 'same-instant', notice: 'ai-notice', version: 1, channel: 'IN_APP', occurredAt: ago(40) },
    ]);
    await deliver(
      t.app,
      keys.NOTIFIER,
      shown.map((item) => ({ key: item.key, type: 'DISPLAYED', occurredAt: ago(40) })),
    );
    const objectedAt = new Date(Date.now() + 2 * 60_000);
    const [objection] = await respond(t, keys.NOTIFIER, [
      { ref: 'objector', purpose: 'training', kind: 'OBJECTED', occurredAt: objectedAt.toISOString() },
    ]);
    const [, withdrawal] = await respond(t, keys.NOTIFIER, [
      { ref: 'changed-mind', purpose: 'training', kind: 'OBJECTED', occurredAt: ago(3) },
      { ref: 'changed-mind', purpose: 'training', kind: 'OBJECTION_WITHDRAWN', occurredAt: ago(1) },
    ]);
    const instant = ago(1);
    await respond(t, keys.NOTIFIER, [
      { ref: 'same-instant', purpose: 'training', kind: 'OBJECTION_WITHDRAWN', occurredAt: instant },
      { ref: 'same-instant', purpose: 'training', kind: 'OBJECTED', occurredAt: instant },
    ]);

    const before = new Date(objectedAt.getTime() - 1).toISOString();
    expect(await eligibility(t.app, keys.AUDITOR, 'objector', 'training', before)).toMatchObject({
      decision: 'ALLOWED',
    });
    expect(
      await eligibility(t.app, keys.AUDITOR, 'objector', 'training', objectedAt.toISOString()),
    ).toMatchObject({
      decision: 'DENIED',
      rule: 'OBJECTED',
      response: objection,
      version: 'ai-notice#1',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'changed-mind', 'training')).toMatchObject({
      decision: 'ALLOWED',
      response: withdrawal,
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'same-instant', 'training')).toMatchObject({
      rule: 'OBJECTED',
    });
  });

  it('a new purpose counts from the version that introduced it; later versions count as far as they leave it unchanged', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'feed', keys.EDITOR);
    await noticeInForce(t.app, keys.EDITOR, 'privacy', ['feed']);
    await createPurpose(t.app, 'ai-training', keys.EDITOR);
    const second = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy',
      purposeKeys: ['feed', 'ai-training'],
      effectiveFrom: inDays(30),
    });
    expect(await publish(t.app, keys.EDITOR, second)).toMatchObject({
      number: 2,
      classification: 'RENOTIFY',
    });
    const told = await notify(t.app, keys.NOTIFIER, [
      { ref: 'told', notice: 'privacy', version: 2, channel: 'IN_APP', occurredAt: ago(0) },
      { ref: 'told-of-one', notice: 'privacy', version: 1, channel: 'IN_APP', occurredAt: ago(0) },
    ]);
    await deliver(
      t.app,
      keys.NOTIFIER,
      told.map((item) => ({ key: item.key, type: 'DISPLAYED', occurredAt: ago(0) })),
    );
    const toldOfTwo = told[0]!;

    expect(await eligibility(t.app, keys.AUDITOR, 'told', 'ai-training')).toMatchObject({
      rule: 'NO_VERSION_IN_FORCE',
      // Told ahead of a version not yet in force: informed, but not of the version in force.
      transparency: { status: 'OTHER_VERSION_ONLY', version: 'privacy#2' },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'told', 'ai-training', inDays(31))).toMatchObject({
      decision: 'ALLOWED',
      version: 'privacy#2',
      notification: toldOfTwo.id,
      transparency: { status: 'CURRENT', version: 'privacy#2', reached: true },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'told-of-one', 'ai-training', inDays(31))).toMatchObject({
      rule: 'NOT_NOTIFIED',
      version: 'privacy#2',
    });
    // Being told of version 1 still counts for `feed` under version 2: it did not change there.
    expect(await eligibility(t.app, keys.AUDITOR, 'told-of-one', 'feed', inDays(31))).toMatchObject({
      decision: 'ALLOWED',
      version: 'privacy#2',
    });

    // Version 3 adds another purpose (RENOTIFY, but not for ai-training): notice of 2 still counts.
    await createPurpose(t.app, 'ranking', keys.EDITOR);
    const third = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy',
      purposeKeys: ['feed', 'ai-training', 'ranking'],
      effectiveFrom: inDays(40),
    });
    expect(await publish(t.app, keys.EDITOR, third)).toMatchObject({ number: 3, classification: 'RENOTIFY' });
    expect(await eligibility(t.app, keys.AUDITOR, 'told', 'ai-training', inDays(41))).toMatchObject({
      decision: 'ALLOWED',
      version: 'privacy#3',
      notification: toldOfTwo.id,
    });
    // A new revision of ai-training (a new recipient): the version in force still describes the
    // old one, so nobody has been told of the purpose as it is now processed.
    await revisePurpose(t.app, 'ai-training', keys.EDITOR, { recipients: ['model vendor'] });
    expect(await eligibility(t.app, keys.AUDITOR, 'told', 'ai-training', inDays(41))).toMatchObject({
      decision: 'DENIED',
      rule: 'REVISION_NOT_NOTIFIED',
      revision: 2,
      version: 'privacy#3',
    });
    // `feed` did not change: unaffected.
    expect(await eligibility(t.app, keys.AUDITOR, 'told', 'feed', inDays(41))).toMatchObject({
      decision: 'ALLOWED',
    });
    // Version 4 describes it; the change is material (RENOTIFY): people must be told of version 4.
    const fourth = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy',
      purposeKeys: ['feed', 'ai-training', 'ranking'],
      effectiveFrom: inDays(70),
    });
    expect(await publish(t.app, keys.EDITOR, fourth)).toMatchObject({
      number: 4,
      classification: 'RENOTIFY',
    });
    const [toldOfFour] = await notify(t.app, keys.NOTIFIER, [
      { ref: 'told-of-four', notice: 'privacy', version: 4, occurredAt: ago(0) },
    ]);
    await deliver(t.app, keys.NOTIFIER, [{ key: toldOfFour!.key, type: 'DELIVERED', occurredAt: ago(0) }]);
    expect(await eligibility(t.app, keys.AUDITOR, 'told', 'ai-training', inDays(71))).toMatchObject({
      rule: 'NOT_NOTIFIED',
      version: 'privacy#4',
      transparency: { status: 'OTHER_VERSION_ONLY', version: 'privacy#2' },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'told-of-four', 'ai-training', inDays(71))).toMatchObject({
      decision: 'ALLOWED',
      revision: 2,
      version: 'privacy#4',
      notification: toldOfFour!.id,
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'told', 'feed', inDays(71))).toMatchObject({
      decision: 'ALLOWED',
    });
  });

  it('consent: given for the current form and neither withdrawn nor lapsed; each denial with its response', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'newsletter', keys.EDITOR, { ...consentContent, consentValidityDays: 30 });
    await noticeInForce(t.app, keys.EDITOR, 'marketing', ['newsletter']);
    const version = { notice: 'marketing', version: 1 };
    const [given, , withdrawn, old, recent] = await respond(t, keys.NOTIFIER, [
      { ref: 'given', purpose: 'newsletter', kind: 'CONSENT_GIVEN', occurredAt: ago(0), ...version },
      { ref: 'withdrawn', purpose: 'newsletter', kind: 'CONSENT_GIVEN', occurredAt: ago(0.5), ...version },
      { ref: 'withdrawn', purpose: 'newsletter', kind: 'CONSENT_WITHDRAWN', occurredAt: ago(0.1) },
      { ref: 'old', purpose: 'newsletter', kind: 'CONSENT_GIVEN', occurredAt: ago(40), ...version },
      {
        ref: 'versionless',
        purpose: 'newsletter',
        kind: 'CONSENT_GIVEN',
        occurredAt: new Date().toISOString(),
      },
    ]);
    const [silent] = await notify(t.app, keys.NOTIFIER, [
      { ref: 'silent', notice: 'marketing', version: 1, occurredAt: ago(1) },
    ]);

    expect(await eligibility(t.app, keys.AUDITOR, 'given', 'newsletter')).toMatchObject({
      decision: 'ALLOWED',
      rule: 'CONSENT_GIVEN',
      legalBasis: 'CONSENT',
      response: given,
      version: 'marketing#1',
      notification: null,
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'given', 'newsletter', inDays(29.9))).toMatchObject({
      decision: 'ALLOWED',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'given', 'newsletter', inDays(30.1))).toMatchObject({
      rule: 'CONSENT_LAPSED',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'withdrawn', 'newsletter')).toMatchObject({
      rule: 'CONSENT_WITHDRAWN',
      response: withdrawn,
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'old', 'newsletter')).toMatchObject({
      rule: 'CONSENT_LAPSED',
      response: old,
    });
    // A consent that does not name the version shown cannot be shown to be informed.
    expect(await eligibility(t.app, keys.AUDITOR, 'versionless', 'newsletter')).toMatchObject({
      decision: 'DENIED',
      rule: 'CONSENT_VERSION_UNKNOWN',
      response: recent,
      version: null,
    });
    // Told, but never asked: no consent. The transparency finding says they were informed.
    expect(await eligibility(t.app, keys.AUDITOR, 'silent', 'newsletter')).toMatchObject({
      rule: 'CONSENT_MISSING',
      response: null,
      transparency: { status: 'CURRENT', reached: false, version: 'marketing#1', notification: silent!.id },
    });
  });

  it('consent to an earlier form of the purpose: outdated until a version shows the change needs no new consent', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'newsletter', keys.EDITOR, consentContent);
    await noticeInForce(t.app, keys.EDITOR, 'marketing', ['newsletter']);
    const [consent] = await respond(t, keys.NOTIFIER, [
      {
        ref: 'early',
        purpose: 'newsletter',
        kind: 'CONSENT_GIVEN',
        occurredAt: ago(0),
        notice: 'marketing',
        version: 1,
      },
      { ref: 'early-versionless', purpose: 'newsletter', kind: 'CONSENT_GIVEN', occurredAt: ago(0) },
    ]);
    // A new data source re-notifies but does not widen what was consented to (a new recipient would).
    await revisePurpose(t.app, 'newsletter', keys.EDITOR, {
      ...consentContent,
      dataSources: ['newsletter sign-up form'],
    });
    const unpublished = new Date().toISOString();
    expect(await eligibility(t.app, keys.AUDITOR, 'early', 'newsletter')).toMatchObject({
      rule: 'CONSENT_OUTDATED',
      response: consent,
      revision: 2,
    });
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'marketing',
      purposeKeys: ['newsletter'],
      effectiveFrom: inDays(30),
    });
    expect(await publish(t.app, keys.EDITOR, draft)).toMatchObject({ number: 2, classification: 'RENOTIFY' });
    expect(await eligibility(t.app, keys.AUDITOR, 'early', 'newsletter')).toMatchObject({
      decision: 'ALLOWED',
      version: 'marketing#1',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'early', 'newsletter', unpublished)).toMatchObject({
      rule: 'CONSENT_OUTDATED',
    });
    // Without a version, a consent never counts, before or after the change.
    for (const at of [unpublished, undefined]) {
      expect(await eligibility(t.app, keys.AUDITOR, 'early-versionless', 'newsletter', at)).toMatchObject({
        rule: 'CONSENT_VERSION_UNKNOWN',
      });
    }

    // A change that needs new consent (legitimate interests → consent) makes earlier consents outdated for good.
    await createPurpose(t.app, 'profiling', keys.EDITOR);
    await noticeInForce(t.app, keys.EDITOR, 'ads', ['profiling']);
    await respond(t, keys.NOTIFIER, [
      {
        ref: 'under-one',
        purpose: 'profiling',
        kind: 'CONSENT_GIVEN',
        occurredAt: ago(0),
        notice: 'ads',
        version: 1,
      },
    ]);
    await revisePurpose(t.app, 'profiling', keys.EDITOR, consentContent);
    const reconsent = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'ads',
      purposeKeys: ['profiling'],
      effectiveFrom: inDays(0),
    });
    expect(await publish(t.app, keys.EDITOR, reconsent, 'tested')).toMatchObject({
      classification: 'RECONSENT',
    });
    const [current] = await respond(t, keys.NOTIFIER, [
      {
        ref: 'under-two',
        purpose: 'profiling',
        kind: 'CONSENT_GIVEN',
        occurredAt: ago(0),
        notice: 'ads',
        version: 2,
      },
    ]);
    expect(await eligibility(t.app, keys.AUDITOR, 'under-one', 'profiling')).toMatchObject({
      rule: 'CONSENT_OUTDATED',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'under-two', 'profiling')).toMatchObject({
      decision: 'ALLOWED',
      response: current,
      version: 'ads#2',
    });
  });

  it('contract, legal obligation, vital interests, public task: lawful whether or not notified, with a separate transparency finding; public task yields to objections', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'billing', keys.EDITOR, { legalBasis: 'CONTRACT', legitimateInterest: null });
    await createPurpose(t.app, 'census', keys.EDITOR, {
      legalBasis: 'PUBLIC_TASK',
      legitimateInterest: null,
    });
    await createPurpose(t.app, 'tax', keys.EDITOR, {
      legalBasis: 'LEGAL_OBLIGATION',
      legitimateInterest: null,
    });
    await createPurpose(t.app, 'rescue', keys.EDITOR, {
      legalBasis: 'VITAL_INTERESTS',
      legitimateInterest: null,
    });
    await createPurpose(t.app, 'legacy', keys.EDITOR, { legalBasis: 'CONTRACT', legitimateInterest: null });
    await createPurpose(t.app, 'unpublished', keys.EDITOR, {
      legalBasis: 'CONTRACT',
      legitimateInterest: null,
    });
    const purposeKeys = ['billing', 'census', 'tax', 'rescue', 'legacy'];
    await noticeInForce(t.app, keys.EDITOR, 'terms', purposeKeys);
    const sentFirst = ago(2);
    const [first, second] = await notify(t.app, keys.NOTIFIER, [
      { ref: 'customer', notice: 'terms', version: 1, channel: 'POSTAL', occurredAt: sentFirst },
      { ref: 'customer', notice: 'terms', version: 1, channel: 'POSTAL', occurredAt: ago(1) },
    ]);
    // Delivered a minute from now: not yet at the request's instant.
    const deliveredAt = new Date(Date.now() + 60_000).toISOString();
    const [delivery] = await deliver(t.app, keys.NOTIFIER, [
      { key: second!.key, type: 'DELIVERED', occurredAt: deliveredAt },
    ]);
    const [objection] = await respond(t, keys.NOTIFIER, [
      { ref: 'customer', purpose: 'census', kind: 'OBJECTED', occurredAt: ago(0) },
      { ref: 'stranger', purpose: 'billing', kind: 'OBJECTED', occurredAt: ago(0) },
    ]);

    // Not known to have arrived yet: informed since the first letter was sent, and it says so.
    expect(await eligibility(t.app, keys.AUDITOR, 'customer', 'billing')).toMatchObject({
      decision: 'ALLOWED',
      rule: 'LAWFUL_BASIS',
      legalBasis: 'CONTRACT',
      notification: first!.id,
      event: null,
      version: 'terms#1',
      response: null,
      transparency: {
        status: 'CURRENT',
        reached: false,
        since: sentFirst,
        notification: first!.id,
        event: null,
      },
    });
    const delivered = inDays(0.01);
    expect(await eligibility(t.app, keys.AUDITOR, 'customer', 'billing', delivered)).toMatchObject({
      decision: 'ALLOWED',
      rule: 'LAWFUL_BASIS',
      notification: second!.id,
      event: delivery,
      transparency: {
        status: 'CURRENT',
        reached: true,
        since: deliveredAt,
        version: 'terms#1',
        notification: second!.id,
        event: delivery,
      },
    });
    // Never told: still lawful; the finding records the duty to inform as unmet. An objection
    // does not stop processing under a contract (Art. 21(1) covers public task and legitimate interests).
    for (const purposeKey of ['billing', 'tax', 'rescue', 'census']) {
      expect(await eligibility(t.app, keys.AUDITOR, 'stranger', purposeKey), purposeKey).toMatchObject({
        decision: 'ALLOWED',
        rule: 'LAWFUL_BASIS',
        notification: null,
        version: null,
        response: null,
        transparency: { status: 'NONE', reached: false, since: null, version: null, notification: null },
      });
    }
    expect(await eligibility(t.app, keys.AUDITOR, 'customer', 'census')).toMatchObject({
      decision: 'DENIED',
      rule: 'OBJECTED',
      response: objection,
      transparency: { status: 'CURRENT', reached: false },
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'customer', 'billing', ago(30))).toMatchObject({
      rule: 'PURPOSE_NOT_IN_FORCE',
      legalBasis: null,
      transparency: null,
    });

    // A new version in force: the customer was told only of the earlier one.
    const reworded = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'terms',
      purposeKeys,
      effectiveFrom: inDays(0),
      translations: translations('Our terms, explained better.'),
    });
    // Reworded only, signed off as not material: EDITORIAL, so no notice period.
    expect(await publish(t.app, keys.EDITOR, reworded, undefined, notMaterial)).toMatchObject({
      number: 2,
      classification: 'EDITORIAL',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'customer', 'tax', delivered)).toMatchObject({
      decision: 'ALLOWED',
      rule: 'LAWFUL_BASIS',
      transparency: { status: 'OTHER_VERSION_ONLY', reached: true, version: 'terms#1' },
    });

    const beforeArchive = new Date().toISOString();
    expectData(
      await execute(t.app, EligibilityArchivePurpose, { key: keys.EDITOR, variables: { key: 'legacy' } }),
    );
    expect(await eligibility(t.app, keys.AUDITOR, 'customer', 'legacy')).toMatchObject({
      decision: 'DENIED',
      rule: 'PURPOSE_ARCHIVED',
    });
    expect(await eligibility(t.app, keys.AUDITOR, 'customer', 'legacy', beforeArchive)).toMatchObject({
      decision: 'ALLOWED',
    });

    for (const purposeKey of ['no-such-purpose', 'unpublished']) {
      const response = expectData(
        await execute(t.app, EligibilityOfSubject, {
          key: keys.AUDITOR,
          variables: { ref: 'customer', purposeKey },
        }),
      );
      expect(response.subject?.eligibility).toMatchObject({
        __typename: 'NotFoundError',
        code: 'NOT_FOUND',
        resource: 'Purpose',
      });
    }
  });

  it('decides a page of subjects in a constant number of statements', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'training', keys.EDITOR);
    await noticeInForce(t.app, keys.EDITOR, 'ai-notice', ['training']);
    const refs = Array.from({ length: 12 }, (_, index) => `page-${index}`);
    const notified = await notify(
      t.app,
      keys.NOTIFIER,
      refs.map((ref) => ({ ref, notice: 'ai-notice', version: 1, occurredAt: ago(40) })),
    );
    await deliver(
      t.app,
      keys.NOTIFIER,
      notified.slice(0, 6).map((item) => ({ key: item.key, type: 'DELIVERED', occurredAt: ago(40) })),
    );
    const ids: string[] = [];
    for (const ref of refs) ids.push((await eligibility(t.app, keys.AUDITOR, ref, 'training')).subjectId);
    const globalIds = ids.map((id) => Buffer.from(`Subject:${id}`).toString('base64'));
    const run = (subset: string[]) =>
      t.database.counter.measure(async () =>
        expectData(
          await execute(t.app, EligibilityOfNodes, {
            key: keys.AUDITOR,
            variables: { ids: subset, purposeKey: 'training' },
          }),
        ),
      );
    const one = await run(globalIds.slice(0, 1));
    const all = await run(globalIds);
    expect(all.count).toBe(one.count);
    const rules = all.result.nodes.map((node) => (node && 'eligibility' in node ? node.eligibility : null));
    expect(rules.filter((rule) => rule && 'decision' in rule && rule.decision === 'ALLOWED')).toHaveLength(6);
  });
});

describe('eligibility manifests', () => {
  /**
   * Thirty subjects in different situations, for four purposes of different bases: p-li
   * (legitimate interests), p-consent (consent, valid 30 days), p-contract (consent until now,
   * switched to contract), p-public (public task). The version in force, pn #2, has a lead time of
   * 14 days frozen with it (the controller's is 28), and the controller counts a web banner as
   * reached only when dismissed.
   */
  async function population({
    controller,
    keys,
  }: {
    controller: { id: string };
    keys: Record<'EDITOR' | 'NOTIFIER', string>;
  }) {
    await createPurpose(t.app, 'p-li', keys.EDITOR);
    await createPurpose(t.app, 'p-consent', keys.EDITOR, { ...consentContent, consentValidityDays: 30 });
    await createPurpose(t.app, 'p-contract', keys.EDITOR, consentContent);
    await createPurpose(t.app, 'p-public', keys.EDITOR, {
      legalBasis: 'PUBLIC_TASK',
      legitimateInterest: null,
    });
    const purposeKeys = ['p-li', 'p-consent', 'p-contract', 'p-public'];
    const first = await noticeInForce(t.app, keys.EDITOR, 'pn', purposeKeys);
    const editorial = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'pn',
      purposeKeys,
      effectiveFrom: inDays(0),
      translations: translations('We process your data, explained better.'),
    });
    // Published after the first (90 days ago) and before the notifications of it, dated up to 50 days back.
    // The text is reworded only, signed off as not material: EDITORIAL.
    expect(await publishAsOf(t.database, editorial, new Date(ago(80)), undefined, notMaterial)).toMatchObject(
      {
        number: 2,
        classification: 'EDITORIAL',
      },
    );
    await freezeLeadTime(first.id, 28);
    await freezeLeadTime(editorial, 14);
    await t.database.prisma.controller.update({
      where: { id: controller.id },
      data: { minimumNoticeDays: 28, reachEvidence: { WEB_BANNER: ['DISMISSED'] } },
    });

    const notifications: NotificationSpec[] = [];
    const events: { key: string; type: NotificationEventType; occurredAt: string }[] = [];
    const responses: ResponseSpec[] = [];
    const soon = new Date(Date.now() + 2 * 60_000).toISOString();
    for (let index = 0; index < 30; index++) {
      const ref = `pop-${index}`;
      const version = index % 3 === 0 ? 2 : 1;
      const key = nextKey('pop');
      const told = (occurredAt: string, channel: NotificationChannel = 'EMAIL') =>
        notifications.push({ ref, notice: 'pn', version, channel, occurredAt, key });
      const event = (type: NotificationEventType, occurredAt: string) =>
        events.push({ key, type, occurredAt });
      const answer = (purpose: string, kind: ResponseKind, occurredAt: string, withVersion = true) =>
        responses.push({ ref, purpose, kind, occurredAt, ...(withVersion ? { notice: 'pn', version } : {}) });
      switch (index % 10) {
        case 0:
          told(ago(40));
          event('DELIVERED', ago(39));
          break;
        case 1:
          // Bounced; 21's delivery is reported for after the instant asked about.
          told(ago(40));
          event(index === 21 ? 'DELIVERED' : 'BOUNCED', index === 21 ? soon : ago(39));
          break;
        case 2:
          // Reached 20 days ago (12): enough under the frozen 14 days, not under the controller's 28.
          told(index === 12 ? ago(20) : ago(10));
          event(index === 12 ? 'DELIVERED' : 'OPENED', index === 12 ? ago(20) : ago(9));
          break;
        case 3:
          // In-app: displayed (3, 13) or only sent (23).
          told(ago(35), 'IN_APP');
          event(index === 23 ? 'SENT' : 'DISPLAYED', ago(35));
          answer('p-li', 'OBJECTED', ago(1), false);
          answer('p-public', 'OBJECTED', ago(1), false);
          break;
        case 4:
          // A banner displayed (4: not reached under this controller's setting), dismissed (14), nothing (24).
          told(ago(35), 'WEB_BANNER');
          if (index === 4) event('DISPLAYED', ago(35));
          if (index === 14) event('DISMISSED', ago(34));
          answer('p-li', 'OBJECTED', ago(3), false);
          answer('p-li', 'OBJECTION_WITHDRAWN', ago(1), false);
          break;
        case 5:
          answer('p-consent', 'CONSENT_GIVEN', ago(5));
          answer('p-contract', 'CONSENT_GIVEN', ago(5));
          break;
        case 6:
          answer('p-consent', 'CONSENT_GIVEN', ago(40));
          told(ago(50), 'IN_APP');
          event('SENT', ago(50));
          break;
        case 7:
          // Withdrawn before p-contract switched away from consent: an objection from then on.
          answer('p-consent', 'CONSENT_GIVEN', ago(5));
          answer('p-consent', 'CONSENT_WITHDRAWN', ago(1), false);
          answer('p-contract', 'CONSENT_GIVEN', ago(5));
          answer('p-contract', 'CONSENT_WITHDRAWN', ago(1), false);
          break;
        case 8:
          // Consent without naming a version; 28 withdraws it after the instant asked about.
          answer('p-consent', 'CONSENT_GIVEN', index === 18 ? ago(1) : new Date().toISOString(), false);
          if (index === 28) answer('p-consent', 'CONSENT_WITHDRAWN', soon, false);
          break;
        case 9: {
          const instant = ago(2);
          told(ago(45), 'IN_APP');
          event('DISPLAYED', ago(44));
          answer('p-consent', 'CONSENT_GIVEN', instant);
          answer('p-consent', 'CONSENT_WITHDRAWN', instant, false);
          answer('p-contract', 'CONSENT_GIVEN', instant);
          answer('p-contract', 'CONSENT_WITHDRAWN', instant, false);
          answer('p-li', 'OBJECTION_WITHDRAWN', instant, false);
          answer('p-li', 'OBJECTED', instant, false);
          break;
        }
      }
    }
    await notify(t.app, keys.NOTIFIER, notifications);
    await deliver(t.app, keys.NOTIFIER, events);
    await respond(t, keys.NOTIFIER, responses);
    await switchBasis(controller.id, 'p-contract', 'CONTRACT');
    return purposeKeys;
  }

  async function createManifest(apiKey: string, purposeKey: string, at?: string) {
    const result = expectData(
      await execute(t.app, CreateEligibilityManifest, {
        key: apiKey,
        variables: { input: { purposeKey, at } },
      }),
    ).createEligibilityManifest;
    if (result.__typename !== 'CreateEligibilityManifestPayload') throw new Error(JSON.stringify(result));
    return result.manifest;
  }

  async function verify(apiKey: string, id: string) {
    const result = expectData(
      await execute(t.app, VerifyEligibilityManifest, { key: apiKey, variables: { id } }),
    ).verifyEligibilityManifest;
    if (result.__typename !== 'EligibilityManifestVerification') throw new Error(JSON.stringify(result));
    return result;
  }

  it('answer for the earliest instants the DateTime scalar accepts', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'p-early', keys.EDITOR);
    await noticeInForce(t.app, keys.EDITOR, 'early', ['p-early']);
    for (const at of ['0001-01-01T00:00:00.000Z', '0999-06-30T12:00:00.000Z']) {
      const manifest = await createManifest(keys.ADMIN, 'p-early', at);
      expect([manifest.at, manifest.eligible]).toEqual([at, 0]);
    }
  });

  it('agree with the per-subject decision for every subject, for every legal basis', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const purposeKeys = await population({ controller, keys });
    const subjectIds = (
      await t.database.prisma.subject.findMany({ where: { controllerId: controller.id } })
    ).map((subject) => Buffer.from(`Subject:${subject.id}`).toString('base64'));
    const service = new EligibilityService(t.database, {
      apiKeyId: (await makeKey(t.database.prisma, controller.id, 'AUDITOR')).id,
      keyName: 'check',
      role: 'AUDITOR',
      controllerId: controller.id,
    });
    const refOf = new Map<string, number>();
    for (let index = 0; index < 30; index++) {
      const subject = expectData(
        await execute(t.app, EligibilitySubjectId, { key: keys.AUDITOR, variables: { ref: `pop-${index}` } }),
      ).subject;
      refOf.set(rawId(subject!.id), index);
    }
    const everyone = Array.from({ length: 30 }, (_, index) => index);
    // Who is eligible, by the rules (docs/eligibility.md), subject by subject (see `population`).
    const expected: Record<string, number[]> = {
      'p-li': [0, 10, 12, 14, 20],
      'p-consent': [5, 15, 25],
      'p-contract': everyone.filter((index) => ![7, 9, 17, 19, 27, 29].includes(index)),
      'p-public': everyone.filter((index) => ![3, 13, 23].includes(index)),
    };
    for (const purposeKey of purposeKeys) {
      const manifest = await createManifest(keys.AUDITOR, purposeKey);
      expect(manifest.purpose.key).toBe(purposeKey);
      expect(manifest.settings?.leadTimes, purposeKey).toEqual(
        purposeKey === 'p-li' ? [{ days: 14, frozen: true, version: { noticeKey: 'pn', number: 2 } }] : [],
      );
      // Every subject of the controller, decided one by one (batched in one request).
      const decisions = expectData(
        await execute(t.app, EligibilityOfNodes, {
          key: keys.AUDITOR,
          variables: { ids: subjectIds, purposeKey, at: manifest.at },
        }),
      ).nodes;
      expect(decisions).toHaveLength(30);
      const allowed = decisions
        .filter((node) => node && 'eligibility' in node && node.eligibility.decision === 'ALLOWED')
        .map((node) => rawId((node as { id: string }).id));
      const listed = await service.eligibleSubjectIds(
        purposeKey,
        new Date(manifest.at),
        new Date(manifest.createdAt),
      );
      expect(listed, purposeKey).toEqual([...allowed].sort());
      expect(manifest.eligible, purposeKey).toBe(allowed.length);
      expect(manifest.setHash, purposeKey).toBe(setHash(allowed));
      expect(
        allowed.map((id) => refOf.get(id)).sort((a, b) => a! - b!),
        purposeKey,
      ).toEqual(expected[purposeKey]);
      expect((await verify(keys.AUDITOR, manifest.id)).matches).toBe(true);
    }
    const empty = await createManifest(keys.AUDITOR, 'p-li', ago(1));
    expect(empty).toMatchObject({ eligible: 0, setHash: setHash([]) });
  });

  it('a stored reach setting naming a type that cannot show reach still agrees with the per-subject decision', async () => {
    // Validation refuses SENT as evidence of reach; a setting stored around it must not make the
    // manifest (which then probes the unique event index, not the index of reach-capable events)
    // and the per-subject decision disagree.
    const { controller, keys } = await makeTenant(t.database.prisma);
    await population({ controller, keys });
    await t.database.prisma.controller.update({
      where: { id: controller.id },
      data: { reachEvidence: { EMAIL: ['SENT'], IN_APP: ['SENT', 'DISPLAYED'] } },
    });
    const subjectIds = (
      await t.database.prisma.subject.findMany({ where: { controllerId: controller.id } })
    ).map((subject) => Buffer.from(`Subject:${subject.id}`).toString('base64'));
    const manifest = await createManifest(keys.AUDITOR, 'p-li');
    const decisions = expectData(
      await execute(t.app, EligibilityOfNodes, {
        key: keys.AUDITOR,
        variables: { ids: subjectIds, purposeKey: 'p-li', at: manifest.at },
      }),
    ).nodes;
    const allowed = decisions
      .filter((node) => node && 'eligibility' in node && node.eligibility.decision === 'ALLOWED')
      .map((node) => rawId((node as { id: string }).id));
    expect(manifest.eligible).toBe(allowed.length);
    expect(manifest.setHash).toBe(setHash(allowed));
  });

  it('erased subjects are not eligible from their erasure on; earlier manifests still verify', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await population({ controller, keys });
    const before = await createManifest(keys.AUDITOR, 'p-li');
    const erased = await eligibility(t.app, keys.AUDITOR, 'pop-0', 'p-li', before.at);
    expect(erased.decision).toBe('ALLOWED');
    const erasure = expectData(
      await execute(t.app, EligibilityEraseSubject, { key: keys.ADMIN, variables: { ref: 'pop-0' } }),
    ).eraseSubject;
    expect(erasure).toMatchObject({ __typename: 'EraseSubjectPayload' });

    expect((await verify(keys.AUDITOR, before.id)).matches).toBe(true);
    expect((await createManifest(keys.AUDITOR, 'p-li', before.at)).eligible).toBe(before.eligible);
    const after = await createManifest(keys.AUDITOR, 'p-li');
    expect(after.eligible).toBe(before.eligible - 1);
    const subject = Buffer.from(`Subject:${erased.subjectId}`).toString('base64');
    const nodes = expectData(
      await execute(t.app, EligibilityOfNodes, {
        key: keys.AUDITOR,
        variables: { ids: [subject], purposeKey: 'p-li', at: after.at },
      }),
    ).nodes;
    expect(nodes[0]).toMatchObject({ eligibility: { decision: 'DENIED', rule: 'SUBJECT_ERASED' } });

    const audit = await t.database.prisma.auditEntry.findMany({
      where: { controllerId: controller.id, action: 'eligibilityManifest:create' },
      orderBy: { sequence: 'asc' },
    });
    expect(audit.map((entry) => entry.targetId)).toEqual(
      expect.arrayContaining([rawId(before.id), rawId(after.id)]),
    );
    expect(audit.at(-1)?.details).toMatchObject({
      purposeKey: 'p-li',
      eligible: after.eligible,
      setHash: after.setHash,
    });
  });

  it('verify: matches until records are altered behind the append-only guard; late records do not count', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await population({ controller, keys });
    const consent = await createManifest(keys.AUDITOR, 'p-consent');
    const legitimate = await createManifest(keys.AUDITOR, 'p-li');
    expect(await verify(keys.AUDITOR, consent.id)).toMatchObject({
      matches: true,
      recomputedCount: consent.eligible,
      recomputedHash: consent.setHash,
    });

    // Recorded after the manifest, though back-dated before its instant: not what the manifest knew.
    await notify(t.app, keys.NOTIFIER, [
      { ref: 'late', notice: 'pn', version: 1, channel: 'IN_APP', occurredAt: ago(60) },
    ]);
    await respond(t, keys.NOTIFIER, [
      { ref: 'pop-5', purpose: 'p-consent', kind: 'CONSENT_WITHDRAWN', occurredAt: ago(0.5) },
    ]);
    expect((await verify(keys.AUDITOR, consent.id)).matches).toBe(true);
    expect((await verify(keys.AUDITOR, legitimate.id)).matches).toBe(true);
    expect((await createManifest(keys.AUDITOR, 'p-consent', consent.at)).eligible).toBe(consent.eligible - 1);

    const consenting = await eligibility(t.app, keys.AUDITOR, 'pop-15', 'p-consent', consent.at);
    expect(consenting.decision).toBe('ALLOWED');
    const sql = t.database.sql.bind(t.database);
    await sql(`ALTER TABLE "Response" DISABLE TRIGGER "Response_append_only"`);
    try {
      await sql(
        `UPDATE "Response" SET "kind" = 'CONSENT_WITHDRAWN' WHERE "subjectId" = $1 AND "kind" = 'CONSENT_GIVEN'`,
        [consenting.subjectId],
      );
    } finally {
      await sql(`ALTER TABLE "Response" ENABLE TRIGGER "Response_append_only"`);
    }
    const altered = await verify(keys.AUDITOR, consent.id);
    expect(altered.matches).toBe(false);
    expect(altered.recomputedCount).toBe(consent.eligible - 1);
    expect(altered.manifest).toEqual({ eligible: consent.eligible, setHash: consent.setHash });

    await sql(`ALTER TABLE "NotificationEvent" DISABLE TRIGGER "NotificationEvent_append_only"`);
    try {
      await sql(`DELETE FROM "NotificationEvent" WHERE "controllerId" = $1 AND "type" = 'DELIVERED'`, [
        controller.id,
      ]);
    } finally {
      await sql(`ALTER TABLE "NotificationEvent" ENABLE TRIGGER "NotificationEvent_append_only"`);
    }
    expect((await verify(keys.AUDITOR, legitimate.id)).matches).toBe(false);
  });

  it('keep the settings they were computed with: later changes to the controller do not break verification', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await population({ controller, keys });
    const manifest = await createManifest(keys.AUDITOR, 'p-li');
    expect(manifest.settings).toMatchObject({
      minimumNoticeDays: 28,
      leadTimes: [{ days: 14, frozen: true, version: { noticeKey: 'pn', number: 2 } }],
    });
    const reach = Object.fromEntries(
      manifest.settings!.reachEvidence.map((item) => [item.channel, item.eventTypes]),
    );
    expect(reach).toMatchObject({
      EMAIL: ['DELIVERED', 'OPENED', 'ACKNOWLEDGED'],
      IN_APP: ['DISPLAYED', 'OPENED', 'ACKNOWLEDGED', 'DISMISSED'],
      WEB_BANNER: ['DISMISSED'],
    });
    expect(Object.keys(reach)).toHaveLength(7);
    expect((await createManifest(keys.AUDITOR, 'p-consent')).settings?.leadTimes).toEqual([]);

    // The controller changes its settings, and the version in force loses its frozen lead time.
    await t.database.prisma.controller.update({
      where: { id: controller.id },
      data: { minimumNoticeDays: 60, reachEvidence: { EMAIL: ['ACKNOWLEDGED'], WEB_BANNER: ['DISPLAYED'] } },
    });
    const second = await t.database.prisma.noticeVersion.findFirstOrThrow({
      where: { controllerId: controller.id, number: 2 },
    });
    await freezeLeadTime(second.id, null);

    expect(await verify(keys.AUDITOR, manifest.id)).toMatchObject({
      matches: true,
      recomputedCount: manifest.eligible,
      recomputedHash: manifest.setHash,
    });
    // Computed afresh for the same instant, the new settings give another set.
    const now = await createManifest(keys.AUDITOR, 'p-li', manifest.at);
    expect(now.setHash).not.toBe(manifest.setHash);
    expect(now.settings).toMatchObject({
      minimumNoticeDays: 60,
      leadTimes: [{ days: 60, frozen: false }],
    });
    expect(await verify(keys.AUDITOR, now.id)).toMatchObject({
      matches: true,
      recomputedCount: now.eligible,
    });
  });

  it('withdrawal of consent before a switch away from consent stands as an objection, under the new basis too', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'updates', keys.EDITOR, consentContent);
    await createPurpose(t.app, 'records', keys.EDITOR, consentContent);
    await noticeInForce(t.app, keys.EDITOR, 'members', ['updates', 'records']);
    const version = { notice: 'members', version: 1 };
    const [, withdrawal] = await respond(
      t,
      keys.NOTIFIER,
      ['updates', 'records'].flatMap((purpose) => [
        { ref: 'withdrew-before', purpose, kind: 'CONSENT_GIVEN' as const, occurredAt: ago(20), ...version },
        { ref: 'withdrew-before', purpose, kind: 'CONSENT_WITHDRAWN' as const, occurredAt: ago(10) },
        { ref: 'consenting', purpose, kind: 'CONSENT_GIVEN' as const, occurredAt: ago(20), ...version },
        { ref: 'withdrew-after', purpose, kind: 'CONSENT_GIVEN' as const, occurredAt: ago(20), ...version },
      ]),
    );
    const beforeSwitch = new Date().toISOString();
    await switchBasis(controller.id, 'updates', 'LEGITIMATE_INTERESTS');
    await switchBasis(controller.id, 'records', 'LEGAL_OBLIGATION');
    // A second after the switch, so that no clock resolution makes it look simultaneous.
    const switchedAt = new Date(Date.now() + 1000).toISOString();
    await respond(t, keys.NOTIFIER, [
      { ref: 'withdrew-after', purpose: 'updates', kind: 'CONSENT_WITHDRAWN', occurredAt: switchedAt },
      { ref: 'withdrew-after', purpose: 'records', kind: 'CONSENT_WITHDRAWN', occurredAt: switchedAt },
    ]);
    // A version describing the new revisions, in force now; everyone is told of it.
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'members',
      purposeKeys: ['updates', 'records'],
      effectiveFrom: inDays(0),
    });
    expect(await publish(t.app, keys.EDITOR, draft, 'the legal basis changed today')).toMatchObject({
      number: 2,
    });
    await freezeLeadTime(draft, 28);
    const told = await notify(
      t.app,
      keys.NOTIFIER,
      ['withdrew-before', 'consenting', 'withdrew-after'].map((ref) => ({
        ref,
        notice: 'members',
        version: 2,
        occurredAt: ago(0),
      })),
    );
    await deliver(
      t.app,
      keys.NOTIFIER,
      told.map((item) => ({ key: item.key, type: 'DELIVERED', occurredAt: ago(0) })),
    );

    const later = inDays(29);
    for (const purposeKey of ['updates', 'records']) {
      expect(
        await eligibility(t.app, keys.AUDITOR, 'withdrew-before', purposeKey, later),
        purposeKey,
      ).toMatchObject({
        decision: 'DENIED',
        rule: 'CONSENT_WITHDRAWN_BEFORE_SWITCH',
        revision: 2,
        transparency: { status: 'CURRENT', reached: true, version: 'members#2' },
      });
      expect(await eligibility(t.app, keys.AUDITOR, 'consenting', purposeKey, later)).toMatchObject({
        decision: 'ALLOWED',
      });
      // Withdrawn after the switch: a consent no longer relied on.
      expect(await eligibility(t.app, keys.AUDITOR, 'withdrew-after', purposeKey, later)).toMatchObject({
        decision: 'ALLOWED',
      });
    }
    expect(await eligibility(t.app, keys.AUDITOR, 'withdrew-before', 'updates', later)).toMatchObject({
      response: withdrawal,
      legalBasis: 'LEGITIMATE_INTERESTS',
    });
    // Before the switch, the same person was simply a withdrawn consent.
    expect(await eligibility(t.app, keys.AUDITOR, 'withdrew-before', 'records', beforeSwitch)).toMatchObject({
      rule: 'CONSENT_WITHDRAWN',
      legalBasis: 'CONSENT',
    });
    for (const purposeKey of ['updates', 'records']) {
      const manifest = await createManifest(keys.AUDITOR, purposeKey, later);
      const ids = await Promise.all(
        ['consenting', 'withdrew-after'].map(
          async (ref) => (await eligibility(t.app, keys.AUDITOR, ref, purposeKey, later)).subjectId,
        ),
      );
      expect(manifest, purposeKey).toMatchObject({ eligible: 2, setHash: setHash(ids) });
    }
  });

  it('are invisible to other controllers and count only their own subjects; reading roles only', async () => {
    const a = await makeTenant(t.database.prisma);
    const b = await makeTenant(t.database.prisma);
    await population(a);
    const manifest = await createManifest(a.keys.AUDITOR, 'p-contract');
    expect(manifest.eligible).toBeGreaterThan(1);

    const own = expectData(
      await execute(t.app, EligibilityManifestById, { key: a.keys.ADMIN, variables: { id: manifest.id } }),
    );
    expect(own.eligibilityManifest).toMatchObject({ id: manifest.id, eligible: manifest.eligible });
    const foreign = expectData(
      await execute(t.app, EligibilityManifestById, { key: b.keys.AUDITOR, variables: { id: manifest.id } }),
    );
    expect(foreign).toEqual({ eligibilityManifest: null, node: null });
    const verification = expectData(
      await execute(t.app, VerifyEligibilityManifest, {
        key: b.keys.AUDITOR,
        variables: { id: manifest.id },
      }),
    ).verifyEligibilityManifest;
    expect(verification).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const unknown = expectData(
      await execute(t.app, CreateEligibilityManifest, {
        key: b.keys.AUDITOR,
        variables: { input: { purposeKey: 'p-contract' } },
      }),
    ).createEligibilityManifest;
    expect(unknown).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });

    await createPurpose(t.app, 'p-contract', b.keys.EDITOR, {
      legalBasis: 'CONTRACT',
      legitimateInterest: null,
    });
    await noticeInForce(t.app, b.keys.EDITOR, 'pn', ['p-contract']);
    const [only] = await notify(t.app, b.keys.NOTIFIER, [
      { ref: 'pop-0', notice: 'pn', version: 1, occurredAt: ago(1) },
    ]);
    const theirs = await createManifest(b.keys.AUDITOR, 'p-contract');
    const subject = await t.database.prisma.notification.findUniqueOrThrow({ where: { id: only!.id } });
    expect(theirs).toMatchObject({ eligible: 1, setHash: setHash([subject.subjectId]) });

    for (const role of ['EDITOR', 'NOTIFIER', 'READER'] as const) {
      const refused = await execute(t.app, CreateEligibilityManifest, {
        key: a.keys[role],
        variables: { input: { purposeKey: 'p-contract' } },
      });
      expect(errorCode(refused), role).toBe('FORBIDDEN');
      const read = await execute(t.app, VerifyEligibilityManifest, {
        key: a.keys[role],
        variables: { id: manifest.id },
      });
      expect(errorCode(read), role).toBe('FORBIDDEN');
    }
  });
});

/**
 * The case the registry exists for, end to end: a platform tells its EU users that public posts
 * will train its AI under legitimate interests, with a right to object, and must later show,
 * person by person, who may be processed and why. Dates are real: v1 is published 120 days ago,
 * v2 (adding the AI purpose) 40 days ago with an effective date tomorrow, and the questions are
 * asked at the effective date + 1 day.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import { NoticeLeadTimeError } from '../../src/modules/notice/notice.errors.js';
import { graphql } from '../graphql/index.js';
import { execute, expectData, rawId } from '../support/client.js';
import { makeTenant } from '../support/factories.js';
import { insertLegacyResponse } from '../support/legacy-responses.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  publishAsOf,
  revisePurpose,
  translations,
} from '../support/notice-fixtures.js';
import { useTestApp } from '../support/test-app.js';

const dayMs = 24 * 60 * 60 * 1000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * dayMs);
const effective = new Date(now + dayMs);
const askedAt = new Date(effective.getTime() + dayMs).toISOString();

const RecordNotifications = graphql(`
  mutation ScenarioRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload {
        accepted
        rejected
      }
    }
  }
`);

const RecordEvents = graphql(`
  mutation ScenarioRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
      ... on RecordNotificationEventsPayload {
        accepted
        rejected
      }
    }
  }
`);

const RecordResponses = graphql(`
  mutation ScenarioRecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      __typename
      ... on RecordResponsesPayload {
        accepted
        rejected
      }
    }
  }
`);

const CreateCampaign = graphql(`
  mutation ScenarioCreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      __typename
      ... on CampaignPayload {
        campaign {
          id
        }
      }
    }
  }
`);

const Eligibility = graphql(`
  query ScenarioEligibility($ref: String!, $purposeKey: String!, $at: DateTime) {
    subject(ref: $ref) {
      id
      eligibility(purposeKey: $purposeKey, at: $at) {
        __typename
        ... on EligibilityResult {
          decision
          rule
          transparency {
            status
          }
        }
      }
    }
  }
`);

const FollowUp = graphql(`
  query ScenarioFollowUp($id: ID!) {
    node(id: $id) {
      ... on Campaign {
        notReached(first: 50) {
          edges {
            node {
              reason
              subject {
                id
              }
            }
          }
        }
        notYetNotified(first: 50) {
          edges {
            node {
              id
            }
          }
        }
      }
    }
  }
`);

const CreateManifest = graphql(`
  mutation ScenarioCreateManifest($input: CreateEligibilityManifestInput!) {
    createEligibilityManifest(input: $input) {
      __typename
      ... on CreateEligibilityManifestPayload {
        manifest {
          id
          eligible
        }
      }
    }
  }
`);

const VerifyManifest = graphql(`
  query ScenarioVerifyManifest($id: ID!) {
    verifyEligibilityManifest(id: $id) {
      __typename
      ... on EligibilityManifestVerification {
        matches
        recomputedCount
      }
    }
  }
`);

describe('a platform trains AI on public posts under legitimate interests', () => {
  const t = useTestApp();

  it('refuses to pass the change as editorial, then decides each kind of person correctly', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const send = async <R, V>(document: TypedDocumentNode<R, V>, variables: V, key = keys.ADMIN) =>
      expectData(
        await execute(t.app, document, { key, variables } as unknown as Parameters<typeof execute<R, V>>[2]),
      );

    // Purposes and v1: the service (contract) and personalised ads (consent).
    await createPurpose(t.app, 'service', keys.EDITOR, {
      name: 'Running the service',
      description: 'We use your posts to improve our services.',
      legalBasis: 'CONTRACT',
      legitimateInterest: null,
    });
    await createPurpose(t.app, 'ads', keys.EDITOR, {
      name: 'Personalised ads',
      description: 'We show ads based on your interests.',
      legalBasis: 'CONSENT',
      legitimateInterest: null,
    });
    await createNotice(t.app, 'privacy-policy', keys.EDITOR);
    const v1Draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['service', 'ads'],
      effectiveFrom: ago(120).toISOString(),
    });
    const v1 = await publishAsOf(t.database, v1Draft, ago(120), 'first version of a new notice');
    expect(v1.number).toBe(1);

    // The quiet way: reword the service's description to include AI training and publish at once.
    await revisePurpose(t.app, 'service', keys.EDITOR, {
      name: 'Running the service',
      description: 'We use your posts to improve our services, including training AI models.',
      legalBasis: 'CONTRACT',
      legitimateInterest: null,
    });
    const quiet = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['service', 'ads'],
      effectiveFrom: ago(41).toISOString(),
    });
    const refused = await publishAsOf(t.database, quiet, ago(41)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(NoticeLeadTimeError);
    expect((refused as NoticeLeadTimeError).classification).toBe('RENOTIFY');

    // The honest way: v2 adds the AI purpose, announced 40 days ahead of its effective date.
    await createPurpose(t.app, 'ai-training', keys.EDITOR);
    const v2Draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['service', 'ads', 'ai-training'],
      effectiveFrom: effective.toISOString(),
      translations: translations('We will train AI models on public posts. You may object.'),
    });
    const v2 = await publishAsOf(t.database, v2Draft, ago(40));
    expect(v2.number).toBe(2);
    expect(v2.classification).toBe('RENOTIFY');
    const reasons = v2.classificationReasons as { code: string; purposeKey: string | null }[];
    expect(reasons).toContainEqual(
      expect.objectContaining({ code: 'PURPOSE_ADDED', purposeKey: 'ai-training' }),
    );
    expect(reasons).toContainEqual(
      expect.objectContaining({ code: 'DESCRIPTION_CHANGED', purposeKey: 'service' }),
    );

    // The campaign: e-mail and in-app, with deliveries, a bounce, displays and one never shown.
    const campaign = (
      await send(CreateCampaign, {
        input: {
          name: 'AI training notice',
          noticeKey: 'privacy-policy',
          versionNumber: 2,
          channels: ['EMAIL', 'IN_APP'],
          audienceDescription: 'EU users',
          plannedSize: 6,
        },
      })
    ).createCampaign;
    if (campaign.__typename !== 'CampaignPayload') throw new Error(campaign.__typename);
    const campaignId = campaign.campaign.id;
    const notify = (ref: string, channel: 'EMAIL' | 'IN_APP', daysAgo: number, version = 2) => ({
      subjectRef: ref,
      noticeKey: 'privacy-policy',
      versionNumber: version,
      channel,
      locale: 'en',
      occurredAt: ago(daysAgo).toISOString(),
      idempotencyKey: `${ref}-v${version}-${channel}`,
      ...(version === 2 ? { campaignId } : {}),
    });
    const notified = await send(
      RecordNotifications,
      {
        input: {
          items: [
            notify('alice', 'EMAIL', 35),
            notify('bob', 'EMAIL', 35),
            notify('carol', 'IN_APP', 35),
            notify('dave', 'IN_APP', 35),
            notify('erin', 'EMAIL', 35),
            notify('gina', 'EMAIL', 10),
            notify('hank', 'EMAIL', 100, 1),
          ],
        },
      },
      keys.NOTIFIER,
    );
    expect(notified.recordNotifications).toMatchObject({ accepted: 7, rejected: 0 });
    const event = (
      ref: string,
      channel: string,
      type: 'DELIVERED' | 'BOUNCED' | 'DISPLAYED',
      daysAgo: number,
    ) => ({
      notificationIdempotencyKey: `${ref}-v2-${channel}`,
      type,
      occurredAt: ago(daysAgo).toISOString(),
    });
    const events = await send(
      RecordEvents,
      {
        input: {
          items: [
            event('alice', 'EMAIL', 'DELIVERED', 35),
            event('bob', 'EMAIL', 'BOUNCED', 35),
            event('dave', 'IN_APP', 'DISPLAYED', 34),
            event('erin', 'EMAIL', 'DELIVERED', 35),
            event('gina', 'EMAIL', 'DELIVERED', 10),
          ],
        },
      },
      keys.NOTIFIER,
    );
    expect(events.recordNotificationEvents).toMatchObject({ accepted: 5, rejected: 0 });
    const responses = await send(
      RecordResponses,
      {
        input: {
          items: [
            {
              subjectRef: 'erin',
              purposeKey: 'ai-training',
              kind: 'OBJECTED',
              channel: 'EMAIL',
              occurredAt: ago(20).toISOString(),
              idempotencyKey: 'erin-objects',
            },
            {
              subjectRef: 'alice',
              purposeKey: 'ads',
              kind: 'CONSENT_GIVEN',
              channel: 'EMAIL',
              noticeKey: 'privacy-policy',
              versionNumber: 2,
              locale: 'en',
              occurredAt: ago(30).toISOString(),
              idempotencyKey: 'alice-consents',
            },
          ],
        },
      },
      keys.NOTIFIER,
    );
    expect(responses.recordResponses).toMatchObject({ accepted: 2, rejected: 0 });
    // Frank consented on paper before consent records had to name the notice shown (ADR 0033).
    await insertLegacyResponse(t.database, keys.NOTIFIER, {
      subjectRef: 'frank',
      purposeKey: 'ads',
      kind: 'CONSENT_GIVEN',
      channel: 'OTHER',
      occurredAt: ago(30).toISOString(),
      idempotencyKey: 'frank-consents-on-paper',
    });

    // Eligibility at the effective date + 1 day, for each kind of person.
    const decide = async (ref: string, purposeKey: string) => {
      const subject = (await send(Eligibility, { ref, purposeKey, at: askedAt })).subject;
      const result = subject?.eligibility;
      if (result?.__typename !== 'EligibilityResult') throw new Error(`${ref}: ${result?.__typename}`);
      return {
        decision: result.decision,
        rule: result.rule,
        transparency: result.transparency?.status ?? null,
      };
    };
    const ai = {
      alice: await decide('alice', 'ai-training'),
      bob: await decide('bob', 'ai-training'),
      carol: await decide('carol', 'ai-training'),
      dave: await decide('dave', 'ai-training'),
      erin: await decide('erin', 'ai-training'),
      frank: await decide('frank', 'ai-training'),
      gina: await decide('gina', 'ai-training'),
      hank: await decide('hank', 'ai-training'),
    };
    expect(ai).toMatchObject({
      alice: { decision: 'ALLOWED', rule: 'LEGITIMATE_INTERESTS_NOTIFIED' },
      bob: { decision: 'DENIED', rule: 'NOT_REACHED' },
      carol: { decision: 'DENIED', rule: 'NOT_REACHED' },
      dave: { decision: 'ALLOWED', rule: 'LEGITIMATE_INTERESTS_NOTIFIED' },
      erin: { decision: 'DENIED', rule: 'OBJECTED' },
      frank: { decision: 'DENIED', rule: 'NOT_NOTIFIED' },
      gina: { decision: 'DENIED', rule: 'LEAD_TIME_NOT_MET' },
      hank: { decision: 'DENIED', rule: 'NOT_NOTIFIED' },
    });
    // The service runs on a contract: lawful whoever was told, with the transparency apart.
    expect(await decide('frank', 'service')).toEqual({
      decision: 'ALLOWED',
      rule: 'LAWFUL_BASIS',
      transparency: 'NONE',
    });
    expect(await decide('hank', 'service')).toEqual({
      decision: 'ALLOWED',
      rule: 'LAWFUL_BASIS',
      transparency: 'OTHER_VERSION_ONLY',
    });
    expect(await decide('alice', 'service')).toMatchObject({ rule: 'LAWFUL_BASIS', transparency: 'CURRENT' });
    // Consent must name the version the person saw.
    expect(await decide('alice', 'ads')).toMatchObject({ decision: 'ALLOWED', rule: 'CONSENT_GIVEN' });
    expect(await decide('frank', 'ads')).toMatchObject({
      decision: 'DENIED',
      rule: 'CONSENT_VERSION_UNKNOWN',
    });

    // The follow-up list: notified but not reached (bob bounced, carol never saw it), and the
    // people never notified of v2 (frank, hank).
    const ids = Object.fromEntries(
      await Promise.all(
        ['bob', 'carol', 'frank', 'hank', 'gina'].map(async (ref) => [
          ref,
          (await send(Eligibility, { ref, purposeKey: 'ai-training', at: askedAt })).subject!.id,
        ]),
      ),
    );
    const followUp = (await send(FollowUp, { id: campaignId })).node;
    if (!followUp || !('notReached' in followUp)) throw new Error('no campaign');
    const notReached = followUp.notReached!.edges.map((edge) => [edge.node.subject.id, edge.node.reason]);
    expect(notReached).toHaveLength(2);
    expect(notReached).toEqual(
      expect.arrayContaining([
        [ids.bob, 'BOUNCED'],
        [ids.carol, 'NEVER_DISPLAYED'],
      ]),
    );
    const neverNotified = followUp.notYetNotified!.edges.map((edge) => edge.node.id);
    expect(neverNotified).toEqual(expect.arrayContaining([ids.frank, ids.hank]));
    expect(neverNotified).not.toContain(ids.gina);

    // The manifest a training job would cite: exactly alice and dave, and it verifies.
    const created = (await send(CreateManifest, { input: { purposeKey: 'ai-training', at: askedAt } }))
      .createEligibilityManifest;
    if (created.__typename !== 'CreateEligibilityManifestPayload') throw new Error(created.__typename);
    expect(created.manifest.eligible).toBe(2);
    const verified = (await send(VerifyManifest, { id: created.manifest.id })).verifyEligibilityManifest;
    expect(verified).toMatchObject({ matches: true, recomputedCount: 2 });
    expect(rawId(created.manifest.id)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

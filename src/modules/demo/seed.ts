import { encodeGlobalID } from '@pothos/plugin-relay';
import { createPubSub } from 'graphql-yoga';
import type { Database } from '../../db/database.js';
import type { ApiKeyRole } from '../../generated/prisma/client.js';
import { addDays } from '../../lib/time.js';
import type { Viewer } from '../access/access.policy.js';
import { issueApiKey } from '../api-key/api-key.service.js';
import { CampaignService } from '../campaign/campaign.service.js';
import { createController } from '../controller/controller.service.js';
import { MessageTemplateService } from '../message-template/message-template.service.js';
import type { NoticeEvents } from '../notice/notice.events.js';
import { NoticeService } from '../notice/notice.service.js';
import { createDraftSchema, createNoticeSchema } from '../notice/notice.validation.js';
import { NoticeVersionService } from '../notice/notice-version.service.js';
import { NotificationService } from '../notification/notification.service.js';
import { ObjectionService } from '../objection/objection.service.js';
import { PurposeService } from '../purpose/purpose.service.js';
import { purposeContentSchema } from '../purpose/purpose.validation.js';
import { RegulatorService } from '../regulator/regulator.service.js';
import { openRequestSchema } from '../regulator/regulator.validation.js';
import { SubjectRefHasher } from '../subject/subject-ref.js';
import { demoMessageTemplates } from './message-texts.js';
import { demoTranslations } from './notice-texts.js';
import {
  campaignAudience,
  campaignNotifications,
  demoEvents,
  demoResponses,
  noticeKey,
  versionThreeNotifications,
} from './people.js';
import { aiTraining, newsletter, serviceOperation } from './purposes.js';
import { demoTimeline as at, upcomingEffectiveFrom } from './timeline.js';

/** The secrets of the demo's keys, each shown once. */
export interface DemoKeys {
  readonly admin: string;
  readonly reader: string;
  readonly regulator: string;
}

export interface SeededDemo {
  readonly controllerSlug: string;
  readonly keys: DemoKeys;
  readonly campaignId: string;
}

export const demoCampaignName = 'Privacy policy 4 announcement';

/**
 * On an empty database (outside production): the demo controller, its keys and a history built
 * through the services, so that hashes, the audit chain and every domain rule hold as for real
 * data (docs/decisions/0028-demo-data.md). Null when the database holds a controller already.
 */
export async function seedDemoIfEmpty(
  database: Database,
  subjectRefSecret: string,
  now = new Date(),
): Promise<SeededDemo | null> {
  const created = await database.prisma.$transaction(async (tx) => {
    if ((await tx.controller.count()) > 0) return null;
    const controller = await createController(tx, {
      slug: 'demo',
      name: 'Demo Social',
      legalName: 'Demo Social Ltd.',
      contactEmail: 'privacy@demo.example',
    });
    const issue = (name: string, role: ApiKeyRole) => issueApiKey(tx, controller.id, { name, role });
    return {
      controller,
      admin: await issue('demo admin', 'ADMIN'),
      reader: await issue('demo frontend', 'READER'),
    };
  });
  if (created === null) return null;
  const viewer: Viewer = {
    apiKeyId: created.admin.apiKey.id,
    keyName: created.admin.apiKey.name,
    role: 'ADMIN',
    controllerId: created.controller.id,
  };
  await publishHistory(database, viewer, now);
  const campaignId = await recordPeople(database, viewer, new SubjectRefHasher(subjectRefSecret));
  const regulator = await openRegulatorRequest(database, viewer, new SubjectRefHasher(subjectRefSecret), now);
  return {
    controllerSlug: created.controller.slug,
    keys: { admin: created.admin.secret, reader: created.reader.secret, regulator },
    campaignId,
  };
}

/** Purposes, the notice and its four versions, the message templates: each on its demo date. */
async function publishHistory(database: Database, viewer: Viewer, now: Date): Promise<void> {
  const events = createPubSub<NoticeEvents>();
  const purposes = new PurposeService(database, viewer);
  const versions = new NoticeVersionService(database, viewer, events);
  const templates = new MessageTemplateService(database, viewer);
  const createPurpose = (purpose: { key: string; content: unknown }, when: Date) =>
    purposes.create(purpose.key, purposeContentSchema.parse(purpose.content), when);
  const publish = async (
    number: 1 | 2 | 3 | 4,
    draft: { purposeKeys: string[]; changeSummary: string; effectiveFrom: Date },
    when: Date,
    options: { changeMessage: string; notMaterial?: { signedBy: string; reason: string } },
  ) => {
    const input = createDraftSchema.parse({ noticeKey, translations: demoTranslations(number), ...draft });
    const created = await versions.createDraft(input, when);
    await versions.publish(created.id, options, when);
  };
  const publishTemplates = (revision: 1 | 2, when: Date) =>
    Promise.all(demoMessageTemplates(revision).map((template) => templates.publish(template, when)));

  await createPurpose(serviceOperation, at.firstPublication);
  await createPurpose(newsletter, at.firstPublication);
  await new NoticeService(database, viewer, events).create(
    createNoticeSchema.parse({
      key: noticeKey,
      title: 'Privacy policy',
      defaultLocale: 'en',
      requiredLocales: ['de', 'fr'],
    }),
    at.firstPublication,
  );
  const firstPurposes = [serviceOperation.key, newsletter.key];
  await publish(
    1,
    {
      purposeKeys: firstPurposes,
      changeSummary: 'Our first privacy policy.',
      effectiveFrom: at.firstEffective,
    },
    at.firstPublication,
    { changeMessage: 'First version' },
  );
  await publish(
    2,
    {
      purposeKeys: firstPurposes,
      changeSummary: 'The contact section names our data protection officer and postal address.',
      effectiveFrom: at.editorialPublication,
    },
    at.editorialPublication,
    {
      changeMessage: 'Reworded the contact section',
      notMaterial: {
        signedBy: 'Dana Data, DPO',
        reason: 'Same contact, more ways to reach it; nothing changes for users.',
      },
    },
  );
  await createPurpose(aiTraining, at.aiPublication);
  await publish(
    3,
    {
      purposeKeys: [...firstPurposes, aiTraining.key],
      changeSummary: 'We will train our AI on public posts; you can object.',
      effectiveFrom: at.aiEffective,
    },
    at.aiPublication,
    { changeMessage: 'AI training on public posts' },
  );
  await publishTemplates(1, at.aiPublication);
  await purposes.revise(
    aiTraining.key,
    purposeContentSchema.parse(aiTraining.revised),
    null,
    at.purposeRevisions,
  );
  await purposes.revise(
    newsletter.key,
    purposeContentSchema.parse(newsletter.revised),
    null,
    at.purposeRevisions,
  );
  await publish(
    4,
    {
      purposeKeys: [...firstPurposes, aiTraining.key],
      changeSummary:
        'A research partner joins AI training; the newsletter becomes personalised, with your consent.',
      effectiveFrom: upcomingEffectiveFrom(now),
    },
    at.upcomingPublication,
    { changeMessage: 'Research partner; personalised newsletter' },
  );
  await publishTemplates(2, at.upcomingPublication);
}

/** Notifications, delivery events and answers, through the bulk paths (set-based SQL). */
async function recordPeople(database: Database, viewer: Viewer, hasher: SubjectRefHasher): Promise<string> {
  const notifications = new NotificationService(database, viewer, hasher);
  const campaign = await new CampaignService(database, viewer).create(
    {
      name: demoCampaignName,
      noticeKey,
      versionNumber: 4,
      channels: ['EMAIL', 'IN_APP'],
      audienceDescription: 'Every active user; in-app for those who turned e-mails off.',
      plannedSize: campaignAudience + 200,
    },
    at.upcomingPublication,
  );
  const campaignId = encodeGlobalID('Campaign', campaign.id);
  for (const columns of [versionThreeNotifications(), campaignNotifications(campaignId)]) {
    expectAllAccepted('notification', await notifications.recordNotificationColumns(columns));
  }
  const events = demoEvents();
  for (let start = 0; start < events.length; start += 5_000) {
    expectAllAccepted('event', await notifications.recordEvents(events.slice(start, start + 5_000)));
  }
  expectAllAccepted('response', await notifications.recordResponses(demoResponses()));
  await decideObjections(database, viewer);
  return campaignId;
}

/**
 * How the controller handled the objections to AI training: those of 2025 honoured within a week
 * but one, refused on stated grounds after twelve days; of the campaign's, every other one honoured
 * within four days and the rest still open (docs/objections.md).
 */
async function decideObjections(database: Database, viewer: Viewer): Promise<void> {
  const objections = new ObjectionService(database, viewer);
  const open = await objections.list({ purposeKey: aiTraining.key, outcome: 'OPEN' });
  for (const [index, found] of open.entries()) {
    const fromCampaign = found.openedAt >= at.campaignAnswers;
    if (fromCampaign && index % 2 === 1) continue;
    const refused = index === 0;
    await objections.decide(
      {
        caseId: found.id,
        outcome: refused ? 'REFUSED' : 'HONOURED',
        refusalReason: refused
          ? 'The posts are evidence in a pending legal claim about the model (Art. 21(1): establishment, exercise or defence of legal claims); they stay in the frozen training set until the claim ends, and are then removed.'
          : null,
      },
      addDays(found.openedAt, refused ? 12 : fromCampaign ? 4 : 6),
    );
  }
}

/** A regulator's request about one person, and its key (valid for 90 days from the demo's creation). */
async function openRegulatorRequest(
  database: Database,
  viewer: Viewer,
  hasher: SubjectRefHasher,
  now: Date,
): Promise<string> {
  const regulator = new RegulatorService(database, viewer, hasher);
  const request = await regulator.open(
    openRequestSchema.parse({
      authority: 'Commission nationale de l’informatique et des libertés (CNIL)',
      reference: 'CNIL-DEMO-2026-0142',
      subjectRefs: ['demo-user-0002'],
      noticeKeys: [noticeKey],
      periodFrom: new Date('2025-10-01T00:00:00Z'),
      periodTo: new Date('2026-11-30T23:59:59Z'),
    }),
  );
  const { secret } = await regulator.issueKey(request.id, 'demo regulator', addDays(now, 90));
  return secret;
}

function expectAllAccepted(
  what: string,
  result: { accepted: number; rejected: number; items: readonly unknown[] },
) {
  if (result.rejected > 0) {
    const first = result.items.find((item) => (item as { status: string }).status === 'REJECTED');
    throw new Error(`demo seed: ${result.rejected} ${what}s refused, first: ${JSON.stringify(first)}`);
  }
}

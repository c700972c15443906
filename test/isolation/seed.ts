import { randomBytes } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { schema } from '../../src/graphql/schema.js';
import { getOrCreateSigningKey } from '../../src/modules/evidence/signing-key.js';
import { runLogCadence } from '../../src/modules/transparency-log/transparency-log.service.js';
import { makeController, makeKey } from '../support/factories.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  publish,
  revisePurpose,
} from '../support/notice-fixtures.js';

export const roles = ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const;
export type TenantRole = (typeof roles)[number];

export interface RawResponse {
  readonly status: number;
  readonly body: ExecutionResult<Record<string, unknown>>;
}

/** Sends a query text through the real HTTP handler, as a client would. */
export async function send(
  app: App,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<RawResponse> {
  const response = await app.fetch(
    new Request('http://notarium.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  return {
    status: response.status,
    body: (await response.json()) as ExecutionResult<Record<string, unknown>>,
  };
}

/** Data of a seeding call that must succeed without GraphQL errors. */
async function sendOk(
  app: App,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await send(app, key, query, variables);
  if (response.body.errors || !response.body.data)
    throw new Error(`seeding failed: ${JSON.stringify(response.body)}\n${query}`);
  return response.body.data;
}

/** What the sweep fills arguments from, and what must never leak. */
export interface Identifiers {
  /** Global IDs by typename. */
  readonly ids: Map<string, Set<string>>;
  readonly noticeKeys: string[];
  readonly purposeKeys: string[];
  readonly subjectRefs: string[];
  readonly campaignNames: string[];
  readonly templateKeys: string[];
  readonly slug: string;
  /** Connection cursors of the tenant's own lists. */
  readonly cursors: string[];
  /** Every string that identifies the tenant's data: none may appear in another tenant's answers. */
  readonly markers: Set<string>;
}

export interface SeededTenant extends Identifiers {
  readonly label: string;
  readonly controllerId: string;
  readonly keys: Record<TenantRole, string>;
  /** Global ID of the tenant's regulator request, when the schema has them. */
  readonly regulatorRequestId: string | null;
}

const ApiKeyMutation = `
  mutation SeedCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on CreateApiKeyPayload { secret apiKey { __typename id name prefix } }
    }
  }`;

const RevokeMutation = `
  mutation SeedRevokeApiKey($id: ID!) {
    revokeApiKey(input: { id: $id }) { __typename }
  }`;

const CampaignMutation = `
  mutation SeedCreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      __typename
      ... on CampaignPayload { campaign { __typename id name } }
    }
  }`;

const NotificationsMutation = `
  mutation SeedRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload { accepted rejected batchId items { recordId error { code message } } }
    }
  }`;

const EventsMutation = `
  mutation SeedRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
      ... on RecordNotificationEventsPayload { accepted rejected batchId items { recordId error { code message } } }
    }
  }`;

const ResponsesMutation = `
  mutation SeedRecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      __typename
      ... on RecordResponsesPayload { accepted rejected batchId items { recordId error { code message } } }
    }
  }`;

const TemplateMutation = `
  mutation SeedPublishTemplate($input: PublishMessageTemplateInput!) {
    publishMessageTemplate(input: $input) {
      __typename
      ... on PublishMessageTemplatePayload { messageTemplate { __typename id revision } }
    }
  }`;

const ManifestMutation = `
  mutation SeedCreateManifest($input: CreateEligibilityManifestInput!) {
    createEligibilityManifest(input: $input) {
      __typename
      ... on CreateEligibilityManifestPayload { manifest { __typename id setHash } }
    }
  }`;

/** Lists the tenant's ADMIN reads to collect its IDs and identifying strings; optional parts only when the schema has them. */
const collectParts: Record<string, string> = {
  viewer:
    'viewer { controller { __typename id slug name legalName contactEmail dpoContact euRepresentative } }',
  apiKeys: 'apiKeys(first: 20) { edges { cursor node { __typename id name prefix } } }',
  purposes: `purposes(first: 20, includeArchived: true) {
    edges { cursor node { __typename id key revisions { __typename id name description legitimateInterest } } }
  }`,
  notices: `notices(first: 20) {
    edges {
      cursor
      node {
        __typename id key title
        versions(first: 20) {
          edges { node { __typename id contentHash changeSummary changeMessage leadTimeOverrideReason publishedBy translations { title body } } }
        }
        drafts(first: 20) { edges { node { __typename id changeSummary translations { title body } } } }
      }
    }
  }`,
  campaigns: 'campaigns(first: 20) { edges { cursor node { __typename id name audienceDescription } } }',
  messageTemplates:
    'messageTemplates(first: 20) { edges { cursor node { __typename id key subject body linkTarget contentHash } } }',
  auditTrail:
    'auditTrail(first: 100) { edges { cursor node { __typename id actorKeyId targetId hash details } } }',
  regulatorRequests:
    'regulatorRequests(first: 20) { edges { cursor node { __typename id authority reference noticeKeys } } }',
  changeEvents: 'changeEvents(first: 50) { edges { cursor node { __typename id resourceId data } } }',
  objectionCases: 'objectionCases(first: 20) { edges { cursor node { __typename id grounds } } }',
  webhookEndpoints: 'webhookEndpoints(first: 20) { edges { cursor node { __typename id url description } } }',
  webhookDeliveries:
    'webhookDeliveries(first: 50) { edges { cursor node { __typename id event { __typename id } endpoint { __typename id } } } }',
};

function collectQuery(): string {
  const fields = schema.getQueryType()?.getFields() ?? {};
  const parts = Object.entries(collectParts)
    .filter(([field]) => field in fields)
    .map(([, part]) => part);
  return `query SeedCollect { ${parts.join('\n')} }`;
}

const hasMutation = (name: string) => name in (schema.getMutationType()?.getFields() ?? {});

const WebhookEndpointMutation = `
  mutation SeedCreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      __typename
      ... on CreateWebhookEndpointPayload { secret endpoint { __typename id url } }
    }
  }`;

const RegulatorRequestMutation = `
  mutation SeedOpenRegulatorRequest($input: OpenRegulatorRequestInput!) {
    openRegulatorRequest(input: $input) {
      __typename
      ... on RegulatorRequestPayload { request { __typename id } }
    }
  }`;

const RegulatorKeyMutation = `
  mutation SeedIssueRegulatorKey($input: IssueRegulatorKeyInput!) {
    issueRegulatorKey(input: $input) {
      __typename
      ... on IssueRegulatorKeyPayload { secret }
    }
  }`;

/** Whether the schema has regulator requests and REGULATOR keys. */
export const hasRegulatorRequests = hasMutation('openRegulatorRequest') && hasMutation('issueRegulatorKey');

/** A REGULATOR key bound to the tenant's regulator request (issued through the API). */
export async function issueRegulatorKey(app: App, tenant: SeededTenant, name: string): Promise<string> {
  if (!tenant.regulatorRequestId) throw new Error('the tenant has no regulator request');
  const issued = (
    await sendOk(app, tenant.keys.ADMIN, RegulatorKeyMutation, {
      input: {
        requestId: tenant.regulatorRequestId,
        name,
        expiresAt: new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString(),
      },
    })
  ).issueRegulatorKey as { __typename: string; secret: string };
  if (issued.__typename !== 'IssueRegulatorKeyPayload') throw new Error(JSON.stringify(issued));
  return issued.secret;
}

const SubjectQuery = `
  query SeedSubject($ref: String!) {
    subject(ref: $ref) {
      __typename id
      notifications(first: 20) {
        edges {
          cursor
          node {
            __typename id contentHash idempotencyKey batchId senderMessageId
            events { __typename id detail }
            message { __typename id key subject body }
          }
        }
      }
      responses(first: 20) { edges { cursor node { __typename id idempotencyKey } } }
    }
  }`;

/** Every `{ __typename, id }` object inside a JSON value. */
function collectNodes(value: unknown, into: Map<string, Set<string>>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectNodes(item, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.__typename === 'string' && typeof record.id === 'string') {
    const set = into.get(record.__typename) ?? new Set<string>();
    set.add(record.id);
    into.set(record.__typename, set);
  }
  for (const child of Object.values(record)) collectNodes(child, into);
}

/** Every string leaf of a JSON value under the given property names. */
function collectStrings(value: unknown, names: ReadonlySet<string>, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, names, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    if (names.has(name) && typeof child === 'string' && child.length > 0) into.add(child);
    else collectStrings(child, names, into);
  }
}

/** The first cursor of every root connection in a query's data. */
function firstCursors(data: Record<string, unknown>, into: Set<string>): void {
  for (const value of Object.values(data)) {
    const edges = (value as { edges?: { cursor?: unknown }[] } | null)?.edges;
    if (Array.isArray(edges) && typeof edges[0]?.cursor === 'string') into.add(edges[0].cursor);
  }
}

/** The database ID inside a Relay global ID. */
export function rawIdOf(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

const isoMinutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/**
 * A controller with comparable data in every table, written through the real API: keys (one per
 * role, one created and one revoked through the API), two purposes with two revisions each, a
 * notice with two published versions and a draft, a campaign, two subjects with notifications,
 * delivery events and responses, an eligibility manifest, a regulator request (when the schema has
 * them), the audit entries all that writes, and a transparency log with the notifications
 * sequenced into it under a signed head. Then its ADMIN lists everything to collect every
 * global ID, cursor and identifying string. Every text carries `label` and a random token, so it
 * identifies this tenant alone.
 */
export async function seedTenant(app: App, prisma: PrismaClient, label: string): Promise<SeededTenant> {
  const tag = `${label}${randomBytes(3).toString('hex')}`;
  const controller = await makeController(prisma, {
    slug: `${tag}-ctl`,
    name: `${tag} Controller`,
    legalName: `${tag} Holdings Ltd.`,
    contactEmail: `privacy@${tag}.example`,
    dpoContact: `dpo@${tag}.example`,
    euRepresentative: `${tag} EU representative`,
  });
  const keys = {} as Record<TenantRole, string>;
  for (const role of roles)
    keys[role] = (await makeKey(prisma, controller.id, role, { name: `${tag} ${role} key` })).secret;
  const admin = keys.ADMIN;

  const markers = new Set<string>([tag, controller.id, ...Object.values(keys)]);
  const ids = new Map<string, Set<string>>();
  const batchIds = new Set<string>();

  // Keys created and revoked through the API.
  for (const name of [`${tag} mailer`, `${tag} retired`]) {
    const created = (await sendOk(app, admin, ApiKeyMutation, { input: { name, role: 'NOTIFIER' } }))
      .createApiKey as { __typename: string; secret: string; apiKey: { id: string } };
    if (created.__typename !== 'CreateApiKeyPayload') throw new Error(JSON.stringify(created));
    markers.add(created.secret);
    if (name.endsWith('retired')) await sendOk(app, admin, RevokeMutation, { id: created.apiKey.id });
  }

  // A webhook endpoint, before the changes, so that their deliveries are queued for it.
  if (hasMutation('createWebhookEndpoint')) {
    const created = (
      await sendOk(app, admin, WebhookEndpointMutation, {
        input: { url: `https://${tag}.example/hooks`, description: `${tag} mailer hook` },
      })
    ).createWebhookEndpoint as { __typename: string; secret: string };
    if (created.__typename !== 'CreateWebhookEndpointPayload') throw new Error(JSON.stringify(created));
    markers.add(created.secret);
  }

  // Two purposes, two revisions each.
  const training = `${tag}-training`;
  const billing = `${tag}-billing`;
  await createPurpose(app, training, keys.EDITOR, {
    name: `${tag} AI training`,
    description: `${tag} trains models on public posts.`,
    legitimateInterest: `${tag} improves AI features.`,
  });
  await createPurpose(app, billing, keys.EDITOR, {
    name: `${tag} Billing`,
    description: `${tag} bills for the contract.`,
    legalBasis: 'CONTRACT',
    legitimateInterest: null,
    transfers: [],
  });

  // A notice with two published versions (both in force from now) and an open draft.
  const noticeKey = `${tag}-privacy`;
  await createNotice(app, noticeKey, keys.EDITOR);
  const text = (n: number) => [
    { locale: 'en', title: `${tag} notice v${n}`, body: `# Privacy\n\n${tag} processes data (v${n}).\n` },
    {
      locale: 'de',
      title: `${tag} Hinweis v${n}`,
      body: `# Datenschutz\n\n${tag} verarbeitet Daten (v${n}).\n`,
    },
  ];
  const draft1 = await createDraft(app, keys.EDITOR, {
    noticeKey,
    purposeKeys: [training, billing],
    effectiveFrom: isoMinutesAgo(-1),
    translations: text(1),
  });
  await publish(app, keys.EDITOR, draft1, `${tag} first version`);
  await revisePurpose(app, training, keys.EDITOR, {
    name: `${tag} AI training (revised)`,
    description: `${tag} trains and evaluates models on public posts.`,
    legitimateInterest: `${tag} improves AI features.`,
  });
  await revisePurpose(app, billing, keys.EDITOR, {
    name: `${tag} Billing (revised)`,
    description: `${tag} bills and collects for the contract.`,
    legalBasis: 'CONTRACT',
    legitimateInterest: null,
    transfers: [],
  });
  const draft2 = await createDraft(app, keys.EDITOR, {
    noticeKey,
    purposeKeys: [training, billing],
    effectiveFrom: isoMinutesAgo(-1),
    translations: text(2),
  });
  await publish(app, keys.EDITOR, draft2, `${tag} second version`);
  await createDraft(app, keys.EDITOR, {
    noticeKey,
    purposeKeys: [billing],
    effectiveFrom: isoMinutesAgo(-60 * 24 * 60),
    translations: text(3),
  });

  // A campaign for version 2.
  const campaignName = `${tag} spring campaign`;
  const campaign = (
    await sendOk(app, keys.NOTIFIER, CampaignMutation, {
      input: {
        name: campaignName,
        noticeKey,
        versionNumber: 2,
        channels: ['EMAIL', 'PUSH'],
        audienceDescription: `${tag} adult users`,
        plannedSize: 2,
      },
    })
  ).createCampaign as { __typename: string; campaign: { id: string } };
  if (campaign.__typename !== 'CampaignPayload') throw new Error(JSON.stringify(campaign));

  // A message template, in two revisions; the first notification names revision 2.
  const templateKey = `${tag}-notice-change`;
  for (const body of [`${tag} first wording`, `${tag} second wording`]) {
    const published = (
      await sendOk(app, keys.EDITOR, TemplateMutation, {
        input: {
          key: templateKey,
          channel: 'EMAIL',
          locale: 'en',
          subject: `${tag} privacy notice changed`,
          body,
          linkTarget: `https://${tag}.example/privacy`,
        },
      })
    ).publishMessageTemplate as { __typename: string };
    if (published.__typename !== 'PublishMessageTemplatePayload') throw new Error(JSON.stringify(published));
  }

  // Two subjects: notifications (one through the campaign), delivery events, responses.
  const subjectRefs = [`${tag}-user-1`, `${tag}-user-2`];
  const notifications = (
    await sendOk(app, keys.NOTIFIER, NotificationsMutation, {
      input: {
        items: subjectRefs.map((subjectRef, index) => ({
          subjectRef,
          noticeKey,
          versionNumber: 2,
          channel: 'EMAIL',
          locale: 'en',
          jurisdiction: 'DE',
          occurredAt: isoMinutesAgo(5),
          idempotencyKey: `${tag}-mail-${index + 1}`,
          senderMessageId: `${tag}-msg-${index + 1}`,
          campaignId: index === 0 ? campaign.campaign.id : null,
          template: index === 0 ? { key: templateKey, revision: 2 } : null,
        })),
      },
    })
  ).recordNotifications as { accepted: number; batchId: string | null; items: { recordId: string }[] };
  if (notifications.accepted !== 2) throw new Error(JSON.stringify(notifications));
  if (notifications.batchId) batchIds.add(notifications.batchId);
  const events = (
    await sendOk(app, keys.NOTIFIER, EventsMutation, {
      input: {
        items: [
          {
            notificationId: notifications.items[0]?.recordId,
            type: 'DELIVERED',
            occurredAt: isoMinutesAgo(4),
          },
          {
            notificationIdempotencyKey: `${tag}-mail-2`,
            type: 'BOUNCED',
            occurredAt: isoMinutesAgo(4),
            detail: `${tag} mailbox full`,
          },
        ],
      },
    })
  ).recordNotificationEvents as { accepted: number; batchId: string | null };
  if (events.accepted !== 2) throw new Error(JSON.stringify(events));
  if (events.batchId) batchIds.add(events.batchId);
  const responses = (
    await sendOk(app, keys.NOTIFIER, ResponsesMutation, {
      input: {
        items: [
          {
            subjectRef: subjectRefs[0],
            purposeKey: training,
            kind: 'OBJECTED',
            channel: 'EMAIL',
            occurredAt: isoMinutesAgo(3),
            idempotencyKey: `${tag}-answer-1`,
            noticeKey,
            versionNumber: 2,
            objection: { grounds: `${tag} objects on grounds of a particular situation` },
          },
          {
            subjectRef: subjectRefs[0],
            purposeKey: training,
            kind: 'OBJECTION_WITHDRAWN',
            channel: 'IN_APP',
            occurredAt: isoMinutesAgo(2),
            idempotencyKey: `${tag}-answer-2`,
          },
        ],
      },
    })
  ).recordResponses as { accepted: number; batchId: string | null };
  if (responses.accepted !== 2) throw new Error(JSON.stringify(responses));
  if (responses.batchId) batchIds.add(responses.batchId);

  // An eligibility manifest over the contract purpose (every subject of the controller is eligible).
  const manifest = (await sendOk(app, keys.AUDITOR, ManifestMutation, { input: { purposeKey: billing } }))
    .createEligibilityManifest as { __typename: string; manifest: { setHash: string } };
  if (manifest.__typename !== 'CreateEligibilityManifestPayload') throw new Error(JSON.stringify(manifest));
  collectNodes(manifest, ids);
  markers.add(manifest.manifest.setHash);

  // A regulator request scoped to the first subject and the notice, when the schema has them.
  let regulatorRequestId: string | null = null;
  if (hasRegulatorRequests) {
    const opened = (
      await sendOk(app, keys.AUDITOR, RegulatorRequestMutation, {
        input: {
          authority: `${tag} DPA`,
          reference: `${tag}-case-1`,
          subjectRefs: [subjectRefs[0]],
          noticeKeys: [noticeKey],
          periodFrom: isoMinutesAgo(60),
        },
      })
    ).openRegulatorRequest as { __typename: string; request: { id: string } };
    if (opened.__typename !== 'RegulatorRequestPayload') throw new Error(JSON.stringify(opened));
    regulatorRequestId = opened.request.id;
    markers.add(`${tag} DPA`).add(`${tag}-case-1`);
  }

  // The log's cadence: sequence the notifications into the transparency log and sign a head, so
  // that their inclusion proofs exist (transparencyLogNotificationProof answers with them).
  const database = { prisma } as unknown as Database;
  const logged = await runLogCadence(database, controller.id);
  if (logged.appended !== 2 || !logged.head) throw new Error(`log cadence: ${JSON.stringify(logged)}`);

  // Collect every ID and identifying string through the tenant's own ADMIN.
  const collected = [await sendOk(app, admin, collectQuery())];
  for (const ref of subjectRefs) collected.push(await sendOk(app, admin, SubjectQuery, { ref }));
  collectNodes(collected, ids);
  // Random values identify the tenant whatever they say; other texts only when they carry its tag.
  const unique = new Set([
    'prefix',
    'contentHash',
    'publishedBy',
    'batchId',
    'setHash',
    'actorKeyId',
    'targetId',
    'hash',
  ]);
  collectStrings(collected, unique, markers);
  const texts = new Set<string>();
  const identifying = new Set([
    'slug',
    'name',
    'legalName',
    'contactEmail',
    'dpoContact',
    'euRepresentative',
    'key',
    'title',
    'description',
    'legitimateInterest',
    'changeSummary',
    'changeMessage',
    'leadTimeOverrideReason',
    'body',
    'audienceDescription',
    'idempotencyKey',
    'senderMessageId',
    'detail',
    'authority',
    'reference',
    'noticeKeys',
    'subject',
    'linkTarget',
    'url',
    'grounds',
  ]);
  collectStrings(collected, identifying, texts);
  for (const text of texts) if (text.includes(tag)) markers.add(text);
  const cursors = new Set<string>();
  firstCursors(collected[0]!, cursors);
  for (const set of ids.values()) for (const id of set) markers.add(id).add(rawIdOf(id));
  for (const id of batchIds) markers.add(id);
  for (const ref of subjectRefs) markers.add(ref);
  // The evidence signing key exists once a bundle is exported; create it so evidenceSigningKeys is swept too.
  const signingKey = await getOrCreateSigningKey(database, controller.id);
  markers.add(signingKey.keyId);
  // The transparency log's sequencer logs the notifications, so their inclusion proofs are swept too.
  await runLogCadence({ prisma } as unknown as Database, controller.id);

  return {
    label,
    controllerId: controller.id,
    keys,
    regulatorRequestId,
    ids,
    noticeKeys: [noticeKey],
    purposeKeys: [training, billing],
    subjectRefs,
    campaignNames: [campaignName],
    templateKeys: [templateKey],
    slug: controller.slug,
    cursors: [...cursors],
    markers,
  };
}

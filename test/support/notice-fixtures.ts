import { createPubSub } from 'graphql-yoga';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import type { NoticeEvents } from '../../src/modules/notice/notice.events.js';
import { NoticeVersionService } from '../../src/modules/notice/notice-version.service.js';
import type { NoticeTranslationInput, NotMaterialInput, PurposeContentInput } from '../graphql/graphql.js';
import { graphql } from '../graphql/index.js';
import { execute, expectData, rawId } from './client.js';
import { makeKey } from './factories.js';
import { purposeContent } from './purpose-fixtures.js';

const CreatePurposeForFixture = graphql(`
  mutation CreatePurposeForFixture($input: CreatePurposeInput!) {
    createPurpose(input: $input) {
      __typename
    }
  }
`);

const RevisePurposeForFixture = graphql(`
  mutation RevisePurposeForFixture($input: RevisePurposeInput!) {
    revisePurpose(input: $input) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

const CreateNoticeForFixture = graphql(`
  mutation CreateNoticeForFixture($input: CreateNoticeInput!) {
    createNotice(input: $input) {
      __typename
    }
  }
`);

export const CreateDraft = graphql(`
  mutation CreateDraft($input: CreateNoticeDraftInput!) {
    createNoticeDraft(input: $input) {
      __typename
      ... on NoticeVersionPayload {
        version {
          id
          status
        }
      }
      ... on Error {
        code
        message
      }
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
      ... on UnknownPurposesError {
        purposeKeys
      }
    }
  }
`);

export const Publish = graphql(`
  mutation Publish($input: PublishNoticeVersionInput!) {
    publishNoticeVersion(input: $input) {
      __typename
      ... on NoticeVersionPayload {
        version {
          id
          number
          status
          contentHash
          classification
          effectiveFrom
          leadTimeOverrideReason
          classificationReasons {
            code
            classification
            purposeKey
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on NoticeVersionIncompleteError {
        missingLocales
        emptyLocales
      }
      ... on NoticeLeadTimeError {
        earliestEffectiveFrom
        minimumNoticeDays
      }
    }
  }
`);

export async function createPurpose(
  app: App,
  key: string,
  apiKey: string,
  overrides: Partial<PurposeContentInput> = {},
) {
  const result = expectData(
    await execute(app, CreatePurposeForFixture, {
      key: apiKey,
      variables: { input: { key, content: purposeContent(overrides) } },
    }),
  );
  expect(result.createPurpose.__typename).toBe('PurposePayload');
}

/** A new revision; `basisChangeJustification` is needed when it moves the purpose away from CONSENT. */
export async function revisePurpose(
  app: App,
  key: string,
  apiKey: string,
  overrides: Partial<PurposeContentInput>,
  basisChangeJustification?: string,
) {
  const result = expectData(
    await execute(app, RevisePurposeForFixture, {
      key: apiKey,
      variables: { input: { key, content: purposeContent(overrides), basisChangeJustification } },
    }),
  ).revisePurpose;
  expect(result, JSON.stringify(result)).toEqual({ __typename: 'PurposePayload' });
}

export async function createNotice(
  app: App,
  key: string,
  apiKey: string,
  requiredLocales: string[] = ['en', 'de'],
) {
  const result = expectData(
    await execute(app, CreateNoticeForFixture, {
      key: apiKey,
      variables: { input: { key, title: `Notice ${key}`, defaultLocale: 'en', requiredLocales } },
    }),
  );
  expect(result.createNotice.__typename).toBe('NoticePayload');
}

export function translations(text = 'We process your data.'): NoticeTranslationInput[] {
  return [
    { locale: 'en', title: 'Privacy notice', body: `# Privacy\n\n${text}\n` },
    { locale: 'de', title: 'Datenschutzhinweis', body: `# Datenschutz\n\n${text} (de)\n` },
  ];
}

export const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

export async function createDraft(
  app: App,
  apiKey: string,
  input: {
    noticeKey: string;
    purposeKeys: string[];
    effectiveFrom?: string;
    translations?: NoticeTranslationInput[];
  },
): Promise<string> {
  const result = expectData(
    await execute(app, CreateDraft, {
      key: apiKey,
      variables: {
        input: {
          noticeKey: input.noticeKey,
          purposeKeys: input.purposeKeys,
          translations: input.translations ?? translations(),
          changeSummary: 'Initial version',
          effectiveFrom: input.effectiveFrom ?? inDays(30),
        },
      },
    }),
  ).createNoticeDraft;
  if (result.__typename !== 'NoticeVersionPayload')
    throw new Error(`${result.__typename}: ${JSON.stringify(result)}`);
  return result.version.id;
}

/** A sign-off for versions that only reword: their wording changes are then EDITORIAL. */
export const notMaterial = {
  signedBy: 'Test editor',
  reason: 'Rewording only; the processing is unchanged.',
} as const satisfies NotMaterialInput;

export async function publish(
  app: App,
  apiKey: string,
  id: string,
  leadTimeOverrideReason?: string,
  wordingSignOff?: NotMaterialInput,
) {
  const result = expectData(
    await execute(app, Publish, {
      key: apiKey,
      variables: {
        input: { id, changeMessage: 'publish', leadTimeOverrideReason, notMaterial: wordingSignOff },
      },
    }),
  ).publishNoticeVersion;
  if (result.__typename !== 'NoticeVersionPayload')
    throw new Error(`${result.__typename}: ${JSON.stringify(result)}`);
  return result.version;
}

/** A new purpose, a new notice for it, and the notice's first draft, effective now. */
async function firstDraft(app: App, apiKey: string, noticeKey: string, purposeKey: string) {
  await createPurpose(app, purposeKey, apiKey);
  await createNotice(app, noticeKey, apiKey);
  return createDraft(app, apiKey, { noticeKey, purposeKeys: [purposeKey], effectiveFrom: inDays(0) });
}

/** A notice with one purpose and one published version, effective now (override given). */
export async function publishedNotice(
  app: App,
  apiKey: string,
  noticeKey: string,
  purposeKey = `${noticeKey}-p`,
) {
  const id = await firstDraft(app, apiKey, noticeKey, purposeKey);
  return publish(app, apiKey, id, 'first version of a new notice');
}

/**
 * Publishes a draft (by its GraphQL ID) as if at `publishedAt`, through the service (the API
 * always publishes at the server's now): for tests that record notifications dated before today,
 * which the API refuses for a version published after them. The draft's effectiveFrom is kept
 * when it is later.
 */
export async function publishAsOf(
  database: Database,
  id: string,
  publishedAt: Date,
  leadTimeOverrideReason?: string,
  wordingSignOff?: NotMaterialInput,
) {
  const { controllerId } = await database.prisma.noticeVersion.findUniqueOrThrow({
    where: { id: rawId(id) },
    select: { controllerId: true },
  });
  const editor = await makeKey(database.prisma, controllerId, 'EDITOR', { name: 'back-dating publisher' });
  const service = new NoticeVersionService(
    database,
    { apiKeyId: editor.id, keyName: 'back-dating publisher', role: 'EDITOR', controllerId },
    createPubSub<NoticeEvents>(),
  );
  return service.publish(
    rawId(id),
    { changeMessage: 'publish', leadTimeOverrideReason, notMaterial: wordingSignOff },
    publishedAt,
  );
}

/** Like `publishedNotice`, but its version was published at `publishedAt` (see `publishAsOf`). */
export async function publishedNoticeAsOf(
  app: App,
  database: Database,
  apiKey: string,
  noticeKey: string,
  publishedAt: Date,
  purposeKey = `${noticeKey}-p`,
) {
  const id = await firstDraft(app, apiKey, noticeKey, purposeKey);
  return publishAsOf(database, id, publishedAt, 'first version of a new notice');
}

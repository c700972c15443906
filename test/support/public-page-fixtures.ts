import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import type { NoticeTranslationInput } from '../graphql/graphql.js';
import { graphql } from '../graphql/index.js';
import { execute, expectData } from './client.js';
import { createDraft, createNotice, createPurpose, publishAsOf } from './notice-fixtures.js';

export const SetPublicNoticePages = graphql(`
  mutation SetPublicNoticePages($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
      ... on UpdateControllerSettingsPayload {
        controller {
          slug
          publicNoticePages
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

/** Turns a controller's public pages on or off through the API, as its ADMIN does. */
export async function setPublicNoticePages(app: App, adminKey: string, on: boolean): Promise<void> {
  const result = expectData(
    await execute(app, SetPublicNoticePages, {
      key: adminKey,
      variables: { input: { publicNoticePages: on } },
    }),
  ).updateControllerSettings;
  expect(result.__typename, JSON.stringify(result)).toBe('UpdateControllerSettingsPayload');
}

export const hostileTitle = '<script>alert("title")</script>';
export const hostileBody =
  'Click "here" & <img src=x onerror="alert(1)"> </div><a href=\'javascript:alert(2)\'>';
export const draftOnlyText = 'DRAFT ONLY: this wording was never published';

function texts(
  english: string,
  german: string,
  french: string,
  title = 'Privacy policy',
): NoticeTranslationInput[] {
  return [
    { locale: 'en', title, body: english },
    { locale: 'de', title: 'Datenschutzerklärung', body: german },
    { locale: 'fr', title: 'Politique de confidentialité', body: french },
  ];
}

const at = (iso: string) => new Date(iso);

/**
 * A notice with fixed dates and texts (so its pages, hashes included, are the same on every run):
 * version 1 (2025-01-10) and version 2 (in force since 2025-04-01) in English, German and French,
 * version 3 upcoming on 2099-01-01, and a draft that must never be shown. `hostile` puts markup in
 * version 2's English title and body.
 */
export async function publicNotice(
  app: App,
  database: Database,
  editorKey: string,
  options: { readonly noticeKey?: string; readonly hostile?: boolean } = {},
): Promise<{ noticeKey: string }> {
  const noticeKey = options.noticeKey ?? 'privacy-policy';
  const purposeKey = `${noticeKey}-service`;
  await createPurpose(app, purposeKey, editorKey);
  await createNotice(app, noticeKey, editorKey, ['en', 'de', 'fr']);
  const version = async (
    translations: NoticeTranslationInput[],
    effectiveFrom: string,
    publishedAt: string,
  ) => {
    const id = await createDraft(app, editorKey, {
      noticeKey,
      purposeKeys: [purposeKey],
      translations,
      effectiveFrom: at(effectiveFrom).toISOString(),
    });
    return publishAsOf(database, id, at(publishedAt), 'fixed dates of a test fixture');
  };
  await version(
    texts(
      'We use your data to run the service.\nWe keep it for one year.',
      'Wir verwenden Ihre Daten, um den Dienst zu betreiben.\nWir speichern sie ein Jahr.',
      'Nous utilisons vos données pour exploiter le service.\nNous les conservons un an.',
    ),
    '2025-01-10T00:00:00Z',
    '2025-01-10T00:00:00Z',
  );
  await version(
    texts(
      options.hostile
        ? hostileBody
        : 'We use your data to run the service.\nWe keep it for two years.\nWrite to us to object.',
      'Wir verwenden Ihre Daten, um den Dienst zu betreiben.\nWir speichern sie zwei Jahre.\nSchreiben Sie uns, um zu widersprechen.',
      'Nous utilisons vos données pour exploiter le service.\nNous les conservons deux ans.\nÉcrivez-nous pour vous opposer.',
      options.hostile ? hostileTitle : 'Privacy policy',
    ),
    '2025-04-01T00:00:00Z',
    '2025-03-01T00:00:00Z',
  );
  await version(
    texts(
      'We use your data to run the service.\nWe keep it for two years.\nWrite to us or use the form to object.',
      'Wir verwenden Ihre Daten, um den Dienst zu betreiben.\nWir speichern sie zwei Jahre.\nSchreiben Sie uns oder nutzen Sie das Formular, um zu widersprechen.',
      'Nous utilisons vos données pour exploiter le service.\nNous les conservons deux ans.\nÉcrivez-nous ou utilisez le formulaire pour vous opposer.',
    ),
    '2099-01-01T00:00:00Z',
    '2026-01-05T00:00:00Z',
  );
  await createDraft(app, editorKey, {
    noticeKey,
    purposeKeys: [purposeKey],
    translations: texts(draftOnlyText, draftOnlyText, draftOnlyText, draftOnlyText),
    effectiveFrom: at('2099-06-01T00:00:00Z').toISOString(),
  });
  return { noticeKey };
}

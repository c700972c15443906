import { describe, expect, it } from 'vitest';
import { pickLocale } from '../../../src/modules/notice/notice.policy.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createDraft, createNotice, createPurpose } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const ServedText = graphql(`
  query ServedTextOfDraft($id: ID!, $locale: Locale) {
    noticeVersion(id: $id) {
      text(locale: $locale) {
        locale
        match
      }
    }
  }
`);

const localeSets = [
  ['en', 'de', 'fr'],
  ['en', 'de-DE', 'de-AT'],
  ['en-GB', 'fr-CA', 'de', 'pt-BR', 'pt-PT'],
  ['fr', 'de-CH'],
];
const requested = [null, 'de', 'de-AT', 'de-CH', 'fr', 'fr-FR', 'en', 'en-US', 'pt', 'es'];

describe('served locale', () => {
  const t = useTestApp();

  it('picks in SQL the translation pickLocale picks from the loaded locales', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'served-p', keys.EDITOR);
    await createNotice(t.app, 'served', keys.EDITOR, ['en']);
    for (const locales of localeSets) {
      const id = await createDraft(t.app, keys.EDITOR, {
        noticeKey: 'served',
        purposeKeys: ['served-p'],
        translations: locales.map((locale) => ({ locale, title: locale, body: `Text ${locale}` })),
      });
      for (const locale of requested) {
        const served = expectData(
          await execute(t.app, ServedText, { key: keys.ADMIN, variables: { id, locale } }),
        ).noticeVersion?.text;
        expect(served, `${locale} of ${locales.join(', ')}`).toEqual(pickLocale(locale, locales, 'en'));
      }
    }
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { templateHash } from '../../../src/modules/message-template/template-hash.js';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';
import { PublishTemplate, publishTemplate, templateInput } from './template-fixtures.js';

const TemplateByKey = graphql(`
  query TemplateByKey($key: String!, $channel: NotificationChannel!, $locale: Locale!, $revision: Int) {
    messageTemplate(key: $key, channel: $channel, locale: $locale, revision: $revision) {
      id
      revision
      subject
      body
      contentHash
    }
  }
`);

const TemplateList = graphql(`
  query TemplateList($first: Int, $after: String, $key: String, $channel: NotificationChannel, $locale: Locale) {
    messageTemplates(first: $first, after: $after, key: $key, channel: $channel, locale: $locale) {
      edges {
        node {
          id
          key
          channel
          locale
          revision
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const TemplateNode = graphql(`
  query TemplateNode($id: ID!) {
    node(id: $id) {
      __typename
      ... on MessageTemplate {
        key
        revision
        body
      }
    }
  }
`);

/** The canonical form as docs/message-templates.md spells it, written out by hand (not canonicalJson). */
function documentedHash(t: {
  key: string;
  channel: string;
  locale: unknown;
  revision: number;
  subject: string | null;
  body: string;
  linkTarget: string | null;
}): string {
  const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value.normalize('NFC')));
  const form =
    `{"body":${text(t.body)},"channel":${text(t.channel)},"format":"notarium.message-template.v1",` +
    `"key":${text(t.key)},"linkTarget":${text(t.linkTarget)},"locale":${text(String(t.locale))},` +
    `"revision":${t.revision},"subject":${text(t.subject)}}`;
  return `sha256:${createHash('sha256').update(Buffer.from(form, 'utf8')).digest('hex')}`;
}

describe('publishMessageTemplate', () => {
  const t = useTestApp();

  it('publishes revision 1, returns it again for the same content, and numbers new content 2', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const first = await publishTemplate(t.app, keys.EDITOR);
    expect(first.created).toBe(true);
    expect(first.messageTemplate).toMatchObject({
      key: 'notice-change',
      channel: 'EMAIL',
      locale: 'en',
      revision: 1,
      subject: 'We changed our privacy notice',
      linkTarget: 'https://example.com/privacy',
    });
    expect(first.messageTemplate.contentHash).toBe(documentedHash(first.messageTemplate));
    const entries = () =>
      t.database.prisma.auditEntry.findMany({
        where: { controllerId: controller.id, action: 'messageTemplate:publish' },
        orderBy: { sequence: 'asc' },
      });
    expect((await entries()).map((entry) => [entry.targetId, entry.details])).toEqual([
      [
        rawId(first.messageTemplate.id),
        {
          key: 'notice-change',
          channel: 'EMAIL',
          locale: 'en',
          revision: 1,
          contentHash: first.messageTemplate.contentHash,
        },
      ],
    ]);

    const again = await publishTemplate(t.app, keys.ADMIN);
    expect(again.created).toBe(false);
    expect(again.messageTemplate.id).toBe(first.messageTemplate.id);
    expect(await t.database.prisma.messageTemplate.count({ where: { controllerId: controller.id } })).toBe(1);
    expect(await entries()).toHaveLength(1);

    const second = await publishTemplate(t.app, keys.EDITOR, { linkTarget: '/privacy#changes' });
    expect(second).toMatchObject({ created: true, messageTemplate: { revision: 2 } });
    expect(second.messageTemplate.contentHash).toBe(documentedHash(second.messageTemplate));
    // Back to the text of revision 1: it is not the latest, so it becomes revision 3.
    const third = await publishTemplate(t.app, keys.EDITOR);
    expect(third.messageTemplate.revision).toBe(3);
    expect(third.messageTemplate.contentHash).not.toBe(first.messageTemplate.contentHash);
    // Another channel or locale of the same key has its own numbering.
    const sms = await publishTemplate(t.app, keys.EDITOR, {
      channel: 'SMS',
      subject: null,
      linkTarget: null,
    });
    const german = await publishTemplate(t.app, keys.EDITOR, {
      locale: 'de-DE',
      body: 'Hallo {{firstName}}!',
    });
    expect([sms.messageTemplate.revision, german.messageTemplate.revision]).toEqual([1, 1]);
    expect(sms.messageTemplate.subject).toBeNull();
    expect(german.messageTemplate.locale).toBe('de-DE');
    expect(await entries()).toHaveLength(5);
  });

  it('treats NFC-equivalent text as the same content', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const composed = await publishTemplate(t.app, keys.EDITOR, { body: 'Caf\u00e9 news' });
    const decomposed = await publishTemplate(t.app, keys.EDITOR, { body: 'Cafe\u0301 news' });
    expect(decomposed).toMatchObject({
      created: false,
      messageTemplate: { id: composed.messageTemplate.id },
    });
  });

  it('hashes byte for byte as docs/message-templates.md shows', () => {
    const example = {
      key: 'notice-change',
      channel: 'EMAIL',
      locale: 'de',
      revision: 1,
      subject: 'Änderung unserer Datenschutzhinweise',
      body: 'Hallo {{firstName}},\n\nwir haben unsere Datenschutzhinweise geändert: {{link}}\n',
      linkTarget: 'https://example.com/privacy',
    };
    const pinned = 'sha256:1b0701d9d9dde4898e7676f93da7063a09d9b07846453e7f0814d94bd3297535';
    expect(documentedHash(example)).toBe(pinned);
    expect(templateHash(example)).toBe(pinned);
    const escapes = {
      ...example,
      subject: null,
      body: 'Tab\there, "quoted" \\ and \u0001',
      linkTarget: null,
    };
    expect(templateHash(escapes)).toBe(documentedHash(escapes));
  });

  it('refuses bad input with coded issues naming each field, and writes nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const cases: [Partial<Parameters<typeof templateInput>[0]>, string[]][] = [
      [{ key: 'Notice Change' }, ['key']],
      [{ key: '' }, ['key']],
      [{ subject: null }, ['subject']],
      [{ subject: '   ' }, ['subject']],
      [{ subject: 'Line one\r\nBcc: someone@example.com' }, ['subject']],
      [{ subject: 's'.repeat(501) }, ['subject']],
      [{ channel: 'SMS' }, ['subject']],
      [{ channel: 'PUSH', subject: '' }, ['subject']],
      [{ body: '' }, ['body']],
      [{ body: ' \n\t ' }, ['body']],
      [{ body: 'b'.repeat(100_001) }, ['body']],
      [{ linkTarget: 'http://example.com/privacy' }, ['linkTarget']],
      [{ linkTarget: 'javascript:alert(1)' }, ['linkTarget']],
      [{ linkTarget: '//evil.example/privacy' }, ['linkTarget']],
      [{ linkTarget: '/\\evil.example' }, ['linkTarget']],
      [{ linkTarget: 'https://user:secret@example.com/' }, ['linkTarget']],
      [{ linkTarget: 'https://example.com/a b' }, ['linkTarget']],
      [{ linkTarget: '' }, ['linkTarget']],
      [{ linkTarget: 'privacy' }, ['linkTarget']],
      [{ key: 'UPPER', body: '', linkTarget: 'ftp://x' }, ['body', 'key', 'linkTarget']],
    ];
    for (const [overrides, paths] of cases) {
      const result = expectData(
        await execute(t.app, PublishTemplate, {
          key: keys.EDITOR,
          variables: { input: templateInput(overrides) },
        }),
      ).publishMessageTemplate;
      expect({ overrides, typename: result.__typename }).toEqual({
        overrides,
        typename: 'InputValidationError',
      });
      if (result.__typename !== 'InputValidationError') continue;
      expect({ overrides, paths: result.issues.map((issue) => issue.path.join('.')).sort() }).toEqual({
        overrides,
        paths: paths.map((path) => `input.${path}`),
      });
    }
    // Accepted edge cases: the limits themselves, optional subjects, relative paths with query and fragment.
    for (const overrides of [
      { subject: 's'.repeat(500), body: 'b'.repeat(100_000) },
      { channel: 'PUSH' as const, subject: null, linkTarget: '/privacy?from=push#top' },
      { channel: 'POSTAL' as const, subject: 'Re: your privacy', linkTarget: null },
      { channel: 'WEB_BANNER' as const, subject: null, linkTarget: 'HTTPS://Example.com/Privacy' },
    ])
      expect((await publishTemplate(t.app, keys.EDITOR, { key: 'edge-cases', ...overrides })).created).toBe(
        true,
      );
    const badLocale = await execute(t.app, PublishTemplate, {
      key: keys.EDITOR,
      variables: { input: templateInput({ locale: 'not a locale' }) },
    });
    expect(errorCode(badLocale)).toBe('BAD_USER_INPUT');
    expect(
      await t.database.prisma.messageTemplate.count({
        where: { controllerId: controller.id, key: 'notice-change' },
      }),
    ).toBe(0);
  });

  it('lets ADMIN and EDITOR publish, and no other role', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    for (const role of ['NOTIFIER', 'READER', 'AUDITOR'] as const) {
      const response = await execute(t.app, PublishTemplate, {
        key: keys[role],
        variables: { input: templateInput() },
      });
      expect({ role, code: errorCode(response) }).toEqual({ role, code: 'FORBIDDEN' });
    }
    expect((await publishTemplate(t.app, keys.ADMIN)).created).toBe(true);
    expect((await publishTemplate(t.app, keys.EDITOR, { body: 'Other text' })).created).toBe(true);
  });

  it('gives concurrent publishes consecutive revisions, and one revision for the same content', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const same = await Promise.all(Array.from({ length: 6 }, () => publishTemplate(t.app, keys.EDITOR)));
    expect(new Set(same.map((result) => result.messageTemplate.id)).size).toBe(1);
    expect(same.filter((result) => result.created)).toHaveLength(1);

    const bodies = Array.from({ length: 6 }, (_, index) => `Text number ${index}`);
    const different = await Promise.all(bodies.map((body) => publishTemplate(t.app, keys.EDITOR, { body })));
    expect(different.map((result) => result.messageTemplate.revision).sort((a, b) => a - b)).toEqual([
      2, 3, 4, 5, 6, 7,
    ]);
    const rows = await t.database.prisma.messageTemplate.findMany({
      where: { controllerId: controller.id },
      orderBy: { revision: 'asc' },
    });
    expect(rows.map((row) => row.revision)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const row of rows) expect(row.contentHash).toBe(documentedHash(row));
  });

  it('reads a revision, the latest, and lists by key, channel and locale, newest revision first', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const r1 = await publishTemplate(t.app, keys.EDITOR, { body: 'one' });
    const r2 = await publishTemplate(t.app, keys.EDITOR, { body: 'two' });
    await publishTemplate(t.app, keys.EDITOR, { channel: 'SMS', subject: null, body: 'sms' });
    await publishTemplate(t.app, keys.EDITOR, { key: 'welcome', body: 'hi' });
    const read = async (revision?: number, channel: 'EMAIL' | 'PUSH' = 'EMAIL') =>
      expectData(
        await execute(t.app, TemplateByKey, {
          key: keys.NOTIFIER,
          variables: { key: 'notice-change', channel, locale: 'en', revision },
        }),
      ).messageTemplate;
    expect(await read()).toMatchObject({ id: r2.messageTemplate.id, revision: 2, body: 'two' });
    expect(await read(1)).toMatchObject({ id: r1.messageTemplate.id, body: 'one' });
    expect(await read(3)).toBeNull();
    expect(await read(0)).toBeNull();
    expect(await read(undefined, 'PUSH')).toBeNull();

    const list = async (variables: Record<string, unknown>) =>
      expectData(
        await execute(t.app, TemplateList, { key: keys.READER, variables }),
      ).messageTemplates.edges.map(
        ({ node }) => `${node.key}/${node.channel}/${node.locale}#${node.revision}`,
      );
    expect(await list({})).toEqual([
      'notice-change/EMAIL/en#2',
      'notice-change/EMAIL/en#1',
      'notice-change/SMS/en#1',
      'welcome/EMAIL/en#1',
    ]);
    expect(await list({ key: 'notice-change', channel: 'EMAIL' })).toEqual([
      'notice-change/EMAIL/en#2',
      'notice-change/EMAIL/en#1',
    ]);
    expect(await list({ locale: 'de' })).toEqual([]);
    // Paging with cursors keeps the order, without gaps or repeats.
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const connection: {
        edges: { node: { key: string; channel: string; revision: number } }[];
        pageInfo: { hasNextPage: boolean; endCursor?: string | null };
      } = expectData(
        await execute(t.app, TemplateList, { key: keys.READER, variables: { first: 1, after } }),
      ).messageTemplates;
      seen.push(...connection.edges.map(({ node }) => `${node.key}/${node.channel}#${node.revision}`));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual([
      'notice-change/EMAIL#2',
      'notice-change/EMAIL#1',
      'notice-change/SMS#1',
      'welcome/EMAIL#1',
    ]);

    const node = expectData(
      await execute(t.app, TemplateNode, { key: keys.READER, variables: { id: r1.messageTemplate.id } }),
    ).node;
    expect(node).toEqual({ __typename: 'MessageTemplate', key: 'notice-change', revision: 1, body: 'one' });
  });

  it("never shows or numbers after another controller's templates", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    const secret = await publishTemplate(t.app, theirs.keys.EDITOR, { body: 'Their secret wording' });
    await publishTemplate(t.app, theirs.keys.EDITOR, { body: 'Their second wording' });
    for (const role of ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const) {
      const key = mine.keys[role];
      const byKey = await execute(t.app, TemplateByKey, {
        key,
        variables: { key: 'notice-change', channel: 'EMAIL', locale: 'en' },
      });
      const byId = await execute(t.app, TemplateNode, { key, variables: { id: secret.messageTemplate.id } });
      const list = await execute(t.app, TemplateList, { key, variables: {} });
      expect(expectData(byKey).messageTemplate).toBeNull();
      expect(expectData(byId).node).toBeNull();
      expect(expectData(list).messageTemplates.edges).toEqual([]);
      for (const response of [byKey, byId, list])
        expect(JSON.stringify(response.body)).not.toContain('Their');
    }
    // The same key, channel and locale start at revision 1 for this controller.
    const own = await publishTemplate(t.app, mine.keys.EDITOR, { body: 'Their secret wording' });
    expect(own).toMatchObject({ created: true, messageTemplate: { revision: 1 } });
    expect(own.messageTemplate.id).not.toBe(secret.messageTemplate.id);
  });
});

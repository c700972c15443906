import { describe, expect, it } from 'vitest';
import { canonicalForm, contentHash } from '../../../src/modules/notice/content-hash.js';
import { verifyVersion } from '../../../src/modules/notice/verify-version.js';
import { loadVersionSnapshot } from '../../../src/modules/notice/version-snapshot.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createDraft, inDays, publish, publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const UpdateSettings = graphql(`
  mutation StatementUpdateSettings($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
    }
  }
`);

const VersionStatement = graphql(`
  query VersionStatement($key: String!, $number: Int!) {
    notice(key: $key) {
      version(number: $number) {
        contentHash
        minimumNoticeDays
        controller {
          name
          legalName
          contactEmail
          dpoContact
          euRepresentative
        }
        translations {
          locale
          textHash
        }
      }
    }
  }
`);

describe('what a version states about its controller, and the lead time frozen with it', () => {
  const t = useTestApp();

  it('freezes the identity and the notice period at publication and classifies a DPO change as RENOTIFY', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const first = await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const read = async (number: number) =>
      expectData(
        await execute(t.app, VersionStatement, {
          key: keys.READER,
          variables: { key: 'privacy-policy', number },
        }),
      ).notice!.version!;
    const v1 = await read(1);
    expect(v1.controller).toEqual({
      name: controller.name,
      legalName: controller.legalName,
      contactEmail: controller.contactEmail,
      dpoContact: null,
      euRepresentative: null,
    });
    expect(v1.minimumNoticeDays).toBe(28);
    expect(v1.contentHash).toBe(first.contentHash);
    const stored = await t.database.prisma.noticeVersion.findUniqueOrThrow({
      where: { id: rawId(first.id) },
    });
    expect(stored.canonicalForm).toContain('"format":"notarium.notice-version.v2"');
    expect(stored.canonicalForm).toContain(`"legalName":${JSON.stringify(controller.legalName)}`);

    const changed = expectData(
      await execute(t.app, UpdateSettings, {
        key: keys.ADMIN,
        variables: { input: { dpoContact: 'dpo@example.eu', minimumNoticeDays: 42 } },
      }),
    ).updateControllerSettings;
    expect(changed.__typename).toBe('UpdateControllerSettingsPayload');

    // Version 1 still states what it stated, and its hash still verifies.
    expect(await read(1)).toEqual(v1);
    expect(await verifyVersion(t.database.prisma, controller.slug, 'privacy-policy', 1)).toMatchObject({
      matches: true,
      canonicalFormMatches: true,
    });

    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['core'],
      effectiveFrom: inDays(43),
    });
    const second = await publish(t.app, keys.EDITOR, draft);
    expect(second.classification).toBe('RENOTIFY');
    expect(second.classificationReasons).toContainEqual({
      code: 'DPO_CHANGED',
      classification: 'RENOTIFY',
      purposeKey: null,
    });
    const v2 = await read(2);
    expect(v2.controller?.dpoContact).toBe('dpo@example.eu');
    expect(v2.minimumNoticeDays).toBe(42);
    expect(v2.contentHash).not.toBe(v1.contentHash);
    expect(await verifyVersion(t.database.prisma, controller.slug, 'privacy-policy', 2)).toMatchObject({
      matches: true,
    });
    // The same text in each locale hashes the same across versions only if the number is the same.
    expect(v2.translations.map((tr) => tr.locale)).toEqual(v1.translations.map((tr) => tr.locale));
    for (const [i, translation] of v2.translations.entries()) {
      expect(translation.textHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(translation.textHash).not.toBe(v1.translations[i]!.textHash);
    }
  });

  it('keeps a version published before the identity was stated on canonical form v1, and it verifies', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const version = await publishedNotice(t.app, keys.EDITOR, 'legacy', 'legacy-p');
    const id = rawId(version.id);
    // Rewrite the row into what a version published before v2 is: no stated identity, and the
    // v1 canonical form and hash it was sealed with.
    await t.database.sql('ALTER TABLE "NoticeVersion" DISABLE TRIGGER "NoticeVersion_immutable"');
    await t.database.sql(`UPDATE "NoticeVersion" SET "controllerIdentity" = NULL WHERE id = $1`, [id]);
    const snapshot = await loadVersionSnapshot(t.database.prisma, id, 1);
    expect(snapshot.controller).toBeNull();
    const form = canonicalForm(snapshot);
    expect(form).toContain('"format":"notarium.notice-version.v1"');
    expect(form).not.toContain('explicitConsent');
    await t.database.sql(
      `UPDATE "NoticeVersion" SET "canonicalForm" = $2, "contentHash" = $3 WHERE id = $1`,
      [id, form, contentHash(snapshot)],
    );
    await t.database.sql('ALTER TABLE "NoticeVersion" ENABLE TRIGGER "NoticeVersion_immutable"');
    expect(contentHash(snapshot)).not.toBe(version.contentHash);
    expect(await verifyVersion(t.database.prisma, controller.slug, 'legacy', 1)).toMatchObject({
      matches: true,
      canonicalFormMatches: true,
    });
    const read = expectData(
      await execute(t.app, VersionStatement, { key: keys.READER, variables: { key: 'legacy', number: 1 } }),
    ).notice!.version!;
    expect(read.controller).toBeNull();
  });
});

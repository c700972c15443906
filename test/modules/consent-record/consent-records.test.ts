import { createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import {
  type Jwks,
  parseJwks,
  ReceiptError,
  signReceipt,
  verifyReceipt,
} from '../../../src/modules/consent-record/receipt-jws.js';
import { recordSchema } from '../../../src/modules/consent-record/record-schemas.js';
import type { ConsentRecordExportInput, ResponseInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createDraft, createNotice, createPurpose, inDays, publish } from '../../support/notice-fixtures.js';
import { runCli } from '../../support/run-process.js';
import { useTestApp } from '../../support/test-app.js';
import { heavyTestTimeout } from '../../support/timeouts.js';

const Record = graphql(`
  mutation RecordConsentRecords($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      __typename
      ... on RecordResponsesPayload {
        accepted
        duplicates
        rejected
        items {
          status
          recordId
          receipt
          error {
            code
          }
        }
      }
    }
  }
`);

const Export = graphql(`
  query ExportConsentRecords($input: ConsentRecordExportInput!) {
    consentRecords(input: $input) {
      __typename
      ... on ConsentRecordExport {
        format
        recordCount
        truncated
        document
      }
      ... on Error {
        code
      }
    }
  }
`);

const Eligibility = graphql(`
  query ConsentRecordEligibility($ref: String!, $purposeKey: String!) {
    subject(ref: $ref) {
      eligibility(purposeKey: $purposeKey) {
        ... on EligibilityResult {
          decision
          rule
        }
      }
      purposeStates {
        purposeKey
        consent
      }
    }
  }
`);

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
/** One instant for every default item, so that a repeated item has the same content. */
const answeredAt = ago(10);

function consent(overrides: Partial<ResponseInput> = {}): ResponseInput {
  return {
    subjectRef: 'ada',
    purposeKey: 'newsletter',
    kind: 'CONSENT_GIVEN',
    occurredAt: answeredAt,
    channel: 'WEB_BANNER',
    noticeKey: 'privacy-policy',
    versionNumber: 1,
    locale: 'en',
    actor: 'SUBJECT',
    collectionMethod: 'BANNER',
    explicit: true,
    idempotencyKey: 'ada-consent',
    ...overrides,
  };
}

async function tenantWithConsentPurpose(app: App, prisma: Parameters<typeof makeTenant>[0]) {
  const tenant = await makeTenant(prisma);
  const editor = tenant.keys.EDITOR;
  await createPurpose(app, 'newsletter', editor, { legalBasis: 'CONSENT', legitimateInterest: null });
  await createNotice(app, 'privacy-policy', editor);
  const draft = await createDraft(app, editor, {
    noticeKey: 'privacy-policy',
    purposeKeys: ['newsletter'],
    effectiveFrom: inDays(0),
  });
  await publish(app, editor, draft, 'first version of a new notice');
  return tenant;
}

async function record(app: App, key: string, items: ResponseInput[], receipts = false) {
  const result = expectData(
    await execute(app, Record, { key, variables: { input: { items, receipts } } }),
  ).recordResponses;
  if (result.__typename !== 'RecordResponsesPayload') throw new Error(JSON.stringify(result));
  return result;
}

async function jwksOver(app: App, slug: string) {
  return app.fetch(new Request(`http://notarium.test/.well-known/jwks.json?controller=${slug}`));
}

describe('consent records', () => {
  const t = useTestApp();

  it('records given, refused and withdrawn consent with who, how and which notice; refuses consent without a notice', async () => {
    const { keys } = await tenantWithConsentPurpose(t.app, t.database.prisma);
    const result = await record(t.app, keys.NOTIFIER, [
      consent(),
      consent({ subjectRef: 'bob', kind: 'CONSENT_REFUSED', idempotencyKey: 'bob-refusal', explicit: null }),
      consent({ subjectRef: 'cy', noticeKey: null, versionNumber: null, idempotencyKey: 'cy-no-notice' }),
      consent({ subjectRef: 'cy', locale: null, idempotencyKey: 'cy-no-locale' }),
      consent({ subjectRef: 'cy', locale: 'fr', idempotencyKey: 'cy-french' }),
      // A withdrawal is never refused for want of a notice (Art. 7(3)).
      consent({
        kind: 'CONSENT_WITHDRAWN',
        occurredAt: ago(5),
        noticeKey: null,
        versionNumber: null,
        locale: null,
        collectionMethod: 'EMAIL_LINK',
        idempotencyKey: 'ada-withdrawal',
      }),
      // An objection needs none of the new fields.
      consent({
        subjectRef: 'dee',
        purposeKey: 'newsletter',
        kind: 'OBJECTED',
        noticeKey: null,
        versionNumber: null,
        locale: null,
        actor: null,
        collectionMethod: null,
        explicit: null,
        idempotencyKey: 'dee-objection',
      }),
    ]);
    expect(result.items.map((item) => (item.status === 'REJECTED' ? item.error?.code : item.status))).toEqual(
      [
        'ACCEPTED',
        'ACCEPTED',
        'CONSENT_NOTICE_REQUIRED',
        'CONSENT_NOTICE_REQUIRED',
        'LOCALE_NOT_IN_VERSION',
        'ACCEPTED',
        'ACCEPTED',
      ],
    );
    const stored = await t.database.prisma.response.findUniqueOrThrow({
      where: { id: rawId(result.items[0]!.recordId!) },
    });
    expect(stored).toMatchObject({
      actor: 'SUBJECT',
      collectionMethod: 'BANNER',
      explicit: true,
      locale: 'en',
    });

    // Idempotent: the same content is a duplicate, other content under the same key a conflict.
    const retry = await record(t.app, keys.NOTIFIER, [
      consent(),
      consent({ actor: 'GUARDIAN' }),
      consent({
        subjectRef: 'dee',
        kind: 'OBJECTED',
        noticeKey: null,
        versionNumber: null,
        locale: null,
        actor: null,
        collectionMethod: null,
        explicit: null,
        idempotencyKey: 'dee-objection',
      }),
    ]);
    expect(retry.items.map((item) => item.error?.code ?? item.status)).toEqual([
      'DUPLICATE',
      'IDEMPOTENCY_CONFLICT',
      'DUPLICATE',
    ]);
    expect(
      await t.database.prisma.response.count({ where: { subject: { controllerId: stored.controllerId } } }),
    ).toBe(4);
  });

  it('denies processing after a refusal, even one that follows a consent (Art. 4(11), 7)', async () => {
    const { keys } = await tenantWithConsentPurpose(t.app, t.database.prisma);
    await record(t.app, keys.NOTIFIER, [
      consent({ subjectRef: 'eve', occurredAt: ago(20), idempotencyKey: 'eve-1' }),
      consent({ subjectRef: 'eve', kind: 'CONSENT_REFUSED', occurredAt: ago(10), idempotencyKey: 'eve-2' }),
      consent({ subjectRef: 'fay', occurredAt: ago(10), idempotencyKey: 'fay-1' }),
    ]);
    const eve = expectData(
      await execute(t.app, Eligibility, {
        key: keys.AUDITOR,
        variables: { ref: 'eve', purposeKey: 'newsletter' },
      }),
    ).subject;
    expect(eve?.eligibility).toEqual({ decision: 'DENIED', rule: 'CONSENT_REFUSED' });
    expect(eve?.purposeStates).toContainEqual({ purposeKey: 'newsletter', consent: 'REFUSED' });
    const fay = expectData(
      await execute(t.app, Eligibility, {
        key: keys.AUDITOR,
        variables: { ref: 'fay', purposeKey: 'newsletter' },
      }),
    ).subject;
    expect(fay?.eligibility).toEqual({ decision: 'ALLOWED', rule: 'CONSENT_GIVEN' });
  });

  it('exports one person or a selection as 27560-shaped JSON and DPV JSON-LD that pass the shipped schemas', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const addFormats = (await import('ajv-formats')).default as unknown as (ajv: unknown) => void;
    const { keys } = await tenantWithConsentPurpose(t.app, t.database.prisma);
    await record(t.app, keys.NOTIFIER, [
      consent({ subjectRef: 'gus', occurredAt: ago(30), idempotencyKey: 'gus-1' }),
      consent({
        subjectRef: 'gus',
        kind: 'CONSENT_WITHDRAWN',
        occurredAt: ago(20),
        noticeKey: null,
        versionNumber: null,
        locale: null,
        idempotencyKey: 'gus-2',
      }),
      consent({
        subjectRef: 'hal',
        kind: 'CONSENT_REFUSED',
        actor: 'GUARDIAN',
        occurredAt: ago(25),
        idempotencyKey: 'hal-1',
      }),
    ]);
    const exported = async (input: ConsentRecordExportInput, key = keys.AUDITOR) =>
      expectData(await execute(t.app, Export, { key, variables: { input } })).consentRecords;

    const gus = await exported({ format: 'ISO_27560', subjectRef: 'gus' });
    expect(gus).toMatchObject({ __typename: 'ConsentRecordExport', recordCount: 2, truncated: false });
    const document = (gus as { document: { records: Record<string, unknown>[] } }).document;
    expect(document.records.map((entry) => (entry.event as { event_type: string }).event_type)).toEqual([
      'given',
      'withdrawn',
    ]);
    expect(JSON.stringify(document)).not.toContain('"gus"');
    expect(document.records[0]).toMatchObject({
      privacy_notice: { notice_key: 'privacy-policy', version: 1, language: 'en' },
      purposes: [{ purpose_id: 'newsletter', purpose_revision: 1, lawful_basis: 'CONSENT' }],
      event: { party: 'pii_principal', collection_method: 'banner', explicit: true },
    });

    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const check27560 = ajv.compile(recordSchema('ISO_27560'));
    const checkDpv = ajv.compile(recordSchema('DPV'));
    expect(check27560(document), JSON.stringify(check27560.errors)).toBe(true);
    // The schema can fail: a consent without its notice breaks it.
    const broken = structuredClone(document);
    broken.records[0]!.privacy_notice = null;
    expect(check27560(broken)).toBe(false);

    const refusals = await exported({ format: 'DPV', purposeKey: 'newsletter', from: ago(26), to: ago(24) });
    const graph = (refusals as { document: { '@graph': Record<string, unknown>[] } }).document;
    expect(checkDpv(graph), JSON.stringify(checkDpv.errors)).toBe(true);
    expect(graph['@graph']).toHaveLength(1);
    expect(graph['@graph'][0]).toMatchObject({
      '@type': 'dpv:ConsentRecord',
      'dpv:hasConsentStatus': {
        '@type': 'dpv:ConsentRefused',
        'dpv:isIndicatedBy': { '@id': 'dpv:GuardianOfDataSubject' },
      },
      'dpv:hasNotice': { '@type': 'dpv:ConsentNotice', 'dct:language': 'en' },
    });
    const badGraph = structuredClone(graph);
    (badGraph['@graph'][0] as Record<string, unknown>)['@type'] = 'dpv:Consent';
    expect(checkDpv(badGraph)).toBe(false);

    // The HTTP download, for a selection.
    const download = await t.app.fetch(
      new Request('http://notarium.test/consent-records/export?format=DPV&purpose=newsletter', {
        headers: { authorization: `Bearer ${keys.ADMIN}` },
      }),
    );
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/ld+json');
    expect(checkDpv(await download.json())).toBe(true);

    // Roles: compliance roles only; bad input is a coded error.
    expect(
      errorCode(
        await execute(t.app, Export, { key: keys.NOTIFIER, variables: { input: { format: 'ISO_27560' } } }),
      ),
    ).toBe('FORBIDDEN');
    const forbidden = await t.app.fetch(
      new Request('http://notarium.test/consent-records/export?format=DPV', {
        headers: { authorization: `Bearer ${keys.READER}` },
      }),
    );
    expect(forbidden.status).toBe(403);
    expect(await exported({ format: 'ISO_27560', from: ago(1), to: ago(60) })).toMatchObject({
      __typename: 'InputValidationError',
      code: 'VALIDATION_FAILED',
    });
    const inUrl = await t.app.fetch(
      new Request('http://notarium.test/consent-records/export?format=DPV&subject=gus', {
        headers: { authorization: `Bearer ${keys.ADMIN}` },
      }),
    );
    expect(inUrl.status).toBe(400);
    // An instant without a time zone is ambiguous: refused with a message that says what to send.
    for (const from of ['2026-01-01', '2026-01-01T00:00:00', 'yesterday', '2026-02-30T00:00:00Z']) {
      const noZone = await t.app.fetch(
        new Request(`http://notarium.test/consent-records/export?format=DPV&from=${from}`, {
          headers: { authorization: `Bearer ${keys.ADMIN}` },
        }),
      );
      expect(noZone.status).toBe(400);
      expect(await noZone.json()).toMatchObject({
        errors: [
          {
            message: expect.stringContaining('from must be an ISO 8601 instant with a time zone'),
            extensions: { code: 'VALIDATION_FAILED' },
          },
        ],
      });
    }
  });

  it('keeps tenants apart: an export and a receipt never show another controller’s records', async () => {
    const a = await tenantWithConsentPurpose(t.app, t.database.prisma);
    const b = await tenantWithConsentPurpose(t.app, t.database.prisma);
    await record(t.app, a.keys.NOTIFIER, [consent({ subjectRef: 'shared', idempotencyKey: 'same-key' })]);
    await record(t.app, b.keys.NOTIFIER, [
      consent({ subjectRef: 'shared', kind: 'CONSENT_REFUSED', idempotencyKey: 'same-key' }),
    ]);
    const fromB = expectData(
      await execute(t.app, Export, {
        key: b.keys.AUDITOR,
        variables: { input: { format: 'ISO_27560', subjectRef: 'shared' } },
      }),
    ).consentRecords as { recordCount: number; document: { records: { event: { event_type: string } }[] } };
    expect(fromB.recordCount).toBe(1);
    expect(fromB.document.records[0]?.event.event_type).toBe('refused');
    const all = expectData(
      await execute(t.app, Export, { key: b.keys.AUDITOR, variables: { input: { format: 'DPV' } } }),
    ).consentRecords as { recordCount: number };
    expect(all.recordCount).toBe(1);
    // Each controller signs with its own key; B's key set does not verify A's receipt.
    const receiptA = (
      await record(
        t.app,
        a.keys.NOTIFIER,
        [consent({ subjectRef: 'shared', idempotencyKey: 'same-key' })],
        true,
      )
    ).items[0]!.receipt!;
    const jwksB = parseJwks(await (await jwksOver(t.app, b.controller.slug)).text());
    expect(() => verifyReceipt(receiptA, jwksB)).toThrow(
      expect.objectContaining({ code: 'RECEIPT_UNKNOWN_KID' }),
    );
  });

  it(
    'returns signed receipts that verify with the published JWKS, and catches tampering and the wrong key',
    async () => {
      const { controller, keys } = await tenantWithConsentPurpose(t.app, t.database.prisma);
      const result = await record(
        t.app,
        keys.NOTIFIER,
        [
          consent({ subjectRef: 'ivy-ref-7', idempotencyKey: 'ivy-1' }),
          consent({ subjectRef: 'x', locale: null, idempotencyKey: 'x-bad' }),
        ],
        true,
      );
      const [item, bad] = result.items;
      expect(bad).toMatchObject({ status: 'REJECTED', receipt: null });
      const receipt = item!.receipt!;
      expect(receipt.split('.')).toHaveLength(3);
      expect(Buffer.from(receipt.split('.')[1]!, 'base64url').toString()).not.toContain('ivy-ref-7');

      // The kid resolves over plain HTTP, without an API key.
      const response = await jwksOver(t.app, controller.slug);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
      const jwks = (await response.json()) as Jwks;
      expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
      expect((await jwksOver(t.app, 'no-such-controller')).status).toBe(404);

      const { kid, claims } = verifyReceipt(receipt, jwks);
      expect(kid).toBe(jwks.keys[0]!.kid);
      const stored = await t.database.prisma.response.findUniqueOrThrow({
        where: { id: rawId(item!.recordId!) },
        include: { subject: true, version: true },
      });
      expect(claims).toMatchObject({
        iss: controller.slug,
        sub: stored.subject.refHash,
        jti: stored.id,
        kind: 'CONSENT_GIVEN',
        purpose: { key: 'newsletter', revision: 1 },
        notice: { key: 'privacy-policy', version: 1, contentHash: stored.version!.contentHash },
        locale: 'en',
        occurredAt: stored.occurredAt.toISOString(),
        recordHash: stored.contentHash,
      });

      // A retry hands back a receipt of the same record.
      const again = await record(
        t.app,
        keys.NOTIFIER,
        [consent({ subjectRef: 'ivy-ref-7', idempotencyKey: 'ivy-1' })],
        true,
      );
      expect(again.items[0]).toMatchObject({ status: 'DUPLICATE' });
      expect(verifyReceipt(again.items[0]!.receipt!, jwks).claims).toEqual(claims);

      // Plain node:crypto verifies it too (the recipe in docs/consent-records.md).
      const [h, p, s] = receipt.split('.') as [string, string, string];
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwks.keys[0]!.x }, format: 'jwk' });
      expect(verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);

      // Tampering: another kind in the payload.
      const forged = Buffer.from(JSON.stringify({ ...claims, kind: 'CONSENT_REFUSED' })).toString(
        'base64url',
      );
      expect(() => verifyReceipt(`${h}.${forged}.${s}`, jwks)).toThrow(
        expect.objectContaining({ code: 'RECEIPT_BAD_SIGNATURE' }),
      );
      // The wrong key, under the same kid.
      const other = generateKeyPairSync('ed25519');
      const impostor = signReceipt(claims, {
        keyId: kid,
        privateKey: createPrivateKey(other.privateKey.export({ type: 'pkcs8', format: 'pem' })),
      });
      expect(() => verifyReceipt(impostor, jwks)).toThrow(
        expect.objectContaining({ code: 'RECEIPT_BAD_SIGNATURE' }),
      );
      expect(() => verifyReceipt('not-a-receipt', jwks)).toThrow(ReceiptError);
      expect(() => verifyReceipt('a.b', jwks)).toThrow(
        expect.objectContaining({ code: 'RECEIPT_MALFORMED' }),
      );

      // The CLI, offline: exit 0 valid, 1 with a code otherwise, 2 for wrong usage.
      const dir = mkdtempSync(join(tmpdir(), 'receipt-'));
      const jwksFile = join(dir, 'jwks.json');
      writeFileSync(jwksFile, JSON.stringify(jwks));
      const pemFile = join(dir, 'key.pem');
      writeFileSync(pemFile, key.export({ type: 'spki', format: 'pem' }));
      const receiptFile = join(dir, 'receipt.jws');
      writeFileSync(receiptFile, `${receipt}\n`);
      const env = {};
      const valid = runCli(['verify-receipt', receiptFile, '--jwks', jwksFile], env);
      expect(valid.status, valid.stderr).toBe(0);
      expect(valid.stdout).toContain('"kind": "CONSENT_GIVEN"');
      expect(runCli(['verify-receipt', receipt, '--public-key', pemFile], env).status).toBe(0);
      const tampered = runCli(['verify-receipt', `${h}.${forged}.${s}`, '--jwks', jwksFile], env);
      expect([tampered.status, tampered.stderr]).toEqual([
        1,
        expect.stringMatching(/^RECEIPT_BAD_SIGNATURE: /),
      ]);
      const unknown = runCli(['verify-receipt', receiptA(jwks, other.privateKey), '--jwks', jwksFile], env);
      expect([unknown.status, unknown.stderr]).toEqual([1, expect.stringMatching(/^RECEIPT_UNKNOWN_KID: /)]);
      const malformed = runCli(['verify-receipt', 'a.b.c', '--jwks', jwksFile], env);
      expect([malformed.status, malformed.stderr]).toEqual([
        1,
        expect.stringMatching(/^RECEIPT_MALFORMED: /),
      ]);
      expect(runCli(['verify-receipt', receipt], env).status).toBe(2);
    },
    heavyTestTimeout,
  );
});

/** A receipt signed under a kid the key set does not have. */
function receiptA(_jwks: Jwks, privateKey: import('node:crypto').KeyObject): string {
  return signReceipt(
    {
      iss: 'x',
      sub: 'y',
      jti: 'z',
      iat: 0,
      kind: 'CONSENT_GIVEN',
      purpose: { key: 'p', revision: 1 },
      notice: null,
      locale: null,
      occurredAt: new Date(0).toISOString(),
      recordedAt: new Date(0).toISOString(),
      channel: 'EMAIL',
      actor: null,
      collectionMethod: null,
      explicit: null,
      recordHash: '0'.repeat(64),
    },
    { keyId: 'sha256:unknown', privateKey },
  );
}

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { LegalBasis } from '../../generated/prisma/enums.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import { channels, eventTypes, responseKinds } from '../notification/notification.validation.js';

/**
 * Names the container format described in docs/evidence-bundle.md; another layout gets another
 * name. v2 added the message templates (a part, and `templateHash` on notifications); v3 added
 * `subjectId` and `hashFormat` to notifications and responses (record-hash format 2 commits to the
 * subject's ID). The verifier still reads v1 and v2, the layouts of bundles written before.
 */
export const BUNDLE_FORMAT = 'notarium.evidence-bundle.v3';
export const BUNDLE_FORMAT_V2 = 'notarium.evidence-bundle.v2';
export const BUNDLE_FORMAT_V1 = 'notarium.evidence-bundle.v1';
export const bundleFormats = [BUNDLE_FORMAT_V1, BUNDLE_FORMAT_V2, BUNDLE_FORMAT] as const;
export type BundleFormat = (typeof bundleFormats)[number];

/** Records per segment: a JSON Lines segment is followed by the CSV segment of the same records. */
export const SEGMENT_SIZE = 10_000;

export const recordParts = [
  'notifications',
  'events',
  'responses',
  'notice-versions',
  'message-templates',
  'audit-entries',
] as const;
export type RecordPart = (typeof recordParts)[number];

export const mediaTypeOf = (name: string) =>
  name.endsWith('.csv') ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson';

const isoInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be an ISO 8601 UTC instant with milliseconds')
  .refine((value) => new Date(value).toISOString() === value, 'must be a real instant');
const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a UUID');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const prefixedSha256 = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: and 64 lowercase hex digits');
const positiveInt = z.number().int().min(1);

const notificationRecordV1 = z.strictObject({
  id: uuid,
  subjectRefHash: z.string().min(1),
  subjectErased: z.boolean(),
  jurisdiction: z.string().nullable(),
  noticeKey: z.string().min(1),
  versionNumber: positiveInt,
  versionId: uuid,
  channel: z.enum(channels),
  locale: z.string().min(1),
  occurredAt: isoInstant,
  recordedAt: isoInstant,
  campaignId: uuid.nullable(),
  campaignName: z.string().nullable(),
  senderMessageId: z.string().nullable(),
  idempotencyKey: z.string().min(1),
  batchId: uuid,
  contentHash: sha256Hex,
});

/** A v2 notification: `templateHash` is the content hash of the template revision sent, or null. */
const notificationRecordV2 = notificationRecordV1.extend({ templateHash: prefixedSha256.nullable() });

/** v3 records: the subject's record ID and the record-hash format (src/modules/notification/record-hash.ts). */
const hashedWith = { subjectId: uuid, hashFormat: z.union([z.literal(1), z.literal(2)]) };

export const notificationRecord = notificationRecordV2.extend(hashedWith);

export const eventRecord = z.strictObject({
  id: uuid,
  notificationId: uuid,
  notificationKey: z.string().min(1),
  subjectRefHash: z.string().min(1),
  subjectErased: z.boolean(),
  noticeKey: z.string().min(1),
  versionNumber: positiveInt,
  versionId: uuid,
  type: z.enum(eventTypes),
  occurredAt: isoInstant,
  recordedAt: isoInstant,
  detail: z.string().nullable(),
});

const responseRecordV2 = z.strictObject({
  id: uuid,
  subjectRefHash: z.string().min(1),
  subjectErased: z.boolean(),
  purposeId: uuid,
  purposeKey: z.string().min(1),
  kind: z.enum(responseKinds),
  occurredAt: isoInstant,
  recordedAt: isoInstant,
  channel: z.enum(channels),
  versionId: uuid.nullable(),
  noticeKey: z.string().nullable(),
  versionNumber: positiveInt.nullable(),
  idempotencyKey: z.string().min(1),
  contentHash: sha256Hex,
  /** Consent-record fields (absent from bundles written before they existed; null when not stated). */
  actor: z.string().nullish(),
  collectionMethod: z.string().nullish(),
  explicit: z.boolean().nullish(),
  locale: z.string().nullish(),
});

export const responseRecord = responseRecordV2.extend(hashedWith);

const purposeSnapshot = z.strictObject({
  key: z.string().min(1),
  revision: positiveInt,
  name: z.string(),
  description: z.string(),
  legalBasis: z.enum(Object.values(LegalBasis) as [LegalBasis, ...LegalBasis[]]),
  legitimateInterest: z.string().nullable(),
  dataCategories: z.array(z.string()),
  specialCategories: z.array(
    z.strictObject({ category: z.string(), condition: z.string(), explicitConsent: z.boolean().optional() }),
  ),
  dataSubjectCategories: z.array(z.string()),
  dataSources: z.array(z.string()),
  publiclyAccessibleSources: z.boolean(),
  recipients: z.array(z.string()),
  retentionPeriodDays: z.number().int().nullable(),
  retentionCriteria: z.string().nullable(),
  transfers: z.array(
    z.strictObject({
      destination: z.string(),
      safeguard: z.string(),
      explicitConsent: z.boolean().optional(),
    }),
  ),
  automatedDecisionMaking: z
    .strictObject({ logic: z.string(), significance: z.string(), explicitConsent: z.boolean().optional() })
    .nullable(),
  consentValidityDays: z.number().int().nullable(),
  // Canonical form v2 (absent in bundles of v1 versions written before v2 existed).
  explicitConsent: z.boolean().optional(),
  basisChangeJustification: z.string().nullable().optional(),
  // Present only when the revision states them (docs/content-hash.md).
  objectionMechanism: z
    .strictObject({ url: z.string().nullable(), steps: z.string().nullable(), reasonsRequired: z.boolean() })
    .optional(),
  legitimateInterestAssessment: z
    .strictObject({
      interest: z.string(),
      necessity: z.string(),
      reasonableExpectations: z.string(),
      impact: z.string(),
      safeguards: z.array(z.string()),
      excludedGroups: z.array(z.string()),
      author: z.string(),
      assessedOn: z.string(),
      dpia: z
        .strictObject({
          reference: z.string(),
          url: z.string().nullable(),
          date: z.string(),
          outcome: z.string(),
        })
        .nullable(),
    })
    .optional(),
});

/** The controller's identity as a v2 version states it; null for a v1 version. */
const controllerIdentity = z.strictObject({
  name: z.string(),
  legalName: z.string(),
  contactEmail: z.string(),
  dpoContact: z.string().nullable(),
  euRepresentative: z.string().nullable(),
});

export const noticeVersionRecord = z.strictObject({
  id: uuid,
  noticeId: uuid,
  noticeKey: z.string().min(1),
  noticeTitle: z.string(),
  number: positiveInt,
  status: z.enum(['PUBLISHED', 'RETIRED']),
  effectiveFrom: isoInstant,
  publishedAt: isoInstant.nullable(),
  retiredAt: isoInstant.nullable(),
  changeSummary: z.string(),
  changeMessage: z.string().nullable(),
  classification: z.enum(['EDITORIAL', 'RENOTIFY', 'RECONSENT']).nullable(),
  classificationReasons: z.unknown(),
  leadTimeOverrideReason: z.string().nullable(),
  contentHash: prefixedSha256,
  canonicalForm: z.string().min(1),
  controller: controllerIdentity.nullable().optional(),
  translations: z.array(z.strictObject({ locale: z.string(), title: z.string(), body: z.string() })),
  purposes: z.array(purposeSnapshot),
});

/** A message template revision a notification in the bundle was sent with (docs/message-templates.md). */
export const messageTemplateRecord = z.strictObject({
  id: uuid,
  key: z.string().min(1),
  channel: z.enum(channels),
  locale: z.string().min(1),
  revision: positiveInt,
  publishedAt: isoInstant,
  subject: z.string().nullable(),
  body: z.string(),
  linkTarget: z.string().nullable(),
  contentHash: prefixedSha256,
  canonicalForm: z.string().min(1),
});

export const auditEntryRecord = z.strictObject({
  sequence: positiveInt,
  withheld: z.literal(false),
  id: uuid,
  occurredAt: isoInstant,
  actorKeyId: uuid.nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  details: z.unknown(),
  previousHash: sha256Hex,
  hash: sha256Hex,
});

/** An entry outside the scope: only what is needed to follow the chain through it. */
export const auditLinkRecord = z.strictObject({
  sequence: positiveInt,
  withheld: z.literal(true),
  previousHash: sha256Hex,
  hash: sha256Hex,
});

export const auditRecord = z.discriminatedUnion('withheld', [auditEntryRecord, auditLinkRecord]);

/** Members an older bundle's records do not have (record-hash format 1 is implied there). */
interface HashedWith {
  readonly subjectId?: string;
  readonly hashFormat?: 1 | 2;
}

/** A notification of any format: the exporter always writes every member; a v1 bundle has no `templateHash`. */
export type NotificationRecord = z.infer<typeof notificationRecordV1> & {
  readonly templateHash?: string | null;
} & HashedWith;
export type EventRecord = z.infer<typeof eventRecord>;
export type ResponseRecord = z.infer<typeof responseRecordV2> & HashedWith;
export type NoticeVersionRecord = z.infer<typeof noticeVersionRecord>;
export type MessageTemplateRecord = z.infer<typeof messageTemplateRecord>;
export type AuditRecord = z.infer<typeof auditRecord>;

export interface RecordTypes {
  notifications: NotificationRecord;
  events: EventRecord;
  responses: ResponseRecord;
  'notice-versions': NoticeVersionRecord;
  'message-templates': MessageTemplateRecord;
  'audit-entries': AuditRecord;
}

type RecordSchemas = { readonly [P in RecordPart]: z.ZodType<RecordTypes[P]> };

const recordSchemas: RecordSchemas = {
  notifications: notificationRecord,
  events: eventRecord,
  responses: responseRecord,
  'notice-versions': noticeVersionRecord,
  'message-templates': messageTemplateRecord,
  'audit-entries': auditRecord,
};

type Cell = string | number | boolean | null | undefined;
type Columns<R> = readonly (readonly [header: string, value: (record: R) => Cell])[];

const auditField =
  <K extends keyof z.infer<typeof auditEntryRecord>>(key: K) =>
  (record: AuditRecord): Cell =>
    record.withheld ? null : (record[key] as Cell);

type CsvColumns = { readonly [P in RecordPart]: Columns<RecordTypes[P]> };

/** The CSV renditions: one row per JSON record, columns in this order. */
const csvColumns: CsvColumns = {
  notifications: [
    ['id', (r) => r.id],
    ['subjectRefHash', (r) => r.subjectRefHash],
    ['subjectErased', (r) => r.subjectErased],
    ['subjectId', (r) => r.subjectId],
    ['jurisdiction', (r) => r.jurisdiction],
    ['noticeKey', (r) => r.noticeKey],
    ['versionNumber', (r) => r.versionNumber],
    ['versionId', (r) => r.versionId],
    ['channel', (r) => r.channel],
    ['locale', (r) => r.locale],
    ['occurredAt', (r) => r.occurredAt],
    ['recordedAt', (r) => r.recordedAt],
    ['campaignId', (r) => r.campaignId],
    ['campaignName', (r) => r.campaignName],
    ['senderMessageId', (r) => r.senderMessageId],
    ['idempotencyKey', (r) => r.idempotencyKey],
    ['batchId', (r) => r.batchId],
    ['templateHash', (r) => r.templateHash],
    ['hashFormat', (r) => r.hashFormat],
    ['contentHash', (r) => r.contentHash],
  ],
  events: [
    ['id', (r) => r.id],
    ['notificationId', (r) => r.notificationId],
    ['notificationKey', (r) => r.notificationKey],
    ['subjectRefHash', (r) => r.subjectRefHash],
    ['subjectErased', (r) => r.subjectErased],
    ['noticeKey', (r) => r.noticeKey],
    ['versionNumber', (r) => r.versionNumber],
    ['versionId', (r) => r.versionId],
    ['type', (r) => r.type],
    ['occurredAt', (r) => r.occurredAt],
    ['recordedAt', (r) => r.recordedAt],
    ['detail', (r) => r.detail],
  ],
  responses: [
    ['id', (r) => r.id],
    ['subjectRefHash', (r) => r.subjectRefHash],
    ['subjectErased', (r) => r.subjectErased],
    ['subjectId', (r) => r.subjectId],
    ['purposeKey', (r) => r.purposeKey],
    ['purposeId', (r) => r.purposeId],
    ['kind', (r) => r.kind],
    ['occurredAt', (r) => r.occurredAt],
    ['recordedAt', (r) => r.recordedAt],
    ['channel', (r) => r.channel],
    ['noticeKey', (r) => r.noticeKey],
    ['versionNumber', (r) => r.versionNumber],
    ['versionId', (r) => r.versionId],
    ['idempotencyKey', (r) => r.idempotencyKey],
    ['hashFormat', (r) => r.hashFormat],
    ['contentHash', (r) => r.contentHash],
  ],
  'notice-versions': [
    ['id', (r) => r.id],
    ['noticeKey', (r) => r.noticeKey],
    ['number', (r) => r.number],
    ['status', (r) => r.status],
    ['effectiveFrom', (r) => r.effectiveFrom],
    ['publishedAt', (r) => r.publishedAt],
    ['retiredAt', (r) => r.retiredAt],
    ['classification', (r) => r.classification],
    ['changeSummary', (r) => r.changeSummary],
    ['locales', (r) => r.translations.map((t) => t.locale).join(';')],
    ['purposes', (r) => r.purposes.map((p) => `${p.key}@${p.revision}:${p.legalBasis}`).join(';')],
    ['contentHash', (r) => r.contentHash],
  ],
  // The body is only in the .jsonl part, like notice texts (a spreadsheet cell holds 32,767 characters).
  'message-templates': [
    ['id', (r) => r.id],
    ['key', (r) => r.key],
    ['channel', (r) => r.channel],
    ['locale', (r) => r.locale],
    ['revision', (r) => r.revision],
    ['publishedAt', (r) => r.publishedAt],
    ['subject', (r) => r.subject],
    ['linkTarget', (r) => r.linkTarget],
    ['contentHash', (r) => r.contentHash],
  ],
  'audit-entries': [
    ['sequence', (r) => r.sequence],
    ['withheld', (r) => r.withheld],
    ['id', auditField('id')],
    ['occurredAt', auditField('occurredAt')],
    ['actorKeyId', auditField('actorKeyId')],
    ['actorRole', auditField('actorRole')],
    ['action', auditField('action')],
    ['targetType', auditField('targetType')],
    ['targetId', auditField('targetId')],
    ['details', (r) => (r.withheld ? null : canonicalJson(r.details ?? null))],
    ['previousHash', (r) => r.previousHash],
    ['hash', (r) => r.hash],
  ],
};

/**
 * One CSV field (RFC 4180). A text starting with = + - @ TAB or CR gets a leading apostrophe so
 * that spreadsheets show it instead of evaluating it as a formula (the JSON record stays exact).
 */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** What a format's bundle holds: its parts, the shape of their records and their CSV columns. */
export interface BundleLayout {
  readonly format: BundleFormat;
  /** The first line of the bundle. */
  readonly headerLine: string;
  readonly recordParts: readonly RecordPart[];
  /** Every part, in the order they first appear. */
  readonly partNames: readonly string[];
  readonly schemas: RecordSchemas;
  readonly csvColumns: CsvColumns;
}

function bundleLayout(
  format: BundleFormat,
  parts: readonly RecordPart[],
  schemas: RecordSchemas,
  columns: CsvColumns,
): BundleLayout {
  return {
    format,
    headerLine: canonicalJson({ $: 'bundle', format }),
    recordParts: parts,
    partNames: parts.flatMap((part) => [`${part}.jsonl`, `${part}.csv`]),
    schemas,
    csvColumns: columns,
  };
}

/** The layout the exporter writes. */
export const currentLayout = bundleLayout(BUNDLE_FORMAT, recordParts, recordSchemas, csvColumns);

const v3Only = ([header]: readonly [string, unknown]) => header !== 'subjectId' && header !== 'hashFormat';

/** v2: notifications and responses without `subjectId` and `hashFormat` (all of record-hash format 1). */
const layoutV2 = bundleLayout(
  BUNDLE_FORMAT_V2,
  recordParts,
  { ...recordSchemas, notifications: notificationRecordV2, responses: responseRecordV2 },
  {
    ...csvColumns,
    notifications: csvColumns.notifications.filter(v3Only),
    responses: csvColumns.responses.filter(v3Only),
  },
);

/** v1: as v2, without message templates and without `templateHash` on notifications. */
const layoutV1 = bundleLayout(
  BUNDLE_FORMAT_V1,
  recordParts.filter((part) => part !== 'message-templates'),
  { ...layoutV2.schemas, notifications: notificationRecordV1 },
  {
    ...layoutV2.csvColumns,
    notifications: layoutV2.csvColumns.notifications.filter(([header]) => header !== 'templateHash'),
  },
);

export const bundleLayouts: { readonly [F in BundleFormat]: BundleLayout } = {
  [BUNDLE_FORMAT_V1]: layoutV1,
  [BUNDLE_FORMAT_V2]: layoutV2,
  [BUNDLE_FORMAT]: currentLayout,
};

export function csvHeader(part: RecordPart, layout: BundleLayout = currentLayout): string {
  return `\uFEFF${layout.csvColumns[part].map(([header]) => csvField(header)).join(',')}\r\n`;
}

export function csvRow<P extends RecordPart>(
  part: P,
  record: RecordTypes[P],
  layout: BundleLayout = currentLayout,
): string {
  const columns = layout.csvColumns[part] as Columns<RecordTypes[P]>;
  let row = '';
  for (let i = 0; i < columns.length; i++) row += (i === 0 ? '' : ',') + csvField(columns[i]![1](record));
  return `${row}\r\n`;
}

/** Splits one CSV row (with its CRLF) into fields, undoing the quoting; for pointing at a column. */
export function parseCsvRow(row: string): string[] {
  const text = row.endsWith('\r\n') ? row.slice(0, -2) : row;
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

export interface ManifestPart {
  readonly name: string;
  readonly mediaType: string;
  readonly records: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ManifestScope {
  readonly subjectRefHashes: readonly string[] | null;
  readonly noticeKeys: readonly string[] | null;
  readonly from: string | null;
  readonly to: string | null;
}

export interface Manifest {
  readonly format: BundleFormat;
  readonly bundleId: string;
  readonly createdAt: string;
  readonly controller: { id: string; slug: string; name: string; legalName: string };
  readonly scope: ManifestScope;
  /** Scope values the database has no record of. */
  readonly unmatched: { subjectRefHashes: readonly string[]; noticeKeys: readonly string[] };
  readonly auditHead: { sequence: number; hash: string } | null;
  readonly signingKey: { algorithm: 'Ed25519'; keyId: string; publicKey: string };
  readonly parts: readonly ManifestPart[];
}

const nullableSorted = z.array(z.string()).nullable();

export const manifestSchema = z.strictObject({
  $: z.literal('manifest'),
  format: z.enum(bundleFormats),
  bundleId: uuid,
  createdAt: isoInstant,
  controller: z.strictObject({ id: uuid, slug: z.string(), name: z.string(), legalName: z.string() }),
  scope: z.strictObject({
    subjectRefHashes: nullableSorted,
    noticeKeys: nullableSorted,
    from: isoInstant.nullable(),
    to: isoInstant.nullable(),
  }),
  unmatched: z.strictObject({ subjectRefHashes: z.array(z.string()), noticeKeys: z.array(z.string()) }),
  auditHead: z.strictObject({ sequence: positiveInt, hash: sha256Hex }).nullable(),
  signingKey: z.strictObject({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKey: z.string() }),
  parts: z.array(
    z.strictObject({
      name: z.string(),
      mediaType: z.string(),
      records: z.number().int().min(0),
      bytes: z.number().int().min(0),
      sha256: sha256Hex,
    }),
  ),
});

export const signatureSchema = z.strictObject({
  $: z.literal('signature'),
  algorithm: z.literal('Ed25519'),
  keyId: z.string(),
  value: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
});

export const partLine = (name: string) => canonicalJson({ $: 'part', name });

export const manifestLine = (manifest: Manifest) => canonicalJson({ $: 'manifest', ...manifest });

/** `sha256:` + hex SHA-256 of the DER SubjectPublicKeyInfo: what `openssl pkey -pubin -outform DER | sha256sum` gives. */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

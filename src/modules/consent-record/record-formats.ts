import type { ConsentRecordRow } from './consent-records.sql.js';

/**
 * Consent records in two exchange forms (docs/consent-records.md has the field-by-field map):
 * - `ISO_27560`: JSON shaped after the fields of ISO/IEC TS 27560:2023 (consent record
 *   information structure), with the standard's field names in snake case;
 * - `DPV`: JSON-LD with the W3C Data Privacy Vocabulary, as the DPVCG guide "Consent Records and
 *   Receipts as per ISO/IEC TS 27560:2023 using DPV" describes.
 * Neither ISO nor the DPVCG publishes a JSON Schema for these; the schemas in ./schemas/ are
 * Notarium's own, written from the standard's field list.
 */

export const exportFormats = ['ISO_27560', 'DPV'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportingController {
  readonly slug: string;
  readonly name: string;
  readonly legalName: string;
  readonly contactEmail: string;
}

export const schemaVersion27560 = 'notarium-27560-record/1';
export const dpvRecordProfile = 'https://w3id.org/dpv/schema/dpv-27560#record';

/** 27560 consent-state names (event_type). */
const eventTypes: Record<string, string> = {
  CONSENT_GIVEN: 'given',
  CONSENT_REFUSED: 'refused',
  CONSENT_WITHDRAWN: 'withdrawn',
  OBJECTED: 'objected',
  OBJECTION_WITHDRAWN: 'objection_withdrawn',
};

/** DPV consent statuses; an objection is a right exercise, not a consent status. */
const dpvStatus: Record<string, string> = {
  CONSENT_GIVEN: 'dpv:ConsentGiven',
  CONSENT_REFUSED: 'dpv:ConsentRefused',
  CONSENT_WITHDRAWN: 'dpv:ConsentWithdrawn',
};

const partyOf: Record<string, string> = { SUBJECT: 'pii_principal', GUARDIAN: 'guardian', AGENT: 'agent' };
const dpvParty: Record<string, string> = {
  SUBJECT: 'dpv:DataSubject',
  GUARDIAN: 'dpv:GuardianOfDataSubject',
  AGENT: 'dpv:Representative',
};
const methodOf: Record<string, string> = {
  FORM: 'form',
  BANNER: 'banner',
  EMAIL_LINK: 'email_link',
  API: 'api',
  PAPER: 'paper',
};

const noticeId = (row: ConsentRecordRow) =>
  row.noticeKey === null ? null : `urn:notarium:notice:${row.noticeKey}:${row.versionNumber}`;

/** One record as ISO/IEC TS 27560-shaped JSON. */
export function record27560(controller: ExportingController, row: ConsentRecordRow) {
  return {
    schema_version: schemaVersion27560,
    record_id: row.id,
    pii_principal_id: row.subjectErased ? null : row.subjectRefHash,
    pii_controllers: [
      {
        pii_controller_id: controller.slug,
        pii_controller_name: controller.legalName,
        contact: controller.contactEmail,
      },
    ],
    privacy_notice:
      row.noticeKey === null
        ? null
        : {
            notice_id: noticeId(row),
            notice_key: row.noticeKey,
            version: row.versionNumber,
            content_hash: row.noticeContentHash,
            language: row.locale,
          },
    purposes: [
      {
        purpose_id: row.purposeKey,
        purpose: row.purposeName,
        purpose_revision: row.purposeRevision,
        lawful_basis: row.legalBasis,
      },
    ],
    event: {
      event_type: eventTypes[row.kind] ?? row.kind,
      event_time: row.occurredAt,
      party: row.actor === null ? null : partyOf[row.actor],
      collection_method: row.collectionMethod === null ? null : methodOf[row.collectionMethod],
      explicit: row.explicit,
      channel: row.channel,
    },
    recorded_at: row.recordedAt,
    idempotency_key: row.idempotencyKey,
    content_hash: row.contentHash,
  };
}

export const dpvContext = {
  dpv: 'https://w3id.org/dpv#',
  dct: 'http://purl.org/dc/terms/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  notarium: 'urn:notarium:',
} as const;

/** One record as a DPV ConsentRecord node (JSON-LD, compacted with `dpvContext`). */
export function recordDpv(controller: ExportingController, row: ConsentRecordRow) {
  const status = dpvStatus[row.kind];
  const event = {
    '@type': status ?? 'dpv:RightExerciseActivity',
    'dct:description': row.kind,
    'dpv:isIndicatedAtTime': { '@value': row.occurredAt, '@type': 'xsd:dateTime' },
    ...(row.actor === null ? {} : { 'dpv:isIndicatedBy': { '@id': dpvParty[row.actor] } }),
    ...(row.collectionMethod === null
      ? {}
      : { 'dpv:hasIndicationMethod': `notarium:collection-method:${methodOf[row.collectionMethod]}` }),
  };
  const notice = noticeId(row);
  return {
    '@id': `urn:notarium:response:${row.id}`,
    '@type': 'dpv:ConsentRecord',
    'dct:conformsTo': { '@id': dpvRecordProfile },
    'dct:identifier': row.id,
    'dct:created': { '@value': row.recordedAt, '@type': 'xsd:dateTime' },
    'dpv:hasDataSubject': row.subjectErased ? null : row.subjectRefHash,
    'dpv:hasDataController': { '@id': `urn:notarium:controller:${controller.slug}` },
    'dpv:hasPurpose': {
      '@id': `urn:notarium:purpose:${controller.slug}:${row.purposeKey}`,
      'dct:identifier': row.purposeKey,
      ...(row.purposeName === null ? {} : { 'dct:title': row.purposeName }),
      ...(row.purposeRevision === null ? {} : { 'dct:hasVersion': String(row.purposeRevision) }),
    },
    ...(row.explicit === true ? { 'dpv:hasLegalBasis': { '@id': 'dpv:ExplicitlyExpressedConsent' } } : {}),
    ...(row.explicit === false ? { 'dpv:hasLegalBasis': { '@id': 'dpv:ExpressedConsent' } } : {}),
    ...(notice === null
      ? {}
      : {
          'dpv:hasNotice': {
            '@id': notice,
            '@type': 'dpv:ConsentNotice',
            'dct:hasVersion': String(row.versionNumber),
            ...(row.locale === null ? {} : { 'dct:language': row.locale }),
            ...(row.noticeContentHash === null ? {} : { 'notarium:contentHash': row.noticeContentHash }),
          },
        }),
    'dpv:hasConsentStatus': event,
    'notarium:contentHash': row.contentHash,
  };
}

/** A whole export as one JSON document. */
export function exportDocument(
  format: ExportFormat,
  controller: ExportingController,
  rows: readonly ConsentRecordRow[],
  exportedAt: Date,
) {
  if (format === 'DPV') {
    return {
      '@context': dpvContext,
      '@graph': rows.map((row) => recordDpv(controller, row)),
    };
  }
  return {
    schema_version: schemaVersion27560,
    exported_at: exportedAt.toISOString(),
    pii_controller: controller.slug,
    records: rows.map((row) => record27560(controller, row)),
  };
}

import { builder } from '../../graphql/builder.js';
import type { ItemResult } from '../notification/item-result.js';
import type { collectionMethods, responseActors } from './consent-record.validation.js';

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

export const ResponseActorEnum = builder.enumType('ResponseActor', {
  description: 'Who expressed a response (ISO/IEC TS 27560 party; DPV isIndicatedBy).',
  values: {
    SUBJECT: { description: 'The person themselves.' },
    GUARDIAN: { description: 'A holder of parental responsibility or other guardian (Art. 8).' },
    AGENT: { description: 'Someone acting for the person (an authorised agent or representative).' },
  } satisfies Record<(typeof responseActors)[number], { description: string }>,
});

export const CollectionMethodEnum = builder.enumType('CollectionMethod', {
  description: 'How a response was collected (ISO/IEC TS 27560 collection method; DPV hasIndicationMethod).',
  values: {
    FORM: { description: 'A web or in-app form.' },
    BANNER: { description: 'A consent banner or pop-up.' },
    EMAIL_LINK: { description: 'A link in an e-mail.' },
    API: { description: 'An API call by a system acting on the person’s instruction.' },
    PAPER: { description: 'A paper form or signed letter.' },
  } satisfies Record<(typeof collectionMethods)[number], { description: string }>,
});

/** The consent-record fields of ResponseInput; optional, but a consent answer needs `locale`. */
export function consentRecordInputFields(
  t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>,
) {
  return {
    actor: t.field({
      type: ResponseActorEnum,
      required: false,
      description: 'Who answered; not stated when omitted.',
    }),
    collectionMethod: t.field({
      type: CollectionMethodEnum,
      required: false,
      description: 'How the answer was collected; not stated when omitted.',
    }),
    explicit: t.boolean({
      required: false,
      description:
        'The answer was an express statement about this purpose alone (explicit consent, Art. 9(2)(a), 49(1)(a), 22(2)(c)); not stated when omitted.',
    }),
    locale: t.string({
      required: false,
      description:
        'Locale of the notice text shown; must exist in the version. Required, with noticeKey and versionNumber, for CONSENT_GIVEN and CONSENT_REFUSED (CONSENT_NOTICE_REQUIRED).',
    }),
  };
}

/** The per-item receipt of recordResponses. */
export function receiptField(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, ItemResult>) {
  return {
    receipt: t.string({
      nullable: true,
      description:
        'With `receipts: true`: a compact JWS (EdDSA) the controller signed, stating the record (docs/consent-records.md). Its kid is in GET /.well-known/jwks.json?controller=<slug>.',
      resolve: (item) => item.receipt ?? null,
    }),
  };
}

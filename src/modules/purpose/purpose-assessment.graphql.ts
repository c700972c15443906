import { builder } from '../../graphql/builder.js';
import type { DpiaReference, LegitimateInterestAssessment, ObjectionMechanism } from './purpose.snapshot.js';

/*
 * How to object, and the legitimate-interest assessment with its DPIA: parts of a purpose
 * revision (docs/objections.md, docs/legitimate-interest-assessment.md).
 */

export const ObjectionMechanismRef = builder.objectRef<ObjectionMechanism>('ObjectionMechanism').implement({
  description: 'How a person objects to the processing (Art. 21(4), 12(2)).',
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    url: t.exposeString('url', { nullable: true, description: 'Where to object.' }),
    steps: t.exposeString('steps', { nullable: true, description: 'The steps, in the person’s terms.' }),
    reasonsRequired: t.exposeBoolean('reasonsRequired', {
      description:
        'Whether the controller asks for reasons (grounds relating to the person’s situation, Art. 21(1)).',
    }),
  }),
});

const DpiaReferenceRef = builder.objectRef<DpiaReference>('DpiaReference').implement({
  description: 'A data protection impact assessment the processing relies on (Art. 35).',
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    reference: t.exposeString('reference', {
      description: 'The DPIA’s reference in the controller’s records.',
    }),
    url: t.exposeString('url', { nullable: true, description: 'Where it can be read, if anywhere.' }),
    date: t.exposeString('date', { description: 'When it was completed, YYYY-MM-DD.' }),
    outcome: t.exposeString('outcome', { description: 'Its conclusion.' }),
  }),
});

export const LegitimateInterestAssessmentRef = builder
  .objectRef<LegitimateInterestAssessment>('LegitimateInterestAssessment')
  .implement({
    description:
      'The assessment behind a legitimate-interests purpose (EDPB Guidelines 1/2024 on legitimate interest): the interest, the necessity and the balancing.',
    authScopes: { role: 'viewNotices' },
    fields: (t) => ({
      interest: t.exposeString('interest', { description: 'The interest pursued, as assessed.' }),
      necessity: t.exposeString('necessity', {
        description:
          'Why the processing is necessary for the interest; why less intrusive means do not suffice.',
      }),
      reasonableExpectations: t.exposeString('reasonableExpectations', {
        description: 'What people can reasonably expect in the context of the processing.',
      }),
      impact: t.exposeString('impact', { description: 'The impact on the people concerned.' }),
      safeguards: t.exposeStringList('safeguards', {
        description: 'Safeguards that limit the impact, e.g. de-identification, an opt-out.',
      }),
      excludedGroups: t.exposeStringList('excludedGroups', {
        description: 'Groups excluded from the processing, e.g. children.',
      }),
      author: t.exposeString('author', { description: 'Who carried out the assessment.' }),
      assessedOn: t.exposeString('assessedOn', { description: 'When it was completed, YYYY-MM-DD.' }),
      dpia: t.field({
        type: DpiaReferenceRef,
        nullable: true,
        description: 'The DPIA, when one was carried out (Art. 35).',
        resolve: (assessment) => assessment.dpia,
      }),
    }),
  });

export const ObjectionMechanismInput = builder.inputType('ObjectionMechanismInput', {
  description: 'How a person objects: a url or steps, or both (LEGITIMATE_INTERESTS and PUBLIC_TASK only).',
  fields: (t) => ({
    url: t.string({ required: false, description: 'Where to object (http or https).' }),
    steps: t.string({ required: false, description: 'The steps, in the person’s terms.' }),
    reasonsRequired: t.boolean({ description: 'Whether reasons are asked for (Art. 21(1)).' }),
  }),
});

const DpiaReferenceInput = builder.inputType('DpiaReferenceInput', {
  description: 'A DPIA (Art. 35).',
  fields: (t) => ({
    reference: t.string({ description: 'Its reference.' }),
    url: t.string({ required: false, description: 'Where it can be read (http or https).' }),
    date: t.string({ description: 'When it was completed, YYYY-MM-DD.' }),
    outcome: t.string({ description: 'Its conclusion.' }),
  }),
});

export const LegitimateInterestAssessmentInput = builder.inputType('LegitimateInterestAssessmentInput', {
  description: 'A legitimate-interest assessment (LEGITIMATE_INTERESTS only; EDPB Guidelines 1/2024).',
  fields: (t) => ({
    interest: t.string({ description: 'The interest pursued.' }),
    necessity: t.string({ description: 'Why the processing is necessary for it.' }),
    reasonableExpectations: t.string({ description: 'What people can reasonably expect.' }),
    impact: t.string({ description: 'The impact on the people concerned.' }),
    safeguards: t.stringList({ description: 'Safeguards, e.g. de-identification (may be empty).' }),
    excludedGroups: t.stringList({ description: 'Groups excluded, e.g. children (may be empty).' }),
    author: t.string({ description: 'Who carried out the assessment.' }),
    assessedOn: t.string({ description: 'When it was completed, YYYY-MM-DD.' }),
    dpia: t.field({
      type: DpiaReferenceInput,
      required: false,
      description: 'The DPIA, if one was carried out.',
    }),
  }),
});

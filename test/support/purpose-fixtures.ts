import type { PurposeContentInput } from '../graphql/graphql.js';

/** A complete, valid purpose content; override what a test is about. */
export function purposeContent(overrides: Partial<PurposeContentInput> = {}): PurposeContentInput {
  return {
    name: 'AI model training',
    description: 'We use public posts to train language models.',
    legalBasis: 'LEGITIMATE_INTERESTS',
    legitimateInterest: 'Developing and improving AI features.',
    dataCategories: ['public posts', 'profile name'],
    dataSubjectCategories: ['users'],
    dataSources: ['publicly accessible posts'],
    publiclyAccessibleSources: true,
    recipients: ['internal AI team'],
    retentionPeriodDays: 365,
    transfers: [{ destination: 'US', safeguard: 'EU-US Data Privacy Framework' }],
    ...overrides,
  };
}

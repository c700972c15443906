import type { PurposeContent } from '../purpose/purpose.validation.js';

/** The demo's three purposes, one per legal basis a notice typically mixes. */
export const serviceOperation = {
  key: 'service-operation',
  content: {
    name: 'Running your account',
    description:
      'We process your account data to provide the service you signed up for: signing in, showing your feed, delivering your messages and keeping the service secure.',
    legalBasis: 'CONTRACT',
    dataCategories: ['account data', 'contact details', 'usage logs'],
    dataSubjectCategories: ['users'],
    dataSources: ['you', 'your devices'],
    recipients: ['hosting provider (processor)'],
    retentionCriteria: 'For as long as your account exists, then 30 days.',
  },
} satisfies { key: string; content: PurposeContent };

const newsletterBase = {
  legalBasis: 'CONSENT',
  dataSubjectCategories: ['users who subscribe'],
  dataSources: ['you'],
  consentValidityDays: 730,
} satisfies Partial<PurposeContent>;

export const newsletter = {
  key: 'newsletter',
  content: {
    ...newsletterBase,
    name: 'Newsletter',
    description: 'With your consent we send you a monthly e-mail about new features.',
    dataCategories: ['e-mail address', 'first name'],
    recipients: ['e-mail delivery provider (processor)'],
    retentionCriteria: 'Until you unsubscribe.',
  },
  /** Revision 2: the newsletter becomes personalised, from what you read on the service. */
  revised: {
    ...newsletterBase,
    name: 'Personalised newsletter',
    description:
      'With your consent we send you a monthly e-mail about new features, chosen from the topics you read most on the service.',
    dataCategories: ['e-mail address', 'first name', 'topics read'],
    recipients: ['e-mail delivery provider (processor)'],
    retentionCriteria: 'Until you unsubscribe; topics read are kept for 180 days.',
  },
} satisfies { key: string; content: PurposeContent; revised: PurposeContent };

const aiTrainingBase = {
  legalBasis: 'LEGITIMATE_INTERESTS',
  legitimateInterest:
    'Developing and improving the assistant features of the service; you can object at any time (Art. 21 GDPR).',
  dataSubjectCategories: ['users with public posts'],
  dataSources: ['publicly accessible posts on the service'],
  publiclyAccessibleSources: true,
  objectionMechanism: {
    url: 'https://demo.example/settings/privacy#ai-training',
    steps:
      'Settings → Privacy → "Do not use my public posts for AI training", or the link in the announcement e-mail. One click, no login beyond your usual one.',
    reasonsRequired: false,
  },
  legitimateInterestAssessment: {
    interest:
      'Better assistant features for the people who use the service (EDPB Guidelines 1/2024, §§ 31–35).',
    necessity:
      'Public posts are the only text that reflects how people write on the service; licensed corpora were tried and do not cover it.',
    reasonableExpectations:
      'Users were told five weeks before training started, by e-mail and in the app, with a one-click objection.',
    impact: 'Posts may shape model outputs; no profile is built and no decision is taken about any person.',
    safeguards: [
      'names, handles and e-mail addresses removed before training',
      'private messages never used',
      'objections honoured before the next training run',
    ],
    excludedGroups: ['accounts of people under 18'],
    author: 'Data protection officer, Demo Social Ltd.',
    assessedOn: '2025-09-15',
    dpia: {
      reference: 'DPIA-2025-07',
      url: 'https://demo.example/dpia/ai-training',
      date: '2025-09-22',
      outcome: 'Residual risk low with the listed safeguards; no prior consultation (Art. 36) needed.',
    },
  },
} satisfies Partial<PurposeContent>;

export const aiTraining = {
  key: 'ai-training',
  content: {
    ...aiTrainingBase,
    name: 'Training AI models on public posts',
    description:
      'We use the posts you made public to train the language models behind our assistant features. Private messages are never used.',
    dataCategories: ['public posts', 'profile name'],
    recipients: ['internal AI team'],
    retentionPeriodDays: 365,
  },
  /** Revision 2: a research partner joins, and training sets are kept twice as long. */
  revised: {
    ...aiTrainingBase,
    name: 'Training AI models on public posts',
    description:
      'We use the posts you made public to train the language models behind our assistant features, together with a university research partner. Private messages are never used.',
    dataCategories: ['public posts', 'profile name'],
    recipients: ['internal AI team', 'university research partner (joint controller)'],
    retentionPeriodDays: 730,
    transfers: [{ destination: 'CH', safeguard: 'EU adequacy decision for Switzerland' }],
  },
} satisfies { key: string; content: PurposeContent; revised: PurposeContent };

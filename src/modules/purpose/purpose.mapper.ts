import type { PurposeRevision } from '../../generated/prisma/client.js';
import type {
  AutomatedDecisionMaking,
  PurposeSnapshot,
  SpecialCategory,
  ThirdCountryTransfer,
} from './purpose.snapshot.js';

export function toPurposeSnapshot(key: string, revision: PurposeRevision): PurposeSnapshot {
  return {
    key,
    revision: revision.number,
    name: revision.name,
    description: revision.description,
    legalBasis: revision.legalBasis,
    legitimateInterest: revision.legitimateInterest,
    dataCategories: revision.dataCategories,
    specialCategories: revision.specialCategories as unknown as SpecialCategory[],
    dataSubjectCategories: revision.dataSubjectCategories,
    dataSources: revision.dataSources,
    publiclyAccessibleSources: revision.publiclyAccessibleSources,
    recipients: revision.recipients,
    retentionPeriodDays: revision.retentionPeriodDays,
    retentionCriteria: revision.retentionCriteria,
    transfers: revision.transfers as unknown as ThirdCountryTransfer[],
    automatedDecisionMaking: revision.automatedDecisionMaking as unknown as AutomatedDecisionMaking | null,
    consentValidityDays: revision.consentValidityDays,
  };
}

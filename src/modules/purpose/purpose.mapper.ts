import type { PurposeRevision } from '../../generated/prisma/client.js';
import type {
  AutomatedDecisionMaking,
  LegitimateInterestAssessment,
  ObjectionMechanism,
  PurposeSnapshot,
  SpecialCategory,
  ThirdCountryTransfer,
} from './purpose.snapshot.js';

type Stored<T> = Omit<T, 'explicitConsent'> & { explicitConsent?: boolean };

export function toPurposeSnapshot(key: string, revision: PurposeRevision): PurposeSnapshot {
  const adm = revision.automatedDecisionMaking as unknown as Stored<AutomatedDecisionMaking> | null;
  return {
    key,
    revision: revision.number,
    name: revision.name,
    description: revision.description,
    legalBasis: revision.legalBasis,
    legitimateInterest: revision.legitimateInterest,
    dataCategories: revision.dataCategories,
    specialCategories: (revision.specialCategories as unknown as Stored<SpecialCategory>[]).map(withFlag),
    dataSubjectCategories: revision.dataSubjectCategories,
    dataSources: revision.dataSources,
    publiclyAccessibleSources: revision.publiclyAccessibleSources,
    recipients: revision.recipients,
    retentionPeriodDays: revision.retentionPeriodDays,
    retentionCriteria: revision.retentionCriteria,
    transfers: (revision.transfers as unknown as Stored<ThirdCountryTransfer>[]).map(withFlag),
    automatedDecisionMaking: adm === null ? null : withFlag(adm),
    consentValidityDays: revision.consentValidityDays,
    explicitConsent: revision.explicitConsent,
    basisChangeJustification: revision.basisChangeJustification,
    objectionMechanism: revision.objectionMechanism as unknown as ObjectionMechanism | null,
    legitimateInterestAssessment:
      revision.legitimateInterestAssessment as unknown as LegitimateInterestAssessment | null,
  };
}

/** Items stored before the flag existed did not rely on explicit consent. */
function withFlag<T>(item: Stored<T>): T {
  return { ...item, explicitConsent: item.explicitConsent === true } as T;
}

import type { LegalBasis } from '../../generated/prisma/enums.js';

export interface SpecialCategory {
  /** An Art. 9(1) category, e.g. "health data". */
  readonly category: string;
  /** The Art. 9(2) condition relied on, e.g. "explicit consent (Art. 9(2)(a))". */
  readonly condition: string;
}

export interface ThirdCountryTransfer {
  /** ISO 3166-1 alpha-2 country code, or a description such as "international organisation". */
  readonly destination: string;
  /** The safeguard (adequacy decision, SCCs, BCRs, Art. 49 derogation…). */
  readonly safeguard: string;
}

export interface AutomatedDecisionMaking {
  /** Meaningful information about the logic involved (Art. 13(2)(f)). */
  readonly logic: string;
  /** Significance and envisaged consequences for the person. */
  readonly significance: string;
}

/**
 * Everything a purpose revision says, as people were told it. Content hashes and version
 * comparisons are computed over this shape only.
 */
export interface PurposeSnapshot {
  readonly key: string;
  readonly revision: number;
  readonly name: string;
  readonly description: string;
  readonly legalBasis: LegalBasis;
  readonly legitimateInterest: string | null;
  readonly dataCategories: readonly string[];
  readonly specialCategories: readonly SpecialCategory[];
  readonly dataSubjectCategories: readonly string[];
  readonly dataSources: readonly string[];
  readonly publiclyAccessibleSources: boolean;
  readonly recipients: readonly string[];
  readonly retentionPeriodDays: number | null;
  readonly retentionCriteria: string | null;
  readonly transfers: readonly ThirdCountryTransfer[];
  readonly automatedDecisionMaking: AutomatedDecisionMaking | null;
  readonly consentValidityDays: number | null;
}

export interface TranslationSnapshot {
  readonly locale: string;
  readonly title: string;
  readonly body: string;
}

/** A notice version's content: what the content hash covers and what a diff compares. */
export interface VersionSnapshot {
  readonly noticeKey: string;
  readonly number: number | null;
  readonly effectiveFrom: Date;
  readonly translations: readonly TranslationSnapshot[];
  readonly purposes: readonly PurposeSnapshot[];
}

import type { LegalBasis } from '../../generated/prisma/enums.js';

export interface SpecialCategory {
  /** An Art. 9(1) category, e.g. "health data". */
  readonly category: string;
  /** The Art. 9(2) condition relied on, e.g. "explicit consent (Art. 9(2)(a))". */
  readonly condition: string;
  /** The condition is the person's explicit consent (Art. 9(2)(a)). */
  readonly explicitConsent?: boolean;
}

export interface ThirdCountryTransfer {
  /** ISO 3166-1 alpha-2 country code, or a description such as "international organisation". */
  readonly destination: string;
  /** The safeguard (adequacy decision, SCCs, BCRs, Art. 49 derogation…). */
  readonly safeguard: string;
  /** The transfer relies on the person's explicit consent (Art. 49(1)(a) derogation). */
  readonly explicitConsent?: boolean;
}

export interface AutomatedDecisionMaking {
  /** Meaningful information about the logic involved (Art. 13(2)(f)). */
  readonly logic: string;
  /** Significance and envisaged consequences for the person. */
  readonly significance: string;
  /** The decision relies on the person's explicit consent (Art. 22(2)(c)). */
  readonly explicitConsent?: boolean;
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
  /** The purpose relies on explicit consent (Art. 9(2)(a), 49(1)(a) or 22(2)(c)); its legal basis is CONSENT. */
  readonly explicitConsent?: boolean;
  /** Why the legal basis moved away from CONSENT in this revision (EDPB Guidelines 05/2020, 121–123). */
  readonly basisChangeJustification?: string | null;
}

export interface TranslationSnapshot {
  readonly locale: string;
  readonly title: string;
  readonly body: string;
}

/** Who is responsible and how to reach them, as a version states it (Art. 13(1)(a)–(b), 14(1)(a)–(b)). */
export interface ControllerIdentity {
  readonly name: string;
  readonly legalName: string;
  readonly contactEmail: string;
  readonly dpoContact: string | null;
  readonly euRepresentative: string | null;
}

/** A notice version's content: what the content hash covers and what a diff compares. */
export interface VersionSnapshot {
  /** Null only for versions published before the identity was stated (canonical format v1). */
  readonly controller?: ControllerIdentity | null;
  readonly noticeKey: string;
  readonly number: number | null;
  readonly effectiveFrom: Date;
  readonly translations: readonly TranslationSnapshot[];
  readonly purposes: readonly PurposeSnapshot[];
}

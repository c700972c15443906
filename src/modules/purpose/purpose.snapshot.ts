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

/** How a person objects to the processing (Art. 21(4): brought to their attention; Art. 12(2): made easy). */
export interface ObjectionMechanism {
  /** Where to object, e.g. a settings page or a form. */
  readonly url: string | null;
  /** The steps, in the person's terms. */
  readonly steps: string | null;
  /** Whether the controller asks for reasons (grounds relating to the person's situation, Art. 21(1)). */
  readonly reasonsRequired: boolean;
}

/** A data protection impact assessment the processing relies on (Art. 35). */
export interface DpiaReference {
  readonly reference: string;
  readonly url: string | null;
  /** The day it was completed, YYYY-MM-DD. */
  readonly date: string;
  /** Its conclusion, e.g. "residual risk acceptable". */
  readonly outcome: string;
}

/**
 * The assessment behind a legitimate-interests purpose (EDPB Guidelines 1/2024 on legitimate
 * interest): the interest, why the processing is necessary for it, and the balancing against the
 * person's interests, rights and freedoms.
 */
export interface LegitimateInterestAssessment {
  /** The interest pursued, as assessed (step 1). */
  readonly interest: string;
  /** Why the processing is necessary for it, and why less intrusive means do not suffice (step 2). */
  readonly necessity: string;
  /** What people can reasonably expect in the context of the processing (step 3). */
  readonly reasonableExpectations: string;
  /** The impact on the people concerned. */
  readonly impact: string;
  /** Safeguards that limit the impact, e.g. de-identification, opt-out, data minimisation. */
  readonly safeguards: readonly string[];
  /** Groups excluded from the processing, e.g. children. */
  readonly excludedGroups: readonly string[];
  /** Who carried out the assessment. */
  readonly author: string;
  /** The day it was completed, YYYY-MM-DD. */
  readonly assessedOn: string;
  /** The DPIA, when one was carried out (Art. 35). */
  readonly dpia: DpiaReference | null;
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
  /** How to object; absent or null when the revision states none. */
  readonly objectionMechanism?: ObjectionMechanism | null;
  /** The legitimate-interest assessment (LEGITIMATE_INTERESTS only); absent or null when none is recorded. */
  readonly legitimateInterestAssessment?: LegitimateInterestAssessment | null;
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

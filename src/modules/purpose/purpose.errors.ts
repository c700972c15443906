import { ExpectedError } from '../../domain/errors.js';

export class PurposeArchivedError extends ExpectedError {
  readonly code = 'PURPOSE_ARCHIVED';
  constructor(readonly purposeKey: string) {
    super(`Purpose ${purposeKey} is archived: it cannot be revised or added to a notice version.`);
  }
}

/** Leaving consent for another basis without a recorded reason (EDPB Guidelines 05/2020 on consent, §§ 121–123). */
export class BasisChangeUnjustifiedError extends ExpectedError {
  readonly code = 'BASIS_CHANGE_UNJUSTIFIED';
  constructor(
    readonly previousBasis: string,
    readonly legalBasis: string,
  ) {
    super(
      `The purpose is based on CONSENT and this revision bases it on ${legalBasis}: give basisChangeJustification. ` +
        'A controller may not swap to another basis because consent is withdrawn or doubtful ' +
        '(EDPB Guidelines 05/2020 on consent, §§ 121–123); the reason is stored with the revision and shown in the diff.',
    );
  }
}

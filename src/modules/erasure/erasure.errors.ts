import { ExpectedError } from '../../domain/errors.js';

/**
 * The person is named in an open regulator request: their records are needed for the
 * establishment, exercise or defence of legal claims (GDPR Art. 17(3)(e)) until it closes.
 */
export class SubjectUnderLegalHoldError extends ExpectedError {
  readonly code = 'LEGAL_HOLD';
  constructor(readonly regulatorRequestIds: readonly string[]) {
    super(
      'The person is named in an open regulator request; they cannot be erased until it is closed ' +
        '(GDPR Art. 17(3)(e)). The refusal was recorded in the audit trail.',
    );
  }
}

import { ExpectedError } from '../../domain/errors.js';

/** An objection to direct marketing is absolute (Art. 21(2)–(3)): it cannot be refused. */
export class DirectMarketingObjectionError extends ExpectedError {
  readonly code = 'DIRECT_MARKETING_OBJECTION_ABSOLUTE';
  constructor(readonly caseId: string) {
    super(
      `Objection case ${caseId} is against direct marketing: it is absolute and cannot be refused (GDPR Art. 21(2)–(3)); nothing was written.`,
    );
  }
}

import { ExpectedError } from '../../graphql/error-results.js';

export class PurposeArchivedError extends ExpectedError {
  readonly code = 'PURPOSE_ARCHIVED';
  constructor(readonly purposeKey: string) {
    super(`Purpose ${purposeKey} is archived: it cannot be revised or added to a notice version.`);
  }
}

import { ExpectedError } from '../../domain/errors.js';

/** The entry is in the log but no signed tree head covers it yet (the next head will). */
export class LogEntryPendingError extends ExpectedError {
  readonly code = 'LOG_ENTRY_PENDING';
  constructor(readonly leafIndex: number) {
    super(`The entry is leaf ${leafIndex} of the log; no signed tree head covers it yet.`);
  }
}

/** Proof sizes outside the log: from > to, or to beyond the log's size. */
export class LogSizeOutOfRangeError extends ExpectedError {
  readonly code = 'LOG_SIZE_OUT_OF_RANGE';
}

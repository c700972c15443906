import { ExpectedError } from '../../domain/errors.js';

export class NoticeVersionIncompleteError extends ExpectedError {
  readonly code = 'NOTICE_VERSION_INCOMPLETE';
  constructor(
    readonly missingLocales: string[],
    readonly emptyLocales: string[],
  ) {
    super(
      [
        missingLocales.length ? `missing required locales: ${missingLocales.join(', ')}` : '',
        emptyLocales.length ? `locales without text: ${emptyLocales.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
}

export class NoticeLeadTimeError extends ExpectedError {
  readonly code = 'NOTICE_LEAD_TIME_TOO_SHORT';
  constructor(
    readonly classification: string,
    readonly earliestEffectiveFrom: Date,
    readonly minimumNoticeDays: number,
    /** Only changes of wording demand the notice period: a `notMaterial` sign-off would make them EDITORIAL. */
    readonly onlyWording = false,
  ) {
    super(
      `A ${classification} version cannot take effect before ${earliestEffectiveFrom.toISOString()} ` +
        `(${minimumNoticeDays} days after publication). Give a later effectiveFrom, or an override reason` +
        (onlyWording
          ? ', or, if the wording changes do not change what people are told, a notMaterial sign-off.'
          : '.'),
    );
  }
}

export class UnknownPurposesError extends ExpectedError {
  readonly code = 'UNKNOWN_PURPOSES';
  constructor(readonly purposeKeys: string[]) {
    super(`Unknown or archived purposes: ${purposeKeys.join(', ')}.`);
  }
}

export class NoticeVersionNotDraftError extends ExpectedError {
  readonly code = 'NOTICE_VERSION_NOT_DRAFT';
  constructor(readonly status: string) {
    super(`The version is ${status}: published versions never change; create a new draft instead.`);
  }
}

export class NoticeArchivedError extends ExpectedError {
  readonly code = 'NOTICE_ARCHIVED';
  constructor(readonly noticeKey: string) {
    super(`Notice ${noticeKey} is archived: no new drafts or publications.`);
  }
}

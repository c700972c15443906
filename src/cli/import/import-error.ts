import { ExpectedError } from '../../domain/errors.js';

/**
 * A failure of `import` as a whole: one coded line on standard error. Exit 2 when nothing was
 * sent because the command itself is wrong (options, the file's header, the key unset), else 1.
 */
export class ImportError extends ExpectedError {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export const usageError = (code: string, message: string) => new ImportError(code, message, 2);

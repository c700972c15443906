import { ConfigError } from '../config/env.js';
import { CreateDatabaseError } from '../db/create-database.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { ExpectedError, InputValidationError } from '../domain/errors.js';
import { Prisma } from '../generated/prisma/client.js';

const helpHint = 'Run `npm run cli -- help` for the commands and their options.';

/** Errors node:util parseArgs throws for an unknown option, a missing value or a stray argument. */
function isArgumentError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

function isPrismaError(error: unknown): error is Error {
  return (
    error instanceof Prisma.PrismaClientKnownRequestError ||
    error instanceof Prisma.PrismaClientUnknownRequestError ||
    error instanceof Prisma.PrismaClientInitializationError ||
    error instanceof Prisma.PrismaClientRustPanicError ||
    error instanceof Prisma.PrismaClientValidationError
  );
}

/** P2021/P2022: a table or column the code expects is missing, i.e. migrations are pending. */
function isUnmigrated(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && ['P2021', 'P2022'].includes(error.code);
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * What the CLI prints when a command fails: one line (a configuration error lists each problem
 * on its own line), never a stack trace. Prisma's messages open with a code frame of the call
 * site; their last line is the reason.
 */
export function failureMessage(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof InputValidationError)
    return `${error.code}: ${error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`;
  if (error instanceof ExpectedError || error instanceof CreateDatabaseError)
    return `${error.code}: ${error.message}`;
  if (error instanceof DataDirLockedError)
    return `${error.code}: ${error.message} Stop that process (the Notarium server, if it runs on this directory) before using the CLI on it; while the server runs, manage keys through its GraphQL API with an ADMIN key instead (README.md, "Command line").`;
  if (isArgumentError(error)) {
    const brackets = /'\[|\]'/.test(error.message)
      ? ' Leave out the [ ]: in the usage they only mark an option as optional.'
      : '';
    return `${sentence(lines(error.message).join(' '))}${brackets} ${helpHint}`;
  }
  if (isUnmigrated(error))
    return `The database is not migrated: ${lines((error as Error).message).at(-1)} Run \`npm run cli -- migrate deploy\` first.`;
  if (isPrismaError(error)) return `Database error: ${lines(error.message).at(-1)}`;
  if (error instanceof Error) return `Error: ${lines(error.message).join(' ') || error.name}`;
  return `Error: ${String(error)}`;
}

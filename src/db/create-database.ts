import { poolFromUrl } from './database.js';

/** SQLSTATE 3D000: the database in the URL does not exist; 42P04: it was created meanwhile. */
const noSuchDatabase = '3D000';
const duplicateDatabase = '42P04';

const sqlState = (error: unknown) => (error as { code?: unknown } | null)?.code;

/** A PostgreSQL identifier in double quotes, any double quote in it doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export class CreateDatabaseError extends Error {
  readonly code = 'CREATE_DATABASE_FAILED';
}

/**
 * Creates the database `url` names when it does not exist, through the server's maintenance
 * database `postgres` with the same credentials: the first `migrate deploy` then needs no
 * `createdb`. Answers the name when it created it, null when it was there already.
 */
export async function createDatabaseIfMissing(url: string): Promise<string | null> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (name === '') return null;
  const probe = poolFromUrl(url, 1);
  try {
    await probe.query('SELECT 1');
    return null;
  } catch (error) {
    if (sqlState(error) !== noSuchDatabase) throw error;
  } finally {
    await probe.end();
  }
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = poolFromUrl(maintenance.toString(), 1);
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    return name;
  } catch (error) {
    if (sqlState(error) === duplicateDatabase) return null;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CreateDatabaseError(
      `Database "${name}" does not exist and could not be created through the maintenance database "postgres": ${reason}. Create it (e.g. \`createdb ${name}\`, or ask the server's administrator), then run migrate deploy again.`,
    );
  } finally {
    await admin.end();
  }
}

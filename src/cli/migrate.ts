import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import {
  checkMigrationDrift,
  createMigration,
  deployMigrations,
  MigrationError,
  markMigrationRolledBack,
  migrationStatus,
} from '../db/migrations.js';

export interface MigrationTarget {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

const usage =
  'Usage: migrate create <name> [--empty] | deploy | status | check | resolve --rolled-back <name>';

const print = (line: string) => process.stdout.write(`${line}\n`);
const relative = (file: string) => path.relative(process.cwd(), file) || '.';
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

async function create(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { empty: { type: 'boolean' } },
    allowPositionals: true,
  });
  const [name] = positionals;
  if (name === undefined || positionals.length > 1) {
    process.stderr.write('Usage: migrate create <name> [--empty]\n');
    return 2;
  }
  const directory = await createMigration(name, { empty: values.empty });
  if (directory === null) print('schema.prisma has no changes that need a migration.');
  else print(`Created ${relative(path.join(directory, 'migration.sql'))}`);
  return 0;
}

async function deploy(target: MigrationTarget): Promise<number> {
  try {
    const { applied } = await deployMigrations(target.factory);
    if (applied.length === 0) print('No pending migrations to apply.');
    else
      print(
        `Applied ${plural(applied.length, 'migration')}:\n${applied.map((name) => `  ${name}`).join('\n')}`,
      );
    return 0;
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}

async function status(target: MigrationTarget): Promise<number> {
  const { applied, pending, failed, edited } = await migrationStatus(target.factory);
  print(`Applied: ${plural(applied.length, 'migration')}`);
  for (const name of pending) print(`Pending: ${name}`);
  for (const name of failed)
    print(`Failed:  ${name} (fix the database, then: migrate resolve --rolled-back ${name})`);
  for (const name of edited) print(`Edited after it was applied: ${name}`);
  if (pending.length === 0 && failed.length === 0) {
    print('Database schema is up to date.');
    return 0;
  }
  return 1;
}

async function check(): Promise<number> {
  const { upToDate, script } = await checkMigrationDrift();
  if (upToDate) {
    print('Migrations match schema.prisma.');
    return 0;
  }
  print('schema.prisma has changes no migration covers (run: migrate create <name>). Missing SQL:\n');
  print(script.trimEnd());
  return 1;
}

async function resolve(target: MigrationTarget, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'rolled-back': { type: 'string' } } });
  const name = values['rolled-back'];
  if (name === undefined) {
    process.stderr.write('Usage: migrate resolve --rolled-back <name>\n');
    return 2;
  }
  await markMigrationRolledBack(target.factory, name);
  print(`Marked ${name} as rolled back; deploy will apply it again.`);
  return 0;
}

async function withTarget(
  open: () => Promise<MigrationTarget>,
  run: (target: MigrationTarget) => Promise<number>,
): Promise<number> {
  const target = await open();
  try {
    return await run(target);
  } finally {
    await target.close();
  }
}

/** Returns the process exit code: 0 ok, 1 failed / pending / drift, 2 usage. */
export async function runMigrateCommand(
  args: string[],
  open: () => Promise<MigrationTarget>,
  options: {
    /** PostgreSQL: creates the database when it does not exist; answers its name if it did. */
    createDatabase?: () => Promise<string | null>;
  } = {},
): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return create(rest);
    case 'check':
      return check();
    case 'deploy': {
      const created = await options.createDatabase?.();
      if (created) print(`Created database "${created}" (it did not exist).`);
      return withTarget(open, deploy);
    }
    case 'status':
      return withTarget(open, status);
    case 'resolve':
      return withTarget(open, (target) => resolve(target, rest));
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

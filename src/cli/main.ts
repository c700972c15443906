import { loadConfig } from '../config/env.js';
import { openDatabase } from '../db/database.js';
import { SubjectRefHasher } from '../modules/subject/subject-ref.js';
import { runControllerCommand } from './controller-command.js';
import { failureMessage } from './failure-message.js';
import { runKeyCommand } from './key-command.js';
import { runMigrateCommand } from './migrate.js';
import { runExportBundleCommand, runVerifyBundleCommand } from './verify-bundle-command.js';
import { runVerifyVersionCommand } from './verify-version-command.js';

const usage = `Usage: npm run cli -- <command>

  controller create --slug <slug> --name <name> --legal-name <legal name> --contact-email <e-mail>
                    [--dpo-contact <text>] [--eu-representative <text>] [--minimum-notice-days <n>]
                    [--reach-evidence <JSON, e.g. {"IN_APP":["ACKNOWLEDGED"]}>]
  controller list
  key create --controller <slug> --name <name> --role <ADMIN|EDITOR|NOTIFIER|READER|AUDITOR>
             [--expires-at <ISO 8601>]
  key list --controller <slug>
  key revoke <key id>
  verify-version --controller <slug> <noticeKey> <number>
                                    recompute a published version's content hash and compare
  export-bundle --controller <slug> --output <file> [--subject-ref <ref>]... [--subject-ref-hash <hash>]...
                [--notice <key>]... [--from <ISO 8601>] [--to <ISO 8601>] [--purpose <text>]
                                    write a signed evidence bundle of the records in scope (docs/evidence-bundle.md)
  verify-bundle <file> [--expect-key <sha256:… key ID | public key PEM file>] [--extract <dir>]
                                    check an evidence bundle offline, without a database; exit 1 if anything fails
  migrate create <name> [--empty]   write a migration for schema.prisma changes
  migrate deploy                    apply pending migrations
  migrate status                    list applied, pending and failed migrations
  migrate check                     exit 1 when schema.prisma has changes no migration covers
  migrate resolve --rolled-back <name>
                                    mark a failed migration rolled back after fixing it by hand

The database is chosen as by the server: DATABASE_URL, else the embedded one in DATA_DIR.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'verify-bundle') return runVerifyBundleCommand(rest);
  const config = loadConfig();
  const open = () => openDatabase(config.database);
  switch (command) {
    case 'controller':
      return runControllerCommand(rest, open);
    case 'key':
      return runKeyCommand(rest, open, config.redisUrl);
    case 'migrate':
      return runMigrateCommand(rest, open);
    case 'verify-version':
      return runVerifyVersionCommand(rest, open);
    case 'export-bundle':
      return runExportBundleCommand(rest, open, new SubjectRefHasher(config.subjectRefSecret));
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${usage}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${failureMessage(error)}\n`);
    process.exit(1);
  },
);

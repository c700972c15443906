import { loadConfig } from '../config/env.js';
import { loadEnvFile } from '../config/env-file.js';
import { createDatabaseIfMissing } from '../db/create-database.js';
import { openDatabase } from '../db/database.js';
import { SubjectRefHasher } from '../modules/subject/subject-ref.js';
import { runControllerCommand } from './controller-command.js';
import { failureMessage } from './failure-message.js';
import { runKeyCommand } from './key-command.js';
import { runLogSequenceCommand, runVerifyLogCommand } from './log-command.js';
import { runMigrateCommand } from './migrate.js';
import { runRetentionCommand } from './retention-command.js';
import { runExportBundleCommand, runVerifyBundleCommand } from './verify-bundle-command.js';
import { runVerifyReceiptCommand } from './verify-receipt-command.js';
import { runVerifyVersionCommand } from './verify-version-command.js';
import { runWitnessCommand } from './witness-command.js';

const usage = `Usage: npm run cli -- <command>

  controller create --slug <slug> --name <name> --legal-name <legal name> --contact-email <e-mail>
                    [--dpo-contact <text>] [--eu-representative <text>] [--minimum-notice-days <n>]
                    [--reach-evidence <JSON, e.g. {"IN_APP":["ACKNOWLEDGED"]}>]
                    [--proof-retention-months <n>]
  controller list
  key create --controller <slug> --name <name> --role <ADMIN|EDITOR|NOTIFIER|READER|AUDITOR>
             [--expires-at <ISO 8601>] [--trusted-documents-only]
  key list --controller <slug>
  key revoke <key id>
  verify-version --controller <slug> <noticeKey> <number>
                                    recompute a published version's content hash and compare
  export-bundle --controller <slug> --output <file> [--subject-ref <ref>]... [--subject-ref-hash <hash>]...
                [--notice <key>]... [--from <ISO 8601>] [--to <ISO 8601>] [--purpose <text>]
                                    write a signed evidence bundle of the records in scope (docs/evidence-bundle.md)
  verify-bundle <file> [--expect-key <sha256:… key ID | public key PEM file>] [--extract <dir>]
                                    check an evidence bundle offline, without a database; exit 1 if anything fails
  log sequence [--controller <slug>]
                                    append recorded notifications to the transparency log, sign tree heads
                                    (run it on a schedule, e.g. every minute; docs/transparency-log.md)
  log verify-checkpoint <file> --key <verifier key | file>
  log verify-inclusion <proof file> --key <verifier key | file> [--entry-hash <hex>]
  log verify-consistency <proof file> --key <verifier key | file> [--old <checkpoint file>]
                                    check the log's checkpoints and proofs offline; exit 1 if anything fails
  retention purge [--controller <slug>] [--dry-run] [--now <ISO 8601>]
                                    purge the proof records due under each controller's retention schedule
                                    (run it on a schedule, e.g. daily; docs/retention.md)
  witness keygen --key <file> --name <witness name>
  witness cosign --state <file> --key <file> --name <witness name> --log-key <verifier key | file>
                 (--log <URL of …/public/<slug>/log> | --checkpoint <file> [--proof <file>])
                                    cosign a checkpoint consistent with the last one cosigned; refuse a fork
  verify-receipt <receipt | file> (--jwks <JWKS file> | --public-key <PEM file>)
                                    check a signed consent receipt offline (docs/consent-records.md); exit 1 if it fails
  import notifications|events|responses <file.csv | file.ndjson> [--url <GraphQL URL>] [--batch-size <n>]
         [--concurrency <n>] [--state <file>] [--rejects <file>] [--format csv|ndjson]
                                    send a file through a running server's bulk writes, resumably; the key in
                                    NOTARIUM_API_KEY, no database opened; exit 1 if rows were rejected (docs/import.md)
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
  if (command === 'witness') return runWitnessCommand(rest);
  if (command === 'log' && rest[0] !== 'sequence') return runVerifyLogCommand(rest);
  if (command === 'verify-receipt') return runVerifyReceiptCommand(rest);
  if (command === 'import') return (await import('./import-command.js')).runImportCommand(rest);
  loadEnvFile(); // .env (or ENV_FILE), as the server reads it
  const config = loadConfig();
  const open = () => openDatabase(config.database);
  switch (command) {
    case 'controller':
      return runControllerCommand(rest, open);
    case 'key':
      return runKeyCommand(rest, open, config.redisUrl);
    case 'migrate': {
      const { database } = config;
      return runMigrateCommand(rest, open, {
        createDatabase:
          database.kind === 'postgres' ? () => createDatabaseIfMissing(database.url) : undefined,
      });
    }
    case 'log':
      return runLogSequenceCommand(rest.slice(1), open);
    case 'retention':
      return runRetentionCommand(rest, open);
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

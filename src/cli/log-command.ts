import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
import { CheckpointFormatError, parseVerifierKey } from '../modules/transparency-log/checkpoint.js';
import { runLogCadence } from '../modules/transparency-log/transparency-log.service.js';
import {
  ProofError,
  verifiedCheckpoint,
  verifyConsistencyDocument,
  verifyInclusionDocument,
} from '../modules/transparency-log/verify-proof.js';
import { WitnessError } from '../modules/transparency-log/witness.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

export const logUsage = `Usage:
  log sequence [--controller <slug>]
  log verify-checkpoint <checkpoint file> --key <verifier key | file>
  log verify-inclusion <proof file> --key <verifier key | file> [--entry-hash <hex>]
  log verify-consistency <proof file> --key <verifier key | file> [--old <checkpoint file>]`;

/** A verifier key given inline (`name+id+base64`) or as a file holding one. */
export async function verifierKeyOption(value: string) {
  const text = existsSync(value) ? await readFile(value, 'utf8') : value;
  return parseVerifierKey(text.trim().split('\n')[0] ?? '');
}

/** A coded failure of the log and witness commands: one line on standard error, exit 1. */
export function codedFailure(error: unknown): number | null {
  if (
    error instanceof ProofError ||
    error instanceof WitnessError ||
    error instanceof CheckpointFormatError
  ) {
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return 1;
  }
  return null;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new ProofError('PROOF_MALFORMED', `${file} is not JSON.`);
    throw error;
  }
}

/**
 * The `log verify-*` commands check what the log served, offline (no database), with its
 * verifier key. Exit 0 verified, 1 a coded failure, 2 a usage error.
 */
export async function runVerifyLogCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      'entry-hash': { type: 'string' },
      old: { type: 'string' },
    },
  });
  const [file] = positionals;
  if (
    !['verify-checkpoint', 'verify-inclusion', 'verify-consistency'].includes(action ?? '') ||
    file === undefined ||
    values.key === undefined
  ) {
    process.stderr.write(`${logUsage}\n`);
    return 2;
  }
  try {
    const key = await verifierKeyOption(values.key);
    if (action === 'verify-checkpoint') {
      const { checkpoint } = verifiedCheckpoint(await readFile(file, 'utf8'), key);
      print(
        `VALID: ${checkpoint.origin} size ${checkpoint.treeSize} root ${checkpoint.rootHash.toString('hex')}, signed by ${key.name}.`,
      );
    } else if (action === 'verify-inclusion') {
      const result = verifyInclusionDocument(await readJson(file), key, values['entry-hash'] ?? null);
      print(
        `VALID: ${result.entryType} ${result.entryHash} is leaf ${result.leafIndex} of ${result.checkpoint.origin} ` +
          `at size ${result.checkpoint.treeSize} (signed by ${key.name}).`,
      );
    } else {
      const old = values.old === undefined ? null : await readFile(values.old, 'utf8');
      const { from, to } = verifyConsistencyDocument(await readJson(file), key, old);
      print(`VALID: ${to.origin} at size ${to.treeSize} extends its signed size ${from.treeSize}.`);
    }
    return 0;
  } catch (error) {
    const code = codedFailure(error);
    if (code !== null) return code;
    throw error;
  }
}

/** `log sequence`: the log's cadence (sequence notifications, sign a head) for one controller or all. */
export async function runLogSequenceCommand(args: string[], open: () => Promise<Database>): Promise<number> {
  const { values } = parseArgs({ args, options: { controller: { type: 'string' } } });
  const slug = values.controller;
  const database = await open();
  try {
    const controllers = await database.prisma.controller.findMany({
      where: slug === undefined ? {} : { slug },
      select: { id: true, slug: true },
      orderBy: { slug: 'asc' },
    });
    if (slug !== undefined && controllers.length === 0) {
      process.stderr.write(`NOT_FOUND: Controller ${slug} does not exist.\n`);
      return 1;
    }
    for (const controller of controllers) {
      const { appended, head } = await runLogCadence(database, controller.id);
      print(
        `${controller.slug}: ${appended} notification${appended === 1 ? '' : 's'} appended; ` +
          (head ? `head of size ${head.treeSize}, root ${head.rootHash.toString('hex')}` : 'empty log'),
      );
    }
    return 0;
  } finally {
    await database.close();
  }
}

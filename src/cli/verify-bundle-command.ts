import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
import { NotFoundError } from '../domain/errors.js';
import { exportEvidenceBundle } from '../modules/evidence/evidence.service.js';
import { extractBundle, verifyBundle } from '../modules/evidence/verify-bundle.js';
import type { SubjectRefHasher } from '../modules/subject/subject-ref.js';
import { parseInstantOption } from './instant-option.js';

const print = (line: string) => process.stdout.write(`${line}\n`);
const number = (value: number) => value.toLocaleString('en-US');

const verifyUsage =
  'Usage: verify-bundle <file> [--expect-key <sha256:… key ID | public key PEM file>] [--extract <dir>]';

/** Verifies a bundle offline (no database) and prints what was checked and every problem. Exit 0 valid, 1 not. */
export async function runVerifyBundleCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'expect-key': { type: 'string' }, extract: { type: 'string' } },
  });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) {
    process.stderr.write(`${verifyUsage}\n`);
    return 2;
  }
  const expectKey = values['expect-key'];
  const expectedKey =
    expectKey === undefined || expectKey.startsWith('sha256:')
      ? expectKey
      : await readFile(expectKey, 'utf8');
  const started = performance.now();
  const result = await verifyBundle(file, { expectedKey });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const manifest = result.manifest;
  print(`Evidence bundle ${file} (${number(result.lines)} lines, checked in ${seconds} s)`);
  if (manifest) {
    const scope = manifest.scope;
    print(`  bundle      ${manifest.bundleId}, created ${manifest.createdAt}`);
    print(
      `  controller  ${manifest.controller.legalName} (${manifest.controller.slug}, ${manifest.controller.id})`,
    );
    print(
      `  scope       subjects: ${scope.subjectRefHashes ? number(scope.subjectRefHashes.length) : 'all'}; ` +
        `notices: ${scope.noticeKeys?.join(', ') ?? 'all'}; from: ${scope.from ?? '—'}; to: ${scope.to ?? '—'}`,
    );
    const { unmatched } = manifest;
    if (unmatched.subjectRefHashes.length + unmatched.noticeKeys.length > 0)
      print(
        `  unmatched   ${number(unmatched.subjectRefHashes.length)} of the subjects and notices ${unmatched.noticeKeys.join(', ') || 'none'} have no record in the database`,
      );
    print(
      `  audit head  ${manifest.auditHead ? `#${manifest.auditHead.sequence} ${manifest.auditHead.hash}` : 'none (no audit entries)'}`,
    );
    const keyNote =
      result.keyMatchesExpected === null
        ? 'not compared with a published key (use --expect-key)'
        : result.keyMatchesExpected
          ? 'the expected published key'
          : 'NOT the expected key';
    print(
      `  signed by   ${manifest.signingKey.keyId} (Ed25519): ${result.signatureValid ? 'valid' : 'INVALID'}, ${keyNote}`,
    );
    print('  parts');
    for (const part of manifest.parts) {
      print(
        `    ${part.name.padEnd(23)} ${number(part.records).padStart(11)} records ${number(part.bytes).padStart(15)} bytes  sha256 ${part.sha256}`,
      );
    }
  }
  for (const note of result.notes) print(`  note: ${note}`);
  if (result.valid) {
    print(
      'VALID: the signature, every part hash and count, every record, content hash and audit link check out.',
    );
  } else {
    print(`INVALID: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}:`);
    for (const problem of result.problems) print(`  - ${problem}`);
  }
  if (values.extract !== undefined) {
    const written = await extractBundle(file, values.extract);
    print(`Extracted ${written.join(', ')} into ${values.extract}`);
  }
  return result.valid ? 0 : 1;
}

const exportUsage = `Usage: export-bundle --controller <slug> --output <file>
         [--subject-ref <ref>]... [--subject-ref-hash <hash>]... [--notice <key>]...
         [--from <ISO 8601>] [--to <ISO 8601>] [--purpose <text, e.g. the regulator's reference>]`;

/** Exports a signed bundle to a file (written beside it, then renamed, so no half bundle is left). */
export async function runExportBundleCommand(
  args: string[],
  open: () => Promise<Database>,
  hasher: SubjectRefHasher,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      controller: { type: 'string' },
      output: { type: 'string' },
      'subject-ref': { type: 'string', multiple: true },
      'subject-ref-hash': { type: 'string', multiple: true },
      notice: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      purpose: { type: 'string' },
    },
  });
  if (!values.controller || !values.output) {
    process.stderr.write(`${exportUsage}\n`);
    return 2;
  }
  const from = parseInstantOption('from', values.from);
  const to = parseInstantOption('to', values.to);
  const database = await open();
  try {
    const controller = await database.prisma.controller.findUnique({ where: { slug: values.controller } });
    if (controller === null) throw new NotFoundError('Controller', values.controller);
    const refHashes = [
      ...(values['subject-ref'] ?? []).map((ref) => hasher.hash(controller.id, ref)),
      ...(values['subject-ref-hash'] ?? []),
    ];
    const scope = {
      subjectRefHashes: refHashes.length > 0 ? refHashes : undefined,
      noticeKeys: values.notice,
      from,
      to,
    };
    const partial = `${values.output}.partial`;
    const output = createWriteStream(partial);
    try {
      const summary = await exportEvidenceBundle(
        database,
        { controllerId: controller.id, apiKeyId: null, role: null },
        scope,
        output,
        values.purpose ?? null,
      );
      output.end();
      await finished(output);
      await rename(partial, values.output);
      print(`Wrote ${values.output}: bundle ${summary.bundleId}, ${number(summary.bytes)} bytes`);
      for (const part of summary.parts.filter((entry) => entry.name.endsWith('.jsonl')))
        print(`  ${part.name.padEnd(23)} ${number(part.records).padStart(11)} records`);
      const { unmatched } = summary;
      if (unmatched.subjectRefHashes.length + unmatched.noticeKeys.length > 0)
        print(
          `  not in the database: ${unmatched.subjectRefHashes.length} of the subjects; notices: ${unmatched.noticeKeys.join(', ') || 'none'}`,
        );
      print(`  signed with ${summary.keyId}; manifest sha256 ${summary.manifestSha256}`);
      return 0;
    } catch (error) {
      output.destroy();
      await rm(partial, { force: true });
      throw error;
    }
  } finally {
    await database.close();
  }
}

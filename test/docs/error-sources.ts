import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every error code the source declares, found by reading `src/**\/*.ts` (not src/generated): the
 * ways codes are written in this code base, one pattern each. Each pattern names the files it must
 * find codes in, so that a pattern that stops matching (code rewritten another way) fails loudly
 * instead of finding nothing.
 */
export interface SourceCode {
  readonly code: string;
  readonly file: string;
  /** The HTTP status written next to it, when the source gives one. */
  readonly status?: number;
  /** For `readonly code = '…'` in a class: the class and what it extends. */
  readonly className?: string;
  readonly base?: string;
}

export interface Pattern {
  readonly name: string;
  /** Files (relative to the repository) each of which must yield at least one code. */
  readonly mustFindIn: readonly string[];
  find(text: string, file: string): SourceCode[];
}

const code = '([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)';
const literals = (text: string) => [...text.matchAll(new RegExp(`'${code}'`, 'g'))].map((match) => match[1]!);

/** The union types whose members are error codes (not every `…Code` type is: ReasonCode is not). */
export const codeUnionTypes = {
  AuthenticationCode: 'src/domain/errors.ts',
  ReceiptFailure: 'src/modules/consent-record/receipt-jws.ts',
  ProofErrorCode: 'src/modules/transparency-log/verify-proof.ts',
  WitnessErrorCode: 'src/modules/transparency-log/witness.ts',
} as const;

export const patterns: readonly Pattern[] = [
  {
    name: "a class's `readonly code = '…'`",
    mustFindIn: [
      'src/domain/errors.ts',
      'src/modules/erasure/erasure.errors.ts',
      'src/modules/notice/notice.errors.ts',
      'src/modules/objection/objection.errors.ts',
      'src/modules/purpose/purpose.errors.ts',
      'src/modules/transparency-log/transparency-log.errors.ts',
      'src/db/data-dir-lock.ts',
      'src/db/create-database.ts',
      'src/modules/transparency-log/checkpoint.ts',
    ],
    find(text, file) {
      return [...text.matchAll(new RegExp(`readonly code = '${code}'`, 'g'))].map((match) => {
        const before = text.slice(0, match.index);
        const declaration = [...before.matchAll(/class (\w+) extends (\w+)/g)].at(-1);
        if (!declaration) throw new Error(`${file}: a code ${match[1]} outside a class`);
        return { code: match[1]!, file, className: declaration[1]!, base: declaration[2]! };
      });
    },
  },
  {
    name: "`code: '…'` (GraphQL extensions, coded results of the item checks and of authentication)",
    mustFindIn: [
      'src/app.ts',
      'src/server.ts',
      'src/graphql/error-results.ts',
      'src/graphql/limits.ts',
      'src/graphql/mask-errors.ts',
      'src/graphql/scalars.ts',
      'src/graphql/trusted-documents.ts',
      'src/modules/api-key/api-key.service.ts',
      'src/modules/consent-record/consent-record.validation.ts',
      'src/modules/message-template/template-reference.policy.ts',
      'src/modules/notification/sent-before-publication.ts',
    ],
    find(text, file) {
      return [
        ...text.matchAll(new RegExp(`\\bcode: '${code}'(?:,\\s*http: \\{\\s*status: (\\d{3}))?`, 'g')),
      ].map((match) => ({ code: match[1]!, file, ...(match[2] ? { status: Number(match[2]) } : {}) }));
    },
  },
  {
    name: "`errorResponse(<status>, '…'` and the routes' `problem(<status>, '…'`",
    mustFindIn: [
      'src/app.ts',
      'src/graphql/authentication.ts',
      'src/metrics/metrics.ts',
      'src/modules/access-request/access-request-route.ts',
      'src/modules/consent-record/consent-record-routes.ts',
      'src/modules/evidence/evidence-route.ts',
      'src/modules/transparency-log/log-route.ts',
    ],
    find(text, file) {
      return [
        ...text.matchAll(new RegExp(`\\b(?:errorResponse|problem)\\(\\s*(\\d{3}),\\s*'${code}'`, 'g')),
      ].map((match) => ({ code: match[2]!, file, status: Number(match[1]) }));
    },
  },
  {
    name: "a bulk item's `rejected(…, '…'`",
    mustFindIn: [
      'src/modules/notification/item-result.ts',
      'src/modules/notification/record-events.ts',
      'src/modules/notification/record-notifications.ts',
      'src/modules/notification/record-responses.ts',
    ],
    find(text, file) {
      return [...text.matchAll(new RegExp(`\\brejected\\(\\s*[^)]*?'${code}'`, 'g'))].map((match) => ({
        code: match[1]!,
        file,
      }));
    },
  },
  {
    name: 'the members of the code union types',
    mustFindIn: Object.values(codeUnionTypes),
    find(text, file) {
      return Object.entries(codeUnionTypes)
        .filter(([, home]) => home === file)
        .flatMap(([type]) => {
          const union = new RegExp(`type ${type} =([^;]+);`).exec(text);
          if (!union) throw new Error(`${file}: no type ${type}`);
          return literals(union[1]!).map((found) => ({ code: found, file }));
        });
    },
  },
  {
    name: "`parseFailed(…, '…')` and `withCode(…, '…')`",
    mustFindIn: [
      'src/graphql/parser-limits.ts',
      'src/graphql/mask-errors.ts',
      'src/graphql/result-status.ts',
    ],
    find(text, file) {
      return [...text.matchAll(/\b(?:parseFailed|withCode)\(([^;]*?)\)/g)].flatMap((match) =>
        literals(match[1]!).map((found) => ({ code: found, file })),
      );
    },
  },
  {
    name: "the import command's `new ImportError('…'` and `usageError('…'`",
    mustFindIn: ['src/cli/import-command.ts', 'src/cli/import/graphql-client.ts', 'src/cli/import/rows.ts'],
    find(text, file) {
      return [...text.matchAll(new RegExp(`\\b(?:new ImportError|usageError)\\(\\s*'${code}'`, 'g'))].map(
        (match) => ({ code: match[1]!, file }),
      );
    },
  },
  {
    name: 'a coded line the CLI writes itself, `stderr.write(`CODE: …`',
    mustFindIn: ['src/cli/log-command.ts', 'src/cli/witness-command.ts'],
    find(text, file) {
      return [...text.matchAll(new RegExp(`stderr\\.write\\(\`${code}: `, 'g'))].map((match) => ({
        code: match[1]!,
        file,
      }));
    },
  },
];

function sourceFiles(root: string, directory = join(root, 'src')): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(root, path);
    return entry.name.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

/** Every code each pattern finds, with the files it must have found codes in and did not. */
export function sourceCodes(root: string): { pattern: Pattern; found: SourceCode[]; missing: string[] }[] {
  const files = sourceFiles(root).map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));
  return patterns.map((pattern) => {
    const found = files.flatMap(({ file, text }) => pattern.find(text, file));
    const missing = pattern.mustFindIn.filter((file) => !found.some((item) => item.file === file));
    return { pattern, found, missing };
  });
}

/**
 * docs/errors.md lists every error code the service can return, and only those.
 *
 * The codes are collected from the source (test/docs/error-sources.ts: one pattern per way a code
 * is written, each failing when it finds nothing where it must). The catalogue's four tables are
 * then held to them: the payload table to the expected-error classes (and, at run time, to the
 * schema's types implementing `Error`), the bulk-item table to the item checks, the request table
 * to the route and GraphQL codes with the HTTP statuses written beside them, the command-line
 * table to the codes only the CLI prints. graphql-yoga's own codes are checked by asking for them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInterfaceType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { type DatabaseFailure, databaseRetryAfterSeconds } from '../../src/db/database-failure.js';
import { databaseFailureResponse } from '../../src/graphql/mask-errors.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/log/logger.js';
import { makeTenant } from '../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { codeUnionTypes, type SourceCode, sourceCodes } from './error-sources.js';
import { brokenReferences, firstCode, type Row, sectionRows } from './markdown-tables.js';

const root = join(import.meta.dirname, '..', '..');
const catalogueFile = 'docs/errors.md';
const catalogue = readFileSync(join(root, catalogueFile), 'utf8');

const sections = {
  payload: 'Typed errors in payloads',
  items: 'Rejected items of bulk writes',
  request: 'Request errors',
  cli: 'Command line',
} as const;
type Section = keyof typeof sections;

/** Codes graphql-yoga itself puts on errors that reach clients, and a request that draws each. */
const libraryCodes: Record<string, object> = {
  GRAPHQL_PARSE_FAILED: { query: '{ viewer ' },
  GRAPHQL_VALIDATION_FAILED: { query: '{ noSuchField }' },
  OPERATION_RESOLUTION_FAILURE: { query: 'query A { __typename } query B { __typename }' },
};

/** The files whose `{ code: '…' }` results become a bulk item's rejection. */
const itemCheckFiles = [
  'src/modules/consent-record/consent-record.validation.ts',
  'src/modules/message-template/template-reference.policy.ts',
  'src/modules/notification/sent-before-publication.ts',
];

const rows = Object.fromEntries(
  Object.entries(sections).map(([section, heading]) => [section, sectionRows(catalogue, heading)]),
) as Record<Section, Row[]>;
const codesOf = (section: Section) => new Set(rows[section].map((row) => firstCode(row.cells[0]!)));
const rowOf = (section: Section, code: string) =>
  rows[section].find((row) => firstCode(row.cells[0]!) === code);

const extracted = sourceCodes(root);
const all = extracted.flatMap((entry) => entry.found);
/** A code the command line itself reports (e.g. a rejected row of `import`), not the server. */
const fromCli = (found: { file: string }) => found.file.startsWith('src/cli/');
const byPattern = (name: string) => extracted.find((entry) => entry.pattern.name.startsWith(name))!.found;
const classCodes = byPattern("a class's");
const expectedErrors = classCodes.filter((found) => found.base === 'ExpectedError');
/** The members of code union types; each type has a file of its own. */
const fromUnions = (...types: (keyof typeof codeUnionTypes)[]) =>
  byPattern('the members').filter((found) => types.some((type) => found.file === codeUnionTypes[type]));

/** Each code missing from a section, with where the source has it. */
function missingFrom(section: Section, found: readonly SourceCode[]): string[] {
  const listed = codesOf(section);
  const missing = new Map<string, string[]>();
  for (const item of found) {
    if (!listed.has(item.code)) missing.set(item.code, [...(missing.get(item.code) ?? []), item.file]);
  }
  return [...missing].map(
    ([code, files]) =>
      `${code} (${[...new Set(files)].join(', ')}) is not in the table "${sections[section]}" of ${catalogueFile}`,
  );
}

describe(`the error catalogue, ${catalogueFile}`, () => {
  it('finds codes with every pattern, in every file each pattern must find some in', () => {
    for (const { pattern, found, missing } of extracted) {
      expect(found.length, `the pattern ${pattern.name} found no code`).toBeGreaterThan(0);
      expect(missing, `the pattern ${pattern.name} found no code in these files`).toEqual([]);
    }
    expect(expectedErrors.length).toBeGreaterThanOrEqual(15);
    for (const section of Object.keys(sections) as Section[])
      expect(rows[section].length, `no rows under "## ${sections[section]}"`).toBeGreaterThan(0);
  });

  it('lists every code the source declares', () => {
    const listed = new Set(Object.keys(sections).flatMap((section) => [...codesOf(section as Section)]));
    const missing = [...new Set(all.map((found) => found.code))]
      .filter((code) => !listed.has(code))
      .map(
        (code) =>
          `${code} (${[...new Set(all.filter((found) => found.code === code).map((f) => f.file))].join(', ')})`,
      );
    expect(missing, `codes in src/ that ${catalogueFile} lacks`).toEqual([]);
  });

  it('lists no code that no longer exists', () => {
    const known = new Set([...all.map((found) => found.code), ...Object.keys(libraryCodes)]);
    const stale = Object.keys(sections).flatMap((section) =>
      rows[section as Section]
        .map((row) => firstCode(row.cells[0]!))
        .filter((code) => code === null || !known.has(code))
        .map((code) => `${code} (table "${sections[section as Section]}")`),
    );
    expect(stale, `codes in ${catalogueFile} that src/ no longer has`).toEqual([]);
  });

  it('has one row per code in each table', () => {
    for (const section of Object.keys(sections) as Section[]) {
      const codes = rows[section].map((row) => firstCode(row.cells[0]!));
      expect(
        codes.filter((code, index) => codes.indexOf(code) !== index),
        sections[section],
      ).toEqual([]);
    }
  });

  it('lists exactly the expected-error classes as typed payload errors, each with its type', () => {
    expect(missingFrom('payload', expectedErrors)).toEqual([]);
    const expectedCodes = new Set(expectedErrors.map((found) => found.code));
    expect([...codesOf('payload')].filter((code) => !expectedCodes.has(code!))).toEqual([]);
    for (const error of expectedErrors)
      expect(
        rowOf('payload', error.code)?.cells[1],
        `${error.code}: the row names ${error.className}`,
      ).toContain(`\`${error.className}\``);
  });

  it('names every schema type implementing Error, and each is a class found in the source', () => {
    const errorInterface = schema.getType('Error');
    expect(isInterfaceType(errorInterface)).toBe(true);
    const implementations = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .filter((type) => type.getInterfaces().some((item) => item.name === 'Error'))
      .map((type) => type.name)
      .sort();
    expect(implementations.length).toBeGreaterThanOrEqual(15);
    expect(implementations).toEqual(expectedErrors.map((found) => found.className).sort());
  });

  it('lists every rejection of a bulk item, and no other code, as an item code', () => {
    const itemResult = readFileSync(join(root, 'src/modules/notification/item-result.ts'), 'utf8');
    expect(itemResult, 'an invalid item is rejected with the code of validationFailed').toContain(
      'validationFailed(',
    );
    const validation = expectedErrors.filter((found) => found.className === 'InputValidationError');
    const found = [
      ...byPattern("a bulk item's"),
      ...byPattern('`code:').filter((item) => itemCheckFiles.includes(item.file)),
      ...validation,
    ];
    expect(missingFrom('items', found)).toEqual([]);
    const sourced = new Set(found.map((item) => item.code));
    expect([...codesOf('items')].filter((code) => !sourced.has(code!))).toEqual([]);
  });

  it('lists every request error with the HTTP status the source gives it', () => {
    const requestCodes = [
      ...byPattern('`errorResponse'),
      ...byPattern('`code:').filter((item) => !itemCheckFiles.includes(item.file) && !fromCli(item)),
      ...byPattern('`parseFailed'),
    ];
    expect(missingFrom('request', requestCodes)).toEqual([]);
    const wrongStatus = requestCodes
      .filter((found) => found.status !== undefined)
      .filter((found) => !rowOf('request', found.code)?.cells[1]?.includes(String(found.status)))
      .map(
        (found) =>
          `${found.code}: ${found.file} answers ${found.status}, the row says ${rowOf('request', found.code)?.cells[1]}`,
      );
    expect(wrongStatus).toEqual([]);
    for (const found of fromUnions('AuthenticationCode'))
      expect(rowOf('request', found.code)?.cells[1], found.code).toContain('401');
  });

  it('states the status and Retry-After of each database failure', async () => {
    for (const failure of Object.keys(databaseRetryAfterSeconds) as DatabaseFailure[]) {
      const response = databaseFailureResponse(failure);
      const code = ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!
        .extensions.code;
      const row = rowOf('request', code);
      expect(row?.cells[1], code).toContain(String(response.status));
      expect(row?.cells[3], code).toContain(`Retry-After: ${response.headers.get('retry-after')}`);
    }
  });

  it("lists the command line's own codes", () => {
    const cliCodes = [
      ...classCodes.filter((found) => found.base !== 'ExpectedError'),
      ...fromUnions('ReceiptFailure', 'ProofErrorCode', 'WitnessErrorCode'),
      ...byPattern('a coded line'),
      ...byPattern("the import command's"),
      ...byPattern('`code:').filter(fromCli),
    ];
    expect(missingFrom('cli', cliCodes)).toEqual([]);
  });

  it('cites only files and headings that exist', () => {
    expect(brokenReferences(root, catalogueFile)).toEqual([]);
  });

  describe("graphql-yoga's codes", () => {
    let database: TestDatabase;
    let app: App;
    let key: string;
    beforeAll(async () => {
      database = await openTestDatabase();
      app = createApp({ config: { environment: 'test' }, database, logger: createLogger('silent') });
      key = (await makeTenant(database.prisma)).keys.READER;
    });
    afterAll(async () => {
      await database?.close();
    });

    it.each(Object.entries(libraryCodes))('%s reaches clients as the catalogue says', async (code, body) => {
      const response = await app.fetch(
        new Request('http://notarium.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(body),
        }),
      );
      const answer = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(answer.errors.map((error) => error.extensions.code)).toEqual([code]);
      expect(rowOf('request', code)?.cells[1], code).toContain(String(response.status));
    });
  });
});

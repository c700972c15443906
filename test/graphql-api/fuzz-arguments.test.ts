import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { memoryRateLimiter } from '../../src/graphql/rate-limit.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/log/logger.js';
import { makeTenant } from '../support/factories.js';
import { publishedNotice } from '../support/notice-fixtures.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Throws generated arguments — hostile strings, extreme numbers, impossible dates, wrong shapes —
 * at every argument of every query and mutation, and checks two promises: an unexpected error
 * never surfaces (no INTERNAL_SERVER_ERROR, no 500), and a refused request writes nothing.
 * The seed is fixed so CI is reproducible; FUZZ_SEED and FUZZ_RUNS explore further.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const runsPerField = Number(process.env.FUZZ_RUNS ?? 12);

const knownKeys = ['fuzz-notice', 'fuzz-notice-p', 'privacy-policy', 'demo'];

const hostileText = fc.oneof(
  fc.constantFrom(...knownKeys, '', ' ', 'a', '\u0000', 'x\u0000y', '\ud800', 'a\udc00b', '\uffff', '🙂'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((text) => `${text}\u0000`),
  fc.constantFrom('x'.repeat(10_000), '%'.repeat(300), '\'; DROP TABLE "Notice"; --', '{}', '[]'),
);

const instant = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2024-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T00:00:00+24:00',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999Z',
    'tomorrow',
    '',
  ),
);

const anyJson = fc.jsonValue({ maxDepth: 3 });
const wrongShape = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

function scalarValue(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case 'String':
      return hostileText;
    case 'ID':
      return fc.oneof(
        hostileText,
        fc.string({ maxLength: 30 }).map((text) => Buffer.from(`Notice:${text}`).toString('base64')),
      );
    case 'Int':
      return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31), 10_001));
    case 'Float':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e308, -0));
    case 'Boolean':
      return fc.boolean();
    case 'DateTime':
      return instant;
    case 'Locale':
      return fc.oneof(
        fc.constantFrom('de', 'en', 'pt-BR', 'x', 'de-', 'zz-ZZZZZZZZZ', '\u0000'),
        hostileText,
      );
    default:
      return anyJson;
  }
}

function generatedValue(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type))
    return fc.oneof(
      { weight: 9, arbitrary: generatedValue(type.ofType, depth) },
      { weight: 1, arbitrary: wrongShape },
    );
  const nullable = (arbitrary: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 6, arbitrary });
  if (isListType(type))
    return nullable(fc.array(generatedValue(type.ofType, depth + 1), { maxLength: depth > 2 ? 1 : 4 }));
  if (isEnumType(type)) {
    return nullable(fc.oneof(fc.constantFrom(...type.getValues().map((value) => value.name)), hostileText));
  }
  if (isScalarType(type))
    return nullable(
      fc.oneof({ weight: 8, arbitrary: scalarValue(type.name) }, { weight: 1, arbitrary: wrongShape }),
    );
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant(null);
    const fields = Object.values(type.getFields());
    const shape = Object.fromEntries(
      fields.map((field) => [field.name, generatedValue(field.type, depth + 1)]),
    );
    const required = fields.filter((field) => isNonNullType(field.type)).map((field) => field.name);
    return nullable(fc.record(shape, { requiredKeys: required }));
  }
  return anyJson;
}

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  return isLeafType(getNamedType(field.type)) ? '' : '{ __typename }';
}

function documentFor(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const variables = field.args
    .map((arg: GraphQLArgument) => `$${arg.name}: ${arg.type.toString()}`)
    .join(', ');
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  return `${operation} Fuzz(${variables}) { ${field.name}(${args}) ${selectionFor(field)} }`;
}

function fieldsWithArguments(type: GraphQLObjectType | null | undefined) {
  return Object.values(type?.getFields() ?? {}).filter((field) => field.args.length > 0);
}

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

describe('generated arguments for every query and mutation', () => {
  let database: TestDatabase;
  let app: App;
  let adminKey: string;
  let rowCount: () => Promise<number>;
  let recordedRefusals: () => Promise<number>;

  beforeAll(async () => {
    database = await openTestDatabase();
    app = createApp({
      config: { environment: 'test' },
      database,
      logger: createLogger('error', () => {}),
      limits: { rateLimiter: memoryRateLimiter(1_000_000) },
    });
    const { keys } = await makeTenant(database.prisma);
    adminKey = keys.ADMIN;
    await publishedNotice(app, adminKey, 'fuzz-notice');
    const tables = (await database.sql(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    )) as { table_name: string }[];
    const sum = tables.map(({ table_name }) => `(SELECT count(*) FROM "${table_name}")`).join(' + ');
    const count = async (expression: string) =>
      Number(((await database.sql(`SELECT ${expression} AS n`)) as { n: string | number }[])[0]?.n);
    // docs/erasure.md: every erasure request is audited, a refused one too; that is its only write.
    const refusals = `(SELECT count(*) FROM "AuditEntry" WHERE "action" = 'subject:erase' AND "details"->>'outcome' IN ('NOT_FOUND', 'REFUSED_LEGAL_HOLD'))`;
    recordedRefusals = () => count(refusals);
    rowCount = () => count(`${sum} - ${refusals}`);
    return () => database.close();
  });

  async function send(document: string, variables: Record<string, unknown>): Promise<Answer> {
    const response = await app.fetch(
      new Request('http://notarium.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
        body: JSON.stringify({ query: document, variables }),
      }),
    );
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  const roots = [
    ['query', fieldsWithArguments(schema.getQueryType())],
    ['mutation', fieldsWithArguments(schema.getMutationType())],
  ] as const;

  for (const [operation, fields] of roots) {
    for (const field of fields) {
      it(`${operation} ${field.name}`, async () => {
        const document = documentFor(operation, field);
        const variables = fc.record(
          Object.fromEntries(field.args.map((arg) => [arg.name, generatedValue(arg.type, 0)])),
        );
        await fc.assert(
          fc.asyncProperty(variables, async (values) => {
            const before = await rowCount();
            const refusalsBefore = await recordedRefusals();
            const answer = await send(document, values);
            const codes = (answer.body.errors ?? []).map((error) => error.extensions?.code);
            expect(answer.status, JSON.stringify(answer.body)).not.toBe(500);
            expect(codes, JSON.stringify(answer.body.errors)).not.toContain('INTERNAL_SERVER_ERROR');
            expect(codes.every((code) => typeof code === 'string')).toBe(true);
            const payload = answer.body.data?.[field.name] as { __typename?: string } | null | undefined;
            const refused = (answer.body.errors?.length ?? 0) > 0 || /Error$/.test(payload?.__typename ?? '');
            if (refused && operation === 'mutation') expect(await rowCount()).toBe(before);
            const refusedErasure = field.name === 'eraseSubject' && /Error$/.test(payload?.__typename ?? '');
            expect(await recordedRefusals()).toBe(refusalsBefore + (refusedErasure ? 1 : 0));
          }),
          { seed, numRuns: runsPerField, endOnFailure: true },
        );
      });
    }
  }
});

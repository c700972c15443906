import { randomUUID } from 'node:crypto';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Lexer,
  parse,
  Source,
  TokenKind,
  visit,
} from 'graphql';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { costError, defaultQueryLimits } from '../../src/graphql/limits.js';
import { defaultParserLimits } from '../../src/graphql/parser-limits.js';
import { schema } from '../../src/graphql/schema.js';
import { makeKey } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';
import { heavyTestTimeout } from '../support/timeouts.js';
import {
  hasRegulatorRequests,
  type Identifiers,
  issueRegulatorKey,
  type RawResponse,
  rawIdOf,
  roles,
  type SeededTenant,
  seedTenant,
  send,
  type TenantRole,
} from './seed.js';

/*
 * Tenant-isolation sweep. Two controllers hold comparable data (test/isolation/seed.ts). For every
 * role (and a REGULATOR key when the schema has them), controller A calls node(id) and nodes(ids)
 * with every global ID of B, and every root Query field — generated from the schema at runtime —
 * with arguments filled from B's IDs, keys, names, subject refs and cursors. Every answer must:
 *   - contain none of B's IDs, keys, slugs, names, hashes or refs (beyond what the query sent);
 *   - carry no error but FORBIDDEN (never INTERNAL_SERVER_ERROR, never an uncoded error);
 *   - hold nothing (null, an Error-typed result, empty lists) when an argument named B's data;
 *   - equal the answer for an identifier of the same kind that does not exist (no existence oracle).
 * A Node type without a seeded B object, or a root field whose arguments the generator cannot fill,
 * fails the sweep. Two controls keep it honest: B's own ADMIN running the sweep is flagged on every
 * root field, and A's ADMIN finds its own data through the same queries (deep selections, with B's
 * keys in nested arguments). Variants are sent several per request under aliases; a failure
 * prints, per kind, the standalone query that shows it. A last case catches what names nothing of
 * B yet depends on other tenants (a count across controllers): A's deep answers must not change
 * when a third controller writes (docs/decisions/0024-resolvers-reach-data-through-services.md).
 */

const nodeInterface = schema.getType('Node') as GraphQLInterfaceType;
const errorInterface = schema.getType('Error') as GraphQLInterfaceType;
const nodeTypes = schema.getImplementations(nodeInterface).objects.map((type) => type.name);
const queryFields = Object.values(schema.getQueryType()?.getFields() ?? {});
/** Every role of A: the controller roles, and a REGULATOR key bound to A's request when the schema has one. */
const sweepRoles: readonly (TenantRole | 'REGULATOR')[] = [
  ...roles,
  ...(hasRegulatorRequests ? (['REGULATOR'] as const) : []),
];

/** Page size asked of root connections (keeps the cost of deep selections under the limit). */
const pageSize = 20;
/** Variants sent per request under aliases (each request within the server's limits, see withinLimits). */
const maxBatch = 20;
/** Object levels the deep selection of the sanity pass descends (the root field's type is level 1). */
const deepLevels = 3;

class UnsupportedArgument extends Error {}

/** Lexical tokens of a query text, as the server's parser counts them (src/graphql/parser-limits.ts). */
function tokenCount(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

/**
 * Whether a query text stays within the server's token, alias and cost limits: beyond them the
 * server answers nothing but the limit's error, and the sweep would learn nothing from it.
 */
function withinLimits(text: string): boolean {
  if (tokenCount(text) >= defaultParserLimits.maxTokens) return false;
  const document = parse(text);
  let aliases = 0;
  visit(document, {
    Field(node) {
      if (node.alias) aliases += 1;
    },
  });
  return (
    aliases <= defaultQueryLimits.maxAliases &&
    costError(document, {}, null, defaultQueryLimits.maxCost) === null
  );
}

interface ArgumentAxis {
  readonly name: string;
  readonly values: readonly string[];
  /** Whether its values name a tenant's data (IDs, keys, names): then nothing of B may be found. */
  readonly identifying: boolean;
  /**
   * For an input object: per value, the literal inside it that names B's data (absent when that
   * value names nothing); the axis is identifying for those values only.
   */
  readonly probes?: ReadonlyMap<string, string>;
}

interface Variant {
  readonly field: string;
  readonly query: string;
  /** Whether an argument names B's data: then the field must answer nothing. */
  readonly identifying: boolean;
  /** The literals naming B's data, with a literal of the same kind that names nothing. */
  readonly probes: readonly { readonly literal: string; readonly control: string }[];
}

const literal = (value: string) => JSON.stringify(value);

function allIds(ids: Identifiers): string[] {
  return [...ids.ids.values()].flatMap((set) => [...set]);
}

/** The identifiers with at most `perType` IDs of each Node type, to keep the sweep quick. */
function capped(ids: Identifiers, perType: number): Identifiers {
  return {
    ...ids,
    ids: new Map([...ids.ids].map(([type, set]) => [type, new Set([...set].slice(0, perType))])),
  };
}

/** The tenant's identifying strings, most plausible first for an argument in `context` (field.arg). */
function keyLikeStrings(ids: Identifiers, context: string): string[] {
  const lower = context.toLowerCase();
  const groups: [boolean, readonly string[]][] = [
    [/id$/.test(lower), allIds(ids).map(rawIdOf)],
    [lower.includes('purpose'), ids.purposeKeys],
    [lower.includes('notice'), ids.noticeKeys],
    [lower.includes('ref') || lower.includes('subject'), ids.subjectRefs],
    [lower.includes('campaign') || lower.includes('name'), ids.campaignNames],
    [lower.includes('slug') || lower.includes('controller'), [ids.slug]],
    [lower.includes('template'), ids.templateKeys],
  ];
  const ordered = [
    ...groups.filter(([first]) => first),
    ...groups.filter(([first], index) => !first && index > 0),
  ];
  return [...new Set(ordered.flatMap(([, values]) => values))];
}

/** Candidate literals for one argument; throws when the generator does not know its type. */
function axisFor(fieldName: string, arg: GraphQLArgument, ids: Identifiers, now: string): ArgumentAxis {
  const inner = isNonNullType(arg.type) ? arg.type.ofType : arg.type;
  const where = `${fieldName}(${arg.name}: ${String(arg.type)})`;
  if (isListType(inner)) {
    if (getNamedType(inner).name === 'ID')
      return { name: arg.name, values: [`[${allIds(ids).map(literal).join(', ')}]`], identifying: true };
    const item = getNamedType(inner);
    if (isEnumType(item)) {
      // Every value at once: the filter that admits the most.
      return {
        name: arg.name,
        values: [
          `[${item
            .getValues()
            .map((value) => value.name)
            .join(', ')}]`,
        ],
        identifying: false,
      };
    }
    if (item.name === 'String')
      return {
        name: arg.name,
        values: [`[${keyLikeStrings(ids, `${fieldName}.${arg.name}`).map(literal).join(', ')}]`],
        identifying: true,
      };
    throw new UnsupportedArgument(where);
  }
  const named = inner as GraphQLNamedType;
  if (isInputObjectType(named)) return inputObjectAxis(fieldName, arg.name, named, ids, now);
  if (named.name === 'String' && (arg.name === 'after' || arg.name === 'before'))
    return { name: arg.name, values: ids.cursors.map(literal), identifying: false };
  if (isEnumType(named))
    return { name: arg.name, values: named.getValues().map((value) => value.name), identifying: false };
  switch (named.name) {
    case 'ID':
      return { name: arg.name, values: allIds(ids).map(literal), identifying: true };
    case 'String':
      return {
        name: arg.name,
        values: keyLikeStrings(ids, `${fieldName}.${arg.name}`).map(literal),
        identifying: true,
      };
    case 'Int':
      return { name: arg.name, values: ['1', '2'], identifying: false };
    case 'Boolean':
      return { name: arg.name, values: ['true', 'false'], identifying: false };
    case 'DateTime':
      return { name: arg.name, values: [literal(now)], identifying: false };
    case 'Locale':
      return { name: arg.name, values: [literal('en')], identifying: false };
    default:
      throw new UnsupportedArgument(where);
  }
}

/**
 * An input object's candidates: its required fields at their first candidate, then every
 * candidate of every optional field in turn (the same expansion as a root field's arguments).
 */
function inputObjectAxis(
  fieldName: string,
  argName: string,
  type: GraphQLInputObjectType,
  ids: Identifiers,
  now: string,
): ArgumentAxis {
  const fields = Object.values(type.getFields()).map((field) => ({
    field,
    axis: axisFor(`${fieldName}.${argName}`, field as unknown as GraphQLArgument, ids, now),
  }));
  const base = new Map<string, string>();
  for (const { field, axis } of fields) {
    if (!isNonNullType(field.type)) continue;
    const first = axis.values[0];
    if (first === undefined || axis.identifying)
      throw new UnsupportedArgument(`${fieldName}(${argName}.${field.name}): no plain candidate value`);
    base.set(field.name, first);
  }
  const text = (assignment: ReadonlyMap<string, string>) =>
    `{${[...assignment].map(([name, value]) => `${name}: ${value}`).join(', ')}}`;
  const values = [text(base)];
  const probes = new Map<string, string>();
  for (const { field, axis } of fields) {
    if (base.has(field.name)) continue;
    for (const value of axis.values) {
      const whole = text(new Map(base).set(field.name, value));
      values.push(whole);
      if (axis.identifying) probes.set(whole, value);
    }
  }
  return { name: argName, values, identifying: probes.size > 0, probes };
}

const isPaging = (arg: GraphQLArgument) => arg.name === 'first' || arg.name === 'last';

function isConnection(type: GraphQLNamedType): boolean {
  if (!isObjectType(type) || !('pageInfo' in type.getFields())) return false;
  const edges = type.getFields().edges;
  const edge = edges ? getNamedType(edges.type) : null;
  return edge !== null && isObjectType(edge) && 'node' in edge.getFields();
}

function connectionNode(type: GraphQLNamedType): GraphQLNamedType {
  const edge = getNamedType((type as GraphQLObjectType).getFields().edges!.type) as GraphQLObjectType;
  return getNamedType(edge.getFields().node!.type);
}

interface SelectionOptions {
  /** Object levels to descend: 1 selects the leaf fields of the root field's type only. */
  readonly levels: number;
  /** Fills required arguments of nested fields (first candidate each); null skips such fields. */
  readonly nestedIds: Identifiers | null;
  readonly now: string;
}

/** Arguments text for a nested field, or null when it cannot be filled and is skipped. */
function nestedArguments(field: GraphQLField<unknown, unknown>, options: SelectionOptions): string | null {
  const required = field.args.filter((arg) => isNonNullType(arg.type));
  if (required.length === 0) return '';
  if (!options.nestedIds) return null;
  const parts: string[] = [];
  for (const arg of required) {
    const first = axisFor(field.name, arg, options.nestedIds, options.now).values[0];
    if (first === undefined) return null;
    parts.push(`${arg.name}: ${first}`);
  }
  return `(${parts.join(', ')})`;
}

/**
 * Field names that members of an abstract type declare with different types, each with the type
 * most members give it: members giving it another type need an alias (the fewer, the more fit the
 * server's alias limit).
 */
function conflictingFields(members: readonly GraphQLObjectType[]): Map<string, string> {
  const types = new Map<string, Map<string, number>>();
  for (const member of members)
    for (const field of Object.values(member.getFields())) {
      const counts = types.get(field.name) ?? new Map<string, number>();
      counts.set(String(field.type), (counts.get(String(field.type)) ?? 0) + 1);
      types.set(field.name, counts);
    }
  return new Map(
    [...types]
      .filter(([, counts]) => counts.size > 1)
      .map(([name, counts]) => [name, [...counts].sort((x, y) => y[1] - x[1])[0]![0]]),
  );
}

/**
 * `__typename` and every leaf field (for abstract types: of every member), and while levels
 * remain, nested objects; a connection selects `edges { cursor node { … } }`.
 */
function selectionOf(
  type: GraphQLNamedType,
  level: number,
  options: SelectionOptions,
  aliased: ReadonlyMap<string, string> = new Map(),
): string {
  if (isLeafType(type)) return '';
  if (isConnection(type))
    return `{ edges { cursor node ${selectionOf(connectionNode(type), level, options)} } }`;
  if (isAbstractType(type)) {
    const members = schema.getPossibleTypes(type);
    const conflicts = conflictingFields(members);
    const fragments = members.map(
      (member) => `... on ${member.name} ${selectionOf(member, level, options, conflicts)}`,
    );
    return `{ __typename ${fragments.join(' ')} }`;
  }
  if (!isObjectType(type)) throw new UnsupportedArgument(`cannot select ${type.name}`);
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const args = nestedArguments(field, options);
    if (args === null) continue;
    const common = aliased.get(field.name);
    const name =
      common !== undefined && common !== String(field.type)
        ? `${type.name}_${field.name}: ${field.name}`
        : field.name;
    if (isLeafType(named)) parts.push(`${name}${args}`);
    else if (level < options.levels) parts.push(`${name}${args} ${selectionOf(named, level + 1, options)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

const controlIds = new Map<string, string>();

/** A literal of the same kind as `value` (same Node type for a global ID) that names nothing. */
function controlOf(value: string): string {
  if (value.startsWith('[')) return value;
  const inner = JSON.parse(value) as string;
  const decoded = Buffer.from(inner, 'base64').toString('utf8');
  const typename = decoded.slice(0, decoded.indexOf(':'));
  if (nodeTypes.includes(typename)) {
    if (!controlIds.has(typename))
      controlIds.set(typename, Buffer.from(`${typename}:${randomUUID()}`).toString('base64'));
    return literal(controlIds.get(typename)!);
  }
  return literal(/^[0-9a-f-]{36}$/.test(inner) ? randomUUID() : 'absent-7f3e9c');
}

/**
 * The queries for one root field: required arguments at their first candidate, then every
 * candidate of every argument in turn. Connections are paged by `first` (or `last` with `before`).
 */
function variantsFor(
  field: GraphQLField<unknown, unknown>,
  rootIds: Identifiers,
  options: SelectionOptions,
): Variant[] {
  const axes = field.args
    .filter((arg) => !isPaging(arg))
    .map((arg) => ({ arg, ...axisFor(field.name, arg, rootIds, options.now) }));
  const hasFirst = field.args.some((arg) => arg.name === 'first');
  const hasLast = field.args.some((arg) => arg.name === 'last');
  const base = new Map<string, string>();
  for (const axis of axes) {
    if (!isNonNullType(axis.arg.type)) continue;
    const first = axis.values[0];
    if (first === undefined) throw new UnsupportedArgument(`${field.name}(${axis.name}): no candidate value`);
    base.set(axis.name, first);
  }
  const assignments = [base];
  for (const axis of axes)
    for (const value of axis.values)
      if (base.get(axis.name) !== value) assignments.push(new Map(base).set(axis.name, value));

  const selection = selectionOf(getNamedType(field.type), 1, options);
  const variants = new Map<string, Variant>();
  for (const assignment of assignments) {
    const parts = [...assignment].map(([name, value]) => `${name}: ${value}`);
    if (assignment.has('before') && hasLast) parts.push(`last: ${pageSize}`);
    else if (hasFirst) parts.push(`first: ${pageSize}`);
    const args = parts.length > 0 ? `(${parts.join(', ')})` : '';
    const query = `query Sweep { ${field.name}${args} ${selection} }`;
    const probes = axes
      .filter((axis) => axis.identifying && assignment.has(axis.name))
      .flatMap((axis) => {
        const whole = assignment.get(axis.name)!;
        const value = axis.probes ? axis.probes.get(whole) : whole;
        return value === undefined ? [] : [{ literal: value, control: controlOf(value) }];
      });
    variants.set(query, { field: field.name, query, identifying: probes.length > 0, probes });
  }
  return [...variants.values()];
}

/** Root query fields whose every answer with data is recorded in the reader's audit trail (an export, Art. 15). */
const selfAudited = new Set(['consentRecords', 'accessRequest']);

/** Whether a root field's value holds nothing: null, an Error-typed result, empty lists and connections. */
function isEmptyResult(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.every(isEmptyResult);
  if (typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (typeof record.__typename === 'string') {
    const type = schema.getType(record.__typename);
    if (type && isObjectType(type) && type.getInterfaces().includes(errorInterface)) return true;
  }
  if ('edges' in record) return Array.isArray(record.edges) && record.edges.length === 0;
  // An export (consentRecords) that counts its records: nothing when it counts none.
  if ('recordCount' in record) return record.recordCount === 0;
  return false;
}

/** Global IDs of the Node objects inside a JSON value. */
function nodeIdsIn(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) nodeIdsIn(item, into);
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (
      typeof record.__typename === 'string' &&
      nodeTypes.includes(record.__typename) &&
      typeof record.id === 'string'
    )
      into.push(record.id);
    for (const child of Object.values(record)) nodeIdsIn(child, into);
  }
  return into;
}

/** The response text with the probed identifiers (and their raw IDs) replaced and request IDs dropped. */
function normalized(text: string, values: readonly string[]): string {
  let result = text
    .replace(/"requestId":"[^"]*"/g, '"requestId":"…"')
    .replace(/"locations":\[[^\]]*\],?/g, '');
  for (const value of values) {
    const inner = JSON.parse(value) as string;
    for (const form of [inner, rawIdOf(inner)])
      if (form.length >= 8) result = result.split(form).join('<probe>');
  }
  return result;
}

interface Violation {
  readonly role: string;
  readonly field: string;
  readonly problem: string;
  readonly query: string;
  readonly response: string;
}

/** One line per kind of violation (IDs masked), with a count and the shortest query showing it. */
function summarize(violations: readonly Violation[]): string[] {
  const groups = new Map<string, Violation[]>();
  for (const violation of violations) {
    const problem = violation.problem.replace(/[A-Za-z0-9+/]{40,}={0,2}/g, '<id>');
    const key = `${violation.role} ${violation.field}: ${problem}`;
    groups.set(key, [...(groups.get(key) ?? []), violation]);
  }
  return [...groups].map(([key, group]) => {
    const example = group.reduce((shortest, next) =>
      next.query.length < shortest.query.length ? next : shortest,
    );
    return `${key} (×${group.length})\n  query: ${example.query}\n  answer: ${example.response.slice(0, 400)}`;
  });
}

/** A tenant's markers as they appear inside serialized JSON, with the raw ID of each global ID. */
function markerPatterns(tenant: Identifiers): { pattern: string; raw: string | null }[] {
  const globalIds = new Set(allIds(tenant));
  return [...tenant.markers].map((marker) => ({
    pattern: JSON.stringify(marker).slice(1, -1),
    raw: globalIds.has(marker) ? rawIdOf(marker) : null,
  }));
}

/** Markers of `patterns` in `text` that the query did not send itself (an echo is no leak). */
function leakedMarkers(patterns: ReturnType<typeof markerPatterns>, query: string, text: string): string[] {
  const echoed = new Set<string>();
  for (const { pattern, raw } of patterns) {
    if (!query.includes(pattern)) continue;
    echoed.add(pattern);
    if (raw) echoed.add(raw);
  }
  return patterns
    .map(({ pattern }) => pattern)
    .filter((pattern) => !echoed.has(pattern) && text.includes(pattern));
}

/** Every leaf of a JSON value by its path, for comparing two answers field by field. */
function leavesOf(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    into.set(`${path}.length`, String(value.length));
    value.forEach((item, index) => {
      leavesOf(item, `${path}[${index}]`, into);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [name, child] of Object.entries(value as Record<string, unknown>))
      leavesOf(child, `${path}.${name}`, into);
  } else into.set(path, JSON.stringify(value));
  return into;
}

/** Paths whose leaves differ between two answers (either side missing counts as a difference). */
function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path));
}

describe('tenant isolation sweep', { timeout: heavyTestTimeout }, () => {
  const t = useTestApp();
  let a: SeededTenant;
  let b: SeededTenant;
  let bPatterns: ReturnType<typeof markerPatterns>;
  let aPatterns: string[];
  const now = new Date().toISOString();

  beforeAll(async () => {
    a = await seedTenant(t.app, t.database.prisma, 'alpha');
    b = await seedTenant(t.app, t.database.prisma, 'bravo');
    bPatterns = markerPatterns(b);
    aPatterns = markerPatterns(a).map(({ pattern }) => pattern);
  }, heavyTestTimeout);

  // Wrong-type IDs make resolvers return null before using the Prisma selection; Pothos warns
  // about that in development. The warning is expected here and says nothing about isolation.
  beforeEach(() => {
    const warn = console.warn.bind(console);
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).startsWith('Prisma query was unused')) warn(...args);
    });
  });

  /** A fresh key of A per test, so no test runs into the per-key rate limit. */
  const keyOfA = async (role: TenantRole | 'REGULATOR') =>
    role === 'REGULATOR'
      ? issueRegulatorKey(t.app, a, 'sweep REGULATOR')
      : (await makeKey(t.database.prisma, a.controllerId, role, { name: `sweep ${role}` })).secret;

  const bodyOf = (query: string) => query.slice('query Sweep { '.length, -' }'.length);
  const batchText = (queries: readonly string[]) =>
    `query Sweep { ${queries.map((query, i) => `v${i}: ${bodyOf(query)}`).join(' ')} }`;

  /**
   * Runs standalone `query Sweep { field(…) {…} }` texts, several per request under aliases (within
   * the alias limit), and answers each as if it had been sent alone.
   */
  async function runBatched(key: string, queries: readonly string[]): Promise<RawResponse[]> {
    const answers: RawResponse[] = [];
    let index = 0;
    while (index < queries.length) {
      // As many as fit the server's alias and cost limits.
      let batch = [queries[index]!];
      while (batch.length < maxBatch && index + batch.length < queries.length) {
        const next = [...batch, queries[index + batch.length]!];
        if (!withinLimits(batchText(next))) break;
        batch = next;
      }
      index += batch.length;
      if (batch.length === 1) {
        answers.push(await send(t.app, key, batch[0]!));
        continue;
      }
      const bodies = batch.map(bodyOf);
      const response = await send(t.app, key, batchText(batch));
      for (const [i, body] of bodies.entries()) {
        const field = /^\w+/.exec(body)![0];
        const errors = (response.body.errors ?? [])
          .filter((error) => error.path === undefined || error.path[0] === `v${i}`)
          .map(({ locations: _batchText, ...error }) => ({
            ...error,
            path: error.path?.map((step, n) => (n === 0 ? field : step)),
          }));
        const data = response.body.data;
        // A non-null field's error (e.g. a forbidden `nodes`) nulls the whole batch, and graphql-js
        // may stop at the first one: a nulled batch answers none of its queries, so each is asked
        // again alone.
        if (data === null || data === undefined) {
          answers.push(await send(t.app, key, batch[i]!));
          continue;
        }
        answers.push({
          status: response.status,
          body: {
            ...(errors.length > 0 ? { errors } : {}),
            ...(data === undefined ? {} : { data: data === null ? null : { [field]: data[`v${i}`] } }),
          } as RawResponse['body'],
        });
      }
    }
    return answers;
  }

  /** Runs the variants as A and records everything wrong with the answers. */
  async function sweep(
    role: string,
    key: string,
    variants: readonly Variant[],
    /** Answers to the control queries, by query; null skips the existence-oracle comparison. */
    controls: Map<string, string> | null,
    violations: Violation[],
  ): Promise<void> {
    const responses = await runBatched(
      key,
      variants.map((variant) => variant.query),
    );
    const pending: { variant: Variant; text: string; controlQuery: string }[] = [];
    variants.forEach((variant, index) => {
      const response = responses[index]!;
      const text = JSON.stringify(response.body);
      const report = (problem: string) =>
        violations.push({ role, field: variant.field, problem, query: variant.query, response: text });

      const leaked = leakedMarkers(bPatterns, variant.query, text);
      if (leaked.length > 0) report(`contains B's ${leaked.slice(0, 5).join(', ')}`);
      if (response.status !== 200) report(`HTTP ${response.status}`);
      for (const error of response.body.errors ?? []) {
        const code = error.extensions?.code;
        if (code !== 'FORBIDDEN') report(`error ${String(code)}: ${error.message}`);
      }
      if (!variant.identifying) return;
      // Nothing, or only A's own objects (a REGULATOR key's regulatorRequest answers with its own request).
      const value = response.body.data?.[variant.field];
      const ids = nodeIdsIn(value);
      const own = new Set(allIds(a));
      if (!isEmptyResult(value) && (ids.length === 0 || ids.some((id) => !own.has(id))))
        report("returned data for B's identifier");
      if (!controls || variant.probes.some((probe) => probe.literal.startsWith('['))) return;
      let controlQuery = variant.query;
      for (const probe of variant.probes)
        controlQuery = controlQuery.split(probe.literal).join(probe.control);
      pending.push({ variant, text, controlQuery });
    });
    if (!controls) return;

    // The same query naming nothing must get the same answer: no existence oracle.
    const missing = [...new Set(pending.map(({ controlQuery }) => controlQuery))].filter(
      (query) => !controls.has(query),
    );
    const answers = await runBatched(key, missing);
    missing.forEach((query, index) => {
      controls.set(query, JSON.stringify(answers[index]!.body));
    });
    for (const { variant, text, controlQuery } of pending) {
      const expected = normalized(
        controls.get(controlQuery)!,
        variant.probes.map((probe) => probe.control),
      );
      const actual = normalized(
        text,
        variant.probes.map((probe) => probe.literal),
      );
      if (actual !== expected)
        violations.push({
          role,
          field: variant.field,
          problem: `differs from the answer for a nonexistent identifier: ${expected.slice(0, 500)}`,
          query: variant.query,
          response: text,
        });
    }
  }

  it('collected a global ID of B for every Node type, and each resolves for its own controller', async () => {
    const missing = nodeTypes.filter((type) => !b.ids.has(type));
    expect(missing, 'Node types without a seeded B object: seed one in test/isolation/seed.ts').toEqual([]);
    expect(nodeTypes.filter((type) => !a.ids.has(type))).toEqual([]);
    expect(
      [...a.markers].filter((marker) => b.markers.has(marker)),
      'markers shared by A and B',
    ).toEqual([]);
    const query = 'query Own($id: ID!) { node(id: $id) { __typename id } }';
    for (const tenant of [a, b]) {
      for (const [type, ids] of tenant.ids) {
        for (const id of ids) {
          const response = await send(t.app, tenant.keys.ADMIN, query, { id });
          expect(response.body, `${tenant.label} ${type}`).toEqual({
            data: { node: { __typename: type, id } },
          });
        }
      }
    }
  });

  it('has a query generator for every root query field', () => {
    const unsupported: string[] = [];
    const tooLarge = new Set<string>();
    for (const field of queryFields) {
      try {
        const variants = [
          ...variantsFor(field, capped(b, 2), { levels: 1, nestedIds: null, now }),
          ...variantsFor(field, capped(a, 1), { levels: deepLevels, nestedIds: b, now }),
        ];
        expect(variants.length).toBeGreaterThan(1);
        for (const { query } of variants) if (!withinLimits(query)) tooLarge.add(field.name);
      } catch (error) {
        if (!(error instanceof UnsupportedArgument)) throw error;
        unsupported.push(error.message);
      }
    }
    expect(unsupported, 'root query fields the sweep cannot call: teach axisFor their arguments').toEqual([]);
    expect([...tooLarge], "root query fields whose queries exceed the server's limits").toEqual([]);
    expect(queryFields.map((field) => field.name)).toEqual(expect.arrayContaining(['node', 'nodes']));
  });

  it.each(sweepRoles)("gives A's %s nothing of B through node(id) and nodes(ids)", async (role) => {
    const key = await keyOfA(role);
    const violations: Violation[] = [];
    const controls = new Map<string, string>();
    const selection = selectionOf(nodeInterface, 1, { levels: 1, nestedIds: null, now });
    const variants: Variant[] = allIds(b).map((id) => {
      const probe = { literal: literal(id), control: controlOf(literal(id)) };
      const query = `query Sweep { node(id: ${probe.literal}) ${selection} }`;
      return { field: 'node', query, identifying: true, probes: [probe] };
    });
    const ids = `[${allIds(b).map(literal).join(', ')}]`;
    const query = `query Sweep { nodes(ids: ${ids}) ${selection} }`;
    variants.push({ field: 'nodes', query, identifying: true, probes: [{ literal: ids, control: ids }] });
    await sweep(role, key, variants, controls, violations);
    expect(summarize(violations)).toEqual([]);
  });

  it.each(sweepRoles)("gives A's %s nothing of B through any root query field", async (role) => {
    const key = await keyOfA(role);
    const violations: Violation[] = [];
    const controls = new Map<string, string>();
    // node and nodes get every ID of B in the test above; the other fields two IDs per Node type.
    const fields = queryFields.filter(({ name }) => name !== 'node' && name !== 'nodes');
    for (const field of fields)
      await sweep(
        role,
        key,
        variantsFor(field, capped(b, 2), { levels: 1, nestedIds: null, now }),
        controls,
        violations,
      );
    expect(summarize(violations)).toEqual([]);
  });

  it("flags every root field when B's own ADMIN runs the sweep (the detector is not blind)", async () => {
    const violations: Violation[] = [];
    // Reads that record themselves in B's audit trail go last: they move its head, which the
    // markers of verifyAuditTrail's answer were collected from.
    const lastIfSelfAudited = (field: { name: string }) => Number(selfAudited.has(field.name));
    for (const field of [...queryFields].sort((x, y) => lastIfSelfAudited(x) - lastIfSelfAudited(y))) {
      const variants = variantsFor(field, capped(b, 1), { levels: 1, nestedIds: null, now });
      await sweep('B itself', b.keys.ADMIN, variants, null, violations);
    }
    const flagged = new Set(
      violations
        .filter(({ problem }) => problem.startsWith("contains B's") || problem.startsWith('returned data'))
        .map(({ field }) => field),
    );
    const blind = queryFields.map(({ name }) => name).filter((name) => !flagged.has(name));
    expect(blind, "root fields where B's own data went unnoticed").toEqual([]);
  });

  it("shows A's ADMIN its own data through the same queries, deep, with B's keys in nested arguments", async () => {
    const key = await keyOfA('ADMIN');
    const violations: Violation[] = [];
    const found = new Set<string>();
    for (const field of queryFields) {
      // A's identifiers at the root; B's keys in nested arguments (A's subject, B's purpose…).
      const variants = variantsFor(field, capped(a, 1), { levels: deepLevels, nestedIds: b, now });
      const responses = await runBatched(
        key,
        variants.map(({ query }) => query),
      );
      for (const [index, variant] of variants.entries()) {
        const response = responses[index]!;
        const text = JSON.stringify(response.body);
        const report = (problem: string) =>
          violations.push({
            role: 'ADMIN (own data)',
            field: field.name,
            problem,
            query: variant.query,
            response: text,
          });
        const leaked = leakedMarkers(bPatterns, variant.query, text);
        if (leaked.length > 0) report(`contains B's ${leaked.slice(0, 5).join(', ')}`);
        for (const error of response.body.errors ?? [])
          if (error.extensions?.code === 'INTERNAL_SERVER_ERROR')
            report(`error INTERNAL_SERVER_ERROR: ${error.message}`);
        const value = response.body.data?.[field.name];
        // A's data: it names A (its keys, IDs…), or it is a plain result such as verifyAuditTrail.
        const namesA = aPatterns.some((pattern) => text.includes(pattern));
        if (!isEmptyResult(value) && (namesA || nodeIdsIn(value).length === 0)) found.add(field.name);
      }
    }
    expect(summarize(violations)).toEqual([]);
    const unseen = queryFields.map((field) => field.name).filter((name) => !found.has(name));
    expect(unseen, "root fields that never showed A's ADMIN its own data").toEqual([]);
  });
  it("gives A's ADMIN the same deep answers after another tenant writes (no nested field counts across tenants)", async () => {
    // ADMIN sees the most of A. (A REGULATOR key is left out: each of its reads is recorded in
    // A's audit trail, so its own runs change what it reads.)
    const key = await keyOfA('ADMIN');
    // A's identifiers at the root and in nested arguments: every field answers with A's data.
    // Left out for the same reason: reads that record themselves in A's audit trail.
    const variants = queryFields
      .filter((field) => !selfAudited.has(field.name))
      .flatMap((field) => variantsFor(field, capped(a, 1), { levels: deepLevels, nestedIds: a, now }));
    const queries = variants.map(({ query }) => query);
    // Leaves that move with A's own use of its key, throttled, so two runs may or may not see it.
    const ownUse = /\.lastUsedAt$/;
    const answers = async () =>
      (await runBatched(key, queries)).map(
        (response) => new Map([...leavesOf(response.body)].filter(([path]) => !ownUse.test(path))),
      );
    // A's newest version takes effect a minute after seeding: let the clock pass it first, so
    // that the in-force version cannot change between the runs compared below.
    const latest = await t.database.prisma.noticeVersion.aggregate({
      where: { notice: { controllerId: a.controllerId }, status: 'PUBLISHED' },
      _max: { effectiveFrom: true },
    });
    const waitMs = (latest._max.effectiveFrom?.getTime() ?? 0) + 1_000 - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    // Two runs with no write between them show which leaves move on their own (times, request IDs).
    const first = await answers();
    const second = await answers();
    const volatile = first.map((answer, index) => new Set(changedPaths(answer, second[index]!)));
    const changes = (before: Map<string, string>[], after: Map<string, string>[]) =>
      variants.flatMap((variant, index) =>
        changedPaths(before[index]!, after[index]!)
          .filter((path) => !volatile[index]!.has(path))
          .map(
            (path) => `${variant.field}: ${path} ${before[index]!.get(path)} → ${after[index]!.get(path)}`,
          ),
      );

    // Another controller writes a full set of data: keys, purposes, notices, campaigns,
    // notifications, events, responses, manifests, regulator requests, audit entries.
    await seedTenant(t.app, t.database.prisma, 'charlie');
    const afterOther = await answers();
    expect(changes(second, afterOther), "A's answers that changed when another controller wrote").toEqual([]);

    // Control: a write of A's own shows up, so the comparison is not blind.
    await makeKey(t.database.prisma, a.controllerId, 'READER', { name: 'sweep control' });
    const afterOwn = await answers();
    expect(changes(afterOther, afterOwn).length, "A's own new key went unnoticed").toBeGreaterThan(0);
  });
});

import { Prisma } from '../../generated/prisma/client.js';
import { servedTranslation } from './notice.policy.js';

/**
 * The notice read's Prisma selections as one SQL statement returning JSON (ADR 0025): what
 * plugin-prisma asks of `Notice` and `NoticeVersion` — selected columns, the `versions` page, each
 * version's purposes with their pinned revisions and purpose keys — built from constant fragments
 * (ADR 0009) and returned in the shape Prisma returns it. A selection this module does not know
 * (another relation, a cursor, a filter on another column…) compiles to null and the caller reads
 * with Prisma instead.
 */

const sql = Prisma.sql;
type Sql = Prisma.Sql;

/** How a column is compared with a bound value in a filter; null: not filterable here. */
interface Column {
  readonly name: Sql;
  readonly date?: true;
  readonly cast?: Sql;
}
const plain = (name: Sql): Column => ({ name });
const date = (name: Sql): Column => ({ name, date: true, cast: sql`::timestamptz` });
const int = (name: Sql): Column => ({ name, cast: sql`::int` });
const castTo = (name: Sql, cast: Sql): Column => ({ name, cast });

type Columns<Fields extends string> = Readonly<Record<Fields, Column>>;

const noticeColumns: Columns<Prisma.NoticeScalarFieldEnum> = {
  id: plain(sql`"id"`),
  controllerId: plain(sql`"controllerId"`),
  key: plain(sql`"key"`),
  title: plain(sql`"title"`),
  defaultLocale: plain(sql`"defaultLocale"`),
  requiredLocales: plain(sql`"requiredLocales"`),
  publishedCount: int(sql`"publishedCount"`),
  createdAt: date(sql`"createdAt"`),
  archivedAt: date(sql`"archivedAt"`),
};

const versionColumns: Columns<Prisma.NoticeVersionScalarFieldEnum> = {
  id: plain(sql`"id"`),
  controllerId: plain(sql`"controllerId"`),
  noticeId: plain(sql`"noticeId"`),
  status: castTo(sql`"status"`, sql`::"NoticeVersionStatus"`),
  number: int(sql`"number"`),
  changeSummary: plain(sql`"changeSummary"`),
  effectiveFrom: date(sql`"effectiveFrom"`),
  createdAt: date(sql`"createdAt"`),
  updatedAt: date(sql`"updatedAt"`),
  createdByKeyId: plain(sql`"createdByKeyId"`),
  publishedAt: date(sql`"publishedAt"`),
  publishedByKeyId: plain(sql`"publishedByKeyId"`),
  changeMessage: plain(sql`"changeMessage"`),
  contentHash: plain(sql`"contentHash"`),
  canonicalForm: plain(sql`"canonicalForm"`),
  classification: castTo(sql`"classification"`, sql`::"ChangeClass"`),
  classificationReasons: plain(sql`"classificationReasons"`),
  leadTimeOverrideReason: plain(sql`"leadTimeOverrideReason"`),
  retiredAt: date(sql`"retiredAt"`),
  retiredByKeyId: plain(sql`"retiredByKeyId"`),
  controllerIdentity: plain(sql`"controllerIdentity"`),
  minimumNoticeDays: int(sql`"minimumNoticeDays"`),
  wordingSignOff: plain(sql`"wordingSignOff"`),
};

const linkColumns: Columns<Prisma.NoticeVersionPurposeScalarFieldEnum> = {
  versionId: plain(sql`"versionId"`),
  purposeId: plain(sql`"purposeId"`),
  revisionId: plain(sql`"revisionId"`),
  position: int(sql`"position"`),
};

const revisionColumns: Columns<Prisma.PurposeRevisionScalarFieldEnum> = {
  id: plain(sql`"id"`),
  controllerId: plain(sql`"controllerId"`),
  purposeId: plain(sql`"purposeId"`),
  number: int(sql`"number"`),
  createdAt: date(sql`"createdAt"`),
  createdByKeyId: plain(sql`"createdByKeyId"`),
  name: plain(sql`"name"`),
  description: plain(sql`"description"`),
  legalBasis: plain(sql`"legalBasis"`),
  legitimateInterest: plain(sql`"legitimateInterest"`),
  dataCategories: plain(sql`"dataCategories"`),
  specialCategories: plain(sql`"specialCategories"`),
  dataSubjectCategories: plain(sql`"dataSubjectCategories"`),
  dataSources: plain(sql`"dataSources"`),
  publiclyAccessibleSources: plain(sql`"publiclyAccessibleSources"`),
  recipients: plain(sql`"recipients"`),
  retentionPeriodDays: int(sql`"retentionPeriodDays"`),
  retentionCriteria: plain(sql`"retentionCriteria"`),
  transfers: plain(sql`"transfers"`),
  automatedDecisionMaking: plain(sql`"automatedDecisionMaking"`),
  consentValidityDays: int(sql`"consentValidityDays"`),
  explicitConsent: plain(sql`"explicitConsent"`),
  basisChangeJustification: plain(sql`"basisChangeJustification"`),
  objectionMechanism: plain(sql`"objectionMechanism"`),
  legitimateInterestAssessment: plain(sql`"legitimateInterestAssessment"`),
};

const purposeColumns: Columns<Prisma.PurposeScalarFieldEnum> = {
  id: plain(sql`"id"`),
  controllerId: plain(sql`"controllerId"`),
  key: plain(sql`"key"`),
  currentRevision: int(sql`"currentRevision"`),
  createdAt: date(sql`"createdAt"`),
  archivedAt: date(sql`"archivedAt"`),
};

type ModelName = 'Notice' | 'NoticeVersion' | 'NoticeVersionPurpose' | 'PurposeRevision' | 'Purpose';

interface Relation {
  readonly model: ModelName;
  readonly list: boolean;
  readonly as: Sql;
  /** The child rows of a parent row: `child` and `parent` are table aliases. */
  readonly on: (child: Sql, parent: Sql) => Sql;
}

interface Model {
  readonly table: Sql;
  readonly columns: Readonly<Record<string, Column>>;
  readonly relations: Readonly<Record<string, Relation>>;
}

const models: Readonly<Record<ModelName, Model>> = {
  Notice: {
    table: sql`"Notice"`,
    columns: noticeColumns,
    relations: {
      versions: {
        model: 'NoticeVersion',
        list: true,
        as: sql`"versions"`,
        // The notice's controller again: a version states its controller (ADR 0018).
        on: (child, parent) =>
          sql`${child}."noticeId" = ${parent}."id" AND ${child}."controllerId" = ${parent}."controllerId"`,
      },
    },
  },
  NoticeVersion: {
    table: sql`"NoticeVersion"`,
    columns: versionColumns,
    relations: {
      purposes: {
        model: 'NoticeVersionPurpose',
        list: true,
        as: sql`"purposes"`,
        on: (child, parent) => sql`${child}."versionId" = ${parent}."id"`,
      },
      notice: {
        model: 'Notice',
        list: false,
        as: sql`"notice"`,
        on: (child, parent) => sql`${child}."id" = ${parent}."noticeId"`,
      },
    },
  },
  NoticeVersionPurpose: {
    table: sql`"NoticeVersionPurpose"`,
    columns: linkColumns,
    relations: {
      revision: {
        model: 'PurposeRevision',
        list: false,
        as: sql`"revision"`,
        on: (child, parent) => sql`${child}."id" = ${parent}."revisionId"`,
      },
      purpose: {
        model: 'Purpose',
        list: false,
        as: sql`"purpose"`,
        on: (child, parent) => sql`${child}."id" = ${parent}."purposeId"`,
      },
    },
  },
  PurposeRevision: {
    table: sql`"PurposeRevision"`,
    columns: revisionColumns,
    relations: {
      purpose: {
        model: 'Purpose',
        list: false,
        as: sql`"purpose"`,
        on: (child, parent) => sql`${child}."id" = ${parent}."purposeId"`,
      },
    },
  },
  Purpose: { table: sql`"Purpose"`, columns: purposeColumns, relations: {} },
};

/** Table aliases per depth of nesting, and the row aliases beside them. */
const aliases = [sql`a0`, sql`a1`, sql`a2`, sql`a3`, sql`a4`, sql`a5`];
const rowAliases = [sql`r0`, sql`r1`, sql`r2`, sql`r3`, sql`r4`, sql`r5`];

/** Turns the JSON of one record (as parsed) into the record Prisma would return: instants become Dates. */
export type Revive = (record: Record<string, unknown>) => void;

/** A compiled selection: the select list over its table alias, and how to revive its JSON. */
interface Compiled {
  readonly list: Sql;
  readonly revive: Revive;
}

type Selection = { select?: unknown; include?: unknown };
type Args = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * The select list for `selection` of `model` read from `alias` (depth `depth`), or null when the
 * selection asks for something this module does not read.
 */
function compileSelection(modelName: ModelName, selection: Selection, depth: number): Compiled | null {
  const model = models[modelName];
  const alias = aliases[depth]!;
  const { select, include } = selection;
  if (select !== undefined && include !== undefined) return null;
  const scalars: string[] = [];
  const relations: [string, unknown][] = [];
  if (select !== undefined) {
    if (!isObject(select)) return null;
    for (const [field, value] of Object.entries(select)) {
      if (value === false || value === undefined) continue;
      if (field in model.columns) {
        if (value !== true) return null;
        scalars.push(field);
      } else if (field in model.relations) relations.push([field, value]);
      else return null;
    }
  } else {
    scalars.push(...Object.keys(model.columns));
    if (include !== undefined) {
      if (!isObject(include)) return null;
      for (const [field, value] of Object.entries(include)) {
        if (value === false || value === undefined) continue;
        if (!(field in model.relations)) return null;
        relations.push([field, value]);
      }
    }
  }
  const parts: Sql[] = scalars.map((field) => sql`${alias}.${model.columns[field]!.name}`);
  const dates = scalars.filter((field) => model.columns[field]!.date);
  const nested: [string, Revive, boolean][] = [];
  for (const [field, value] of relations) {
    const relation = model.relations[field]!;
    const compiled = compileRelation(relation, value === true ? {} : value, depth);
    if (compiled === null) return null;
    parts.push(sql`(${compiled.list}) AS ${relation.as}`);
    nested.push([field, compiled.revive, relation.list]);
  }
  const revive: Revive = (record) => {
    for (const field of dates) {
      const value = record[field];
      if (typeof value === 'string') record[field] = new Date(value);
    }
    for (const [field, reviveChild, list] of nested) {
      const value = record[field];
      if (list) for (const child of value as Record<string, unknown>[]) reviveChild(child);
      else if (value !== null) reviveChild(value as Record<string, unknown>);
    }
  };
  return { list: parts.length ? Prisma.join(parts, ', ') : sql``, revive };
}

/** A relation's JSON (an array, or an object or null) as a scalar subquery over the parent alias. */
function compileRelation(relation: Relation, value: unknown, depth: number): Compiled | null {
  if (depth + 1 >= aliases.length || !isObject(value)) return null;
  const { select, include, ...args } = value;
  if (!relation.list && Object.keys(args).length > 0) return null;
  const child = aliases[depth + 1]!;
  const row = rowAliases[depth + 1]!;
  const target = models[relation.model];
  const compiled = compileSelection(relation.model, { select, include }, depth + 1);
  if (compiled === null) return null;
  const on = relation.on(child, aliases[depth]!);
  if (!relation.list) {
    return {
      list: sql`SELECT to_json(${row}) FROM (SELECT ${compiled.list} FROM ${target.table} ${child} WHERE ${on}) ${row}`,
      revive: compiled.revive,
    };
  }
  const page = compilePage(target, args, child);
  if (page === null) return null;
  return {
    list: sql`SELECT coalesce(json_agg(to_json(${row})), '[]'::json) FROM (SELECT ${compiled.list} FROM ${target.table} ${child} WHERE ${on} AND ${page}) ${row}`,
    revive: compiled.revive,
  };
}

/**
 * `where`, `orderBy`, `take` and `skip` of a list relation or a root read, as the SQL after
 * `WHERE` (the filter, ORDER BY, LIMIT, OFFSET). A list must be ordered: without `orderBy` its
 * order would be whatever the plan gives, so it is left to Prisma.
 */
function compilePage(model: Model, args: Args, alias: Sql): Sql | null {
  const { where, orderBy, take, skip, ...rest } = args;
  if (Object.keys(rest).length > 0) return null;
  const filter = where === undefined ? sql`TRUE` : compileWhere(model, where, alias);
  const order = compileOrder(model, orderBy, alias);
  if (filter === null || order === null) return null;
  const limit = take === undefined ? sql`` : isCount(take) ? sql` LIMIT ${take}` : null;
  const offset = skip === undefined || skip === 0 ? sql`` : isCount(skip) ? sql` OFFSET ${skip}` : null;
  if (limit === null || offset === null) return null;
  return sql`${filter} ORDER BY ${order}${limit}${offset}`;
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

function compileOrder(model: Model, orderBy: unknown, alias: Sql): Sql | null {
  if (orderBy === undefined) return null;
  const terms = Array.isArray(orderBy) ? orderBy : [orderBy];
  const parts: Sql[] = [];
  for (const term of terms) {
    if (!isObject(term)) return null;
    for (const [field, direction] of Object.entries(term)) {
      const column = model.columns[field];
      if (column === undefined) return null;
      if (direction === 'asc') parts.push(sql`${alias}.${column.name} ASC`);
      else if (direction === 'desc') parts.push(sql`${alias}.${column.name} DESC`);
      else return null;
    }
  }
  return parts.length ? Prisma.join(parts, ', ') : null;
}

const comparisons: Readonly<Record<string, Sql>> = {
  equals: sql`=`,
  lt: sql`<`,
  lte: sql`<=`,
  gt: sql`>`,
  gte: sql`>=`,
};

/**
 * A Prisma filter on the model's own columns: equality with a value or null, `not: null`,
 * `equals`/`lt`/`lte`/`gt`/`gte` on columns with a cast (numbers, instants, enums), AND of
 * fields and `OR`/`AND` lists. Anything else is null.
 */
function compileWhere(model: Model, where: unknown, alias: Sql): Sql | null {
  if (!isObject(where)) return null;
  const conditions: Sql[] = [];
  for (const [field, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (field === 'OR' || field === 'AND') {
      if (!Array.isArray(value) || value.length === 0) return null;
      const parts = value.map((part) => compileWhere(model, part, alias));
      if (parts.some((part) => part === null)) return null;
      conditions.push(sql`(${Prisma.join(parts as Sql[], field === 'OR' ? ' OR ' : ' AND ')})`);
      continue;
    }
    const column = model.columns[field];
    if (column === undefined) return null;
    const ref = sql`${alias}.${column.name}`;
    if (value === null) {
      conditions.push(sql`${ref} IS NULL`);
      continue;
    }
    const operators = isObject(value) ? value : { equals: value };
    for (const [operator, operand] of Object.entries(operators)) {
      if (operand === undefined) continue;
      if (operator === 'not' && operand === null) conditions.push(sql`${ref} IS NOT NULL`);
      else if (operator === 'equals' && operand === null) conditions.push(sql`${ref} IS NULL`);
      else {
        const comparison = comparisons[operator];
        const bound = boundValue(column, operand);
        if (comparison === undefined || bound === null) return null;
        conditions.push(sql`${ref} ${comparison} ${bound}`);
      }
    }
  }
  return conditions.length ? sql`(${Prisma.join(conditions, ' AND ')})` : sql`TRUE`;
}

function boundValue(column: Column, value: unknown): Sql | null {
  if (column.cast === undefined) return null;
  if (column.date) return value instanceof Date ? sql`${value.toISOString()}${column.cast}` : null;
  if (typeof value === 'number' || typeof value === 'string') return sql`${value}${column.cast}`;
  return null;
}

let enabled = true;

/**
 * Turns the statements of this module off (every selection then compiles to null and is read by
 * Prisma) or on again: for the tests that compare both paths' answers.
 */
export function useNoticeReadStatements(on: boolean): void {
  enabled = on;
}

/**
 * Compiled root selections by their JSON: a query's selection depends only on the GraphQL
 * document, so the few shapes a client sends are compiled once. Bounded: emptied when full.
 */
const compiledSelections = new Map<string, Compiled | null>();
const maxCompiledSelections = 500;

function compileRoot(model: ModelName, selection: Selection): Compiled | null {
  if (!enabled) return null;
  const key = `${model} ${JSON.stringify(selection)}`;
  let compiled = compiledSelections.get(key);
  if (compiled === undefined) {
    compiled = compileSelection(model, selection, 0);
    if (compiledSelections.size >= maxCompiledSelections) compiledSelections.clear();
    compiledSelections.set(key, compiled);
  }
  return compiled;
}

/** A statement whose rows carry the JSON of one record each in "row" (null for none). */
export interface RecordQuery {
  readonly sql: Sql;
  readonly revive: Revive;
}

/** Runs a statement of this module: its records as Prisma would have returned them, null for none. */
export async function readRecords(
  prisma: { $queryRaw<T>(query: Sql): Promise<T> },
  query: RecordQuery,
): Promise<(Record<string, unknown> | null)[]> {
  const rows = await prisma.$queryRaw<{ row: Record<string, unknown> | null }[]>(query.sql);
  return rows.map(({ row }) => {
    if (row !== null) query.revive(row);
    return row;
  });
}

/**
 * The notice by key, with what `selection` asks for beneath it, in one statement; null when the
 * selection is not one this module reads.
 */
export function noticeByKeyQuery(
  controllerId: string,
  key: string,
  selection: Selection,
): RecordQuery | null {
  const compiled = compileRoot('Notice', selection);
  if (compiled === null) return null;
  const [notice, row] = [aliases[0]!, rowAliases[0]!];
  return {
    sql: sql`SELECT (SELECT to_json(${row}) FROM (SELECT ${compiled.list} FROM "Notice" ${notice}
      WHERE ${notice}."controllerId" = ${controllerId}::uuid AND ${notice}."key" = ${key}) ${row}) AS "row"`,
    revive: compiled.revive,
  };
}

/** Asks a version read to carry the text served for this requested locale (null: the default). */
export interface WithServedText {
  readonly requestedLocale: string | null;
}

/**
 * For each notice, the first of its versions matching `where` by `orderBy`, with what `selection`
 * asks for, in one statement (a LATERAL probe per notice); rows in the order of `noticeIds`. With
 * `text`, each record also carries `servedText`: the served translation's locale, title, body and
 * rank (`servedTranslation`), null for a version without translations.
 */
export function firstVersionsQuery(
  controllerId: string,
  noticeIds: readonly string[],
  find: { readonly where: unknown; readonly orderBy?: unknown },
  selection: Selection,
  text?: WithServedText,
): RecordQuery | null {
  const compiled = compileRoot('NoticeVersion', selection);
  const model = models.NoticeVersion;
  const version = aliases[0]!;
  const page = compilePage(
    model,
    { where: find.where, orderBy: find.orderBy ?? { id: 'asc' }, take: 1 },
    version,
  );
  if (compiled === null || page === null) return null;
  const row = rowAliases[0]!;
  const served =
    text === undefined
      ? Prisma.empty
      : sql`, (SELECT json_build_object('locale', t."locale", 'title', t."title", 'body', t."body", 'rank', pick.rank)
          FROM ${servedTranslation(
            sql`${version}."id"`,
            sql`${text.requestedLocale}::text`,
            sql`(SELECT n."defaultLocale" FROM "Notice" n WHERE n."id" = k.id)`,
          )} pick
          JOIN "NoticeTranslation" t ON t."id" = pick."id") AS "servedText"`;
  return {
    sql: sql`SELECT (SELECT to_json(${row}) FROM (SELECT ${compiled.list} ${served} FROM "NoticeVersion" ${version}
      WHERE ${version}."noticeId" = k.id AND ${version}."controllerId" = ${controllerId}::uuid AND ${page}) ${row}) AS "row"
      FROM unnest(${[...noticeIds]}::uuid[]) WITH ORDINALITY AS k(id, position) ORDER BY k.position`,
    revive: compiled.revive,
  };
}

import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Database } from '../../db/database.js';
import { revisionFromJson, subjectFromJson, versionFromJson } from '../../db/json-records.js';
import { selectsColumnsOnly } from '../../db/row-selection.js';
import { NotFoundError } from '../../domain/errors.js';
import {
  type EligibilityManifest,
  type Notification,
  type NotificationEvent,
  Prisma,
  type Purpose,
  type PurposeRevision,
  type Response,
  type Subject,
} from '../../generated/prisma/client.js';
import { isUuid, nilUuid } from '../../lib/uuid.js';
import { countEligibilityDecision } from '../../metrics/registry-counters.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import type { ChangeClass } from '../notice/change-class.js';
import { type FixedVersionColumns, publishedVersionRows } from '../notice/published-version-rows.js';
import {
  answeredByVersionRow,
  asAnsweredVersion,
  type VersionFromFacts,
  type VersionQuery,
  type VersionWithNoticeKey,
} from '../notice/version-from-facts.js';
import type { SubjectLookahead } from '../subject/subject-lookahead.js';
import {
  type Eligibility,
  type EligibilitySettings,
  type PurposeContext,
  purposeContext,
} from './eligibility.facts.js';
import { decideEligibility } from './eligibility.policy.js';
import {
  controllerSettings,
  type StoredSettings,
  settingsFromStore,
  settingsToStore,
  storedSettings,
} from './eligibility.settings.js';
import {
  eligibleInRange,
  emptySetHash,
  type ReachRead,
  rangePlanSettings,
  subjectRanges,
} from './eligibility.sql.js';
import { type PurposeRules, purposeRules } from './purpose-rules.js';
import {
  type SubjectFactsRow,
  subjectFactsQuery,
  subjectRecords,
  versionRowFromJson,
} from './subject-facts.js';

type Query<I, S> = { include?: I; select?: S };

const revisionColumns = new Set<string>(Object.values(Prisma.PurposeRevisionScalarFieldEnum));

/** A decision with the records behind it, ready for the schema. */
export interface EligibilityView extends Eligibility {
  readonly at: Date;
  readonly purposeKey: string;
  readonly records: {
    readonly notification: Notification | null;
    readonly event: NotificationEvent | null;
    readonly response: Response | null;
  };
  /** The records the transparency finding names. */
  readonly transparencyRecords: {
    readonly notification: Notification | null;
    readonly event: NotificationEvent | null;
  };
}

export interface EligibleSet {
  readonly eligible: number;
  readonly setHash: string;
  /** The settings the decision used. */
  readonly settings: StoredSettings;
}

export interface ManifestVerification {
  readonly manifest: EligibilityManifest;
  readonly recomputedCount: number;
  readonly recomputedHash: string;
  readonly matches: boolean;
}

/** How a manifest is split and read. */
export interface ManifestChunking {
  /** The most subjects a range holds (about): it bounds a statement's time and memory. */
  readonly subjectsPerRange: number;
  /** Ranges run at once (connections the manifest holds). */
  readonly inFlight: number;
  /** From this many subjects on, at least `inFlight` ranges run; below it, one statement. */
  readonly splitFrom: number;
  /** How a range finds its notifications' reach. */
  readonly reach: ReachRead;
}

/**
 * Embedded PGlite runs one statement at a time, in this process: short ranges, one at a time, so
 * other requests (and the event loop) get their turn between them, each probing the events of its
 * own notifications. A PostgreSQL server has a pool and cores: as few ranges as keep both cores
 * busy, each joining its notifications with the controller's reach-capable events in one hash
 * join, which reads those events once per range (ADR 0048). A range of 2,500,000 subjects stays
 * well inside the statement timeout.
 */
export const manifestChunking: Record<Database['kind'], ManifestChunking> = {
  embedded: { subjectsPerRange: 10_000, inFlight: 1, splitFrom: 10_001, reach: 'probe' },
  postgres: { subjectsPerRange: 2_500_000, inFlight: 2, splitFrom: 20_000, reach: 'join' },
};

/**
 * How many ranges a manifest over `subjects` runs: one below `splitFrom`; else none larger than
 * `subjectsPerRange`, at least `inFlight`, and a multiple of `inFlight`, so that no range runs
 * alone at the end while the other connections wait (on PostgreSQL 1,000,001 subjects run as 2
 * ranges, 5,000,001 as 4).
 */
export function manifestRangeCount(
  subjects: number,
  { subjectsPerRange, inFlight, splitFrom }: Omit<ManifestChunking, 'reach'>,
): number {
  if (subjects < splitFrom) return 1;
  const needed = Math.max(inFlight, Math.ceil(subjects / subjectsPerRange));
  return Math.ceil(needed / inFlight) * inFlight;
}

/** For long work: the request's signal (stop at the next range once it aborts), and progress per range. */
export interface LongWorkOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export class EligibilityService {
  /** The default instant of a request: one for every subject it asks about, so they batch. */
  private readonly now = new Date();
  private readonly loaders = new Map<string, DataLoader<string, EligibilityView>>();
  /** The notice versions a page of results names, loaded together. */
  private versionLoader: DataLoader<string, VersionWithNoticeKey | null> | null = null;
  /** Versions and revisions read with a batch of decisions, which their evidence may name. */
  private readonly primed = {
    /** Without their canonical form: they answer only selections `answeredByVersionRow` accepts. */
    versions: new Map<string, VersionWithNoticeKey>(),
    /** Versions read without their row, which the process remembers: made whole when asked for. */
    read: new Map<string, SubjectFactsRow['versions'][number]>(),
    revisions: new Map<string, PurposeRevision>(),
  };

  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly chunking: ManifestChunking = manifestChunking[database.kind],
  ) {}

  private get prisma() {
    return this.database.prisma;
  }

  /** The published version rows this process remembers (ADR 0053). */
  private get versionRows() {
    return publishedVersionRows(this.database);
  }

  /** The viewer's remembered version rows: a lookup statement is told their IDs and need not read them. */
  private rememberedVersions(): ReadonlyMap<string, FixedVersionColumns> {
    return this.versionRows.rowsOf(this.viewer.controllerId);
  }

  private async purposeByKey(key: string): Promise<Purpose> {
    const purpose = await this.prisma.purpose.findUnique({
      where: { controllerId_key: { controllerId: this.viewer.controllerId, key } },
    });
    if (purpose === null) throw new NotFoundError('Purpose', key);
    return purpose;
  }

  /**
   * The purpose-level facts at `at`. With `knownAt`, only what had been recorded by then counts
   * (versions published, retirements, revisions, archiving), so a manifest can be recomputed.
   * `settings` replaces the controller's current settings (a manifest's stored ones).
   */
  private async context(
    purpose: Purpose,
    at: Date,
    knownAt: Date | null,
    settings: EligibilitySettings | null = null,
  ): Promise<PurposeContext> {
    const known = (date: Date | null) =>
      date !== null && (knownAt === null || date <= knownAt) ? date : null;
    const revisionCutoff = knownAt !== null && knownAt < at ? knownAt : at;
    const [revisions, controller, versions] = await Promise.all([
      this.prisma.purposeRevision.findMany({
        where: { purposeId: purpose.id, createdAt: { lte: revisionCutoff } },
        orderBy: { number: 'asc' },
        select: { id: true, number: true, createdAt: true, legalBasis: true, consentValidityDays: true },
      }),
      settings
        ? Promise.resolve(null)
        : this.prisma.controller.findUniqueOrThrow({
            where: { id: this.viewer.controllerId },
            select: { minimumNoticeDays: true, reachEvidence: true },
          }),
      this.prisma.noticeVersion.findMany({
        where: {
          controllerId: this.viewer.controllerId,
          number: { not: null },
          ...(knownAt ? { publishedAt: { lte: knownAt } } : {}),
          notice: {
            versions: { some: { number: { not: null }, purposes: { some: { purposeId: purpose.id } } } },
          },
        },
        select: {
          id: true,
          noticeId: true,
          number: true,
          effectiveFrom: true,
          publishedAt: true,
          retiredAt: true,
          classification: true,
          classificationReasons: true,
          minimumNoticeDays: true,
          notice: { select: { key: true } },
          purposes: {
            where: { purposeId: purpose.id },
            select: { revisionId: true },
          },
        },
      }),
    ]);
    return purposeContext(
      purpose,
      at,
      known,
      revisions,
      settings ?? controllerSettings(controller!),
      versions.map(({ notice, purposes, ...version }) => ({
        ...version,
        noticeKey: notice.key,
        number: version.number!,
        publishedAt: version.publishedAt!,
        classification: version.classification as ChangeClass | null,
        revisionId: purposes[0]?.revisionId ?? null,
      })),
    );
  }

  /** A purpose nobody was ever told about (in a published version) is not a purpose one can ask about. */
  private requirePublished(context: PurposeContext): void {
    if (!context.versions.some((version) => version.pinned !== null)) {
      throw new NotFoundError('Purpose', `${context.purposeKey} in a published notice version`);
    }
  }

  /** Eligibility of one subject; subjects asked about in one request for the same purpose and instant are decided together. */
  forSubject(subjectId: string, purposeKey: string, at: Date | null): Promise<EligibilityView> {
    return this.loaderFor(purposeKey, at ?? this.now).load(subjectId);
  }

  private loaderFor(purposeKey: string, instant: Date): DataLoader<string, EligibilityView> {
    const key = `${purposeKey}\u0000${instant.toISOString()}`;
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader((subjectIds: readonly string[]) =>
        this.decideMany(subjectIds, purposeKey, instant),
      );
      this.loaders.set(key, loader);
    }
    return loader;
  }

  /**
   * A subject by its reference hash together with the facts of the one eligibility question its
   * selection asks, in one statement (subject-facts.ts); the decision waits for its field
   * (`forSubject`), decided exactly as that field alone would decide it — a NotFoundError included.
   */
  async subjectWithDecision(
    refHash: string,
    lookup: Extract<SubjectLookahead, { kind: 'eligibility' }>,
  ): Promise<Subject | null> {
    const instant = lookup.at ?? this.now;
    const remembered = this.rememberedVersions();
    const [row] = await this.prisma.$queryRaw<SubjectFactsRow[]>(
      subjectFactsQuery(this.viewer.controllerId, lookup.purposeKey, instant, { refHash }, [
        ...remembered.keys(),
      ]),
    );
    const found = row?.subjects[0]?.row;
    if (row === undefined || found === undefined) return null;
    const subject = subjectFromJson(found);
    let decided: EligibilityView | Error;
    try {
      [decided] = this.decide(row, remembered, [subject.id], lookup.purposeKey, instant) as [EligibilityView];
    } catch (error) {
      decided = error instanceof Error ? error : new Error(String(error));
    }
    this.loaderFor(lookup.purposeKey, instant).prime(subject.id, decided);
    return subject;
  }

  /**
   * Decides for a batch of subjects from one statement (subject-facts.sql.ts) that reads the
   * purpose-level facts and every subject's records together; the versions and the revision the
   * answers may name come with it, so that resolving the evidence needs no further statement.
   */
  private async decideMany(
    subjectIds: readonly string[],
    purposeKey: string,
    at: Date,
  ): Promise<EligibilityView[]> {
    const ids = [...subjectIds];
    const remembered = this.rememberedVersions();
    const [row] = await this.prisma.$queryRaw<SubjectFactsRow[]>(
      subjectFactsQuery(this.viewer.controllerId, purposeKey, at, ids, [...remembered.keys()]),
    );
    return this.decide(row, remembered, ids, purposeKey, at);
  }

  /**
   * A version the statement read, for the evidence that may name it: its whole row (but its
   * canonical form) when the statement returned it, which the process then remembers; otherwise
   * the columns that may change, made whole from the remembered row only when a field asks.
   */
  private primeVersion(version: SubjectFactsRow['versions'][number]): void {
    const id = version.id as string;
    if (!version.row) {
      this.primed.read.set(id, version);
      return;
    }
    const whole = versionFromJson(version.row);
    this.versionRows.remember(this.viewer.controllerId, whole);
    this.primed.versions.set(id, asAnsweredVersion(whole, version.noticeKey));
  }

  /** A version primed by a decision, made whole from the remembered row when needed; undefined when neither. */
  private primedVersion(id: string): VersionWithNoticeKey | undefined {
    const primed = this.primed.versions.get(id);
    const read = primed === undefined ? this.primed.read.get(id) : undefined;
    if (read === undefined) return primed;
    const whole = this.versionRows.row(this.viewer.controllerId, id, {
      status: read.status as VersionFromFacts['status'],
      retiredAt: read.retiredAt === null ? null : new Date(read.retiredAt as string),
      retiredByKeyId: read.retiredByKeyId as string | null,
      updatedAt: new Date(read.updatedAt as string),
    });
    if (whole === undefined) return undefined;
    const answered = asAnsweredVersion(whole, read.noticeKey);
    this.primed.versions.set(id, answered);
    return answered;
  }

  /** The decisions of one `subjectFactsQuery` row, told the `remembered` rows' IDs, in the order of `ids`. */
  private decide(
    row: SubjectFactsRow | undefined,
    remembered: ReadonlyMap<string, FixedVersionColumns>,
    ids: readonly string[],
    purposeKey: string,
    at: Date,
  ): EligibilityView[] {
    if (!row?.purpose) throw new NotFoundError('Purpose', purposeKey);
    const revisions = row.revisions.map(revisionFromJson);
    for (const revision of revisions) this.primed.revisions.set(revision.id, revision);
    const versions = row.versions.map((version) => {
      this.primeVersion(version);
      return versionRowFromJson(version, remembered);
    });
    const context = purposeContext(
      { ...row.purpose, archivedAt: row.purpose.archivedAt ? new Date(row.purpose.archivedAt) : null },
      at,
      (date) => date,
      revisions,
      controllerSettings(row),
      versions,
    );
    this.requirePublished(context);
    const rules = purposeRules(context);
    const records = new Map(
      row.subjects.map((subject) => [subject.id, subjectRecords(subject, context, rules)]),
    );
    return ids.map((subjectId) => {
      const { erasedAt = null, responses = [], notifications: own = [] } = records.get(subjectId) ?? {};
      const facts = { erasedAt, responses, notifications: own };
      const decision = decideEligibility(context, rules, facts);
      countEligibilityDecision(decision.decision);
      const { notificationId, eventId, responseId } = decision.evidence;
      const notification = (id: string | null | undefined) =>
        own.find((candidate) => candidate.id === id) ?? null;
      const event = (id: string | null | undefined) =>
        (id && own.flatMap((candidate) => candidate.events).find((candidate) => candidate.id === id)) || null;
      return {
        ...decision,
        at,
        purposeKey,
        records: {
          notification: notification(notificationId),
          event: event(eventId),
          response: responses.find((response) => response.id === responseId) ?? null,
        },
        transparencyRecords: {
          notification: notification(decision.transparency?.notificationId),
          event: event(decision.transparency?.eventId),
        },
      };
    });
  }

  /**
   * The eligible set, counted and hashed range by range of subject IDs: one short statement per
   * range, a few in flight, so that other requests interleave (on embedded PGlite, between
   * ranges) and every statement stays within the statement timeout. All ranges read the records
   * as known at `knownAt`, so they add up to the set one statement would give.
   */
  private async eligibleSet(
    context: PurposeContext,
    knownAt: Date,
    options: LongWorkOptions = {},
  ): Promise<EligibleSet> {
    const rules = purposeRules(context);
    const settings = settingsToStore(context.settings, rules);
    const chunks = await this.eligibleChunks(context, rules, knownAt, options);
    const hash = createHash('sha256');
    let eligible = 0;
    for (const chunk of chunks) {
      if (chunk.eligible === 0) continue;
      if (eligible > 0) hash.update('\n');
      hash.update(chunk.ids);
      eligible += chunk.eligible;
    }
    return { eligible, setHash: eligible === 0 ? emptySetHash : hash.digest('hex'), settings };
  }

  private async eligibleChunks(
    context: PurposeContext,
    rules: PurposeRules,
    knownAt: Date,
    { signal, onProgress }: LongWorkOptions,
  ): Promise<{ eligible: number; ids: string }[]> {
    const statement = eligibleInRange(this.viewer.controllerId, context, rules, knownAt);
    if (statement === null) return [];
    const [subjects] = await this.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS "count" FROM "Subject" WHERE "controllerId" = ${this.viewer.controllerId}::uuid`;
    const ranges = subjectRanges(manifestRangeCount(Number(subjects!.count), this.chunking));
    const results: { eligible: number; ids: string }[] = new Array(ranges.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < ranges.length) {
        signal?.throwIfAborted();
        const index = next++;
        // The statement timeout (PostgreSQL) or the range size (PGlite) bounds the statement, not
        // the client's transaction timer.
        const [, [row]] = await this.prisma.$transaction(
          [
            this.prisma.$executeRaw(rangePlanSettings(this.chunking.reach)),
            this.prisma.$queryRaw<{ eligible: number; ids: string }[]>(
              statement(ranges[index]!, this.chunking.reach),
            ),
          ],
          { maxWait: 30_000, timeout: 600_000 },
        );
        results[index] = { eligible: Number(row!.eligible), ids: row!.ids };
        onProgress?.(++done, ranges.length);
        // Embedded PGlite runs a statement on this thread: let waiting requests take a turn
        // before the next range is queued.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.chunking.inFlight, ranges.length) }, worker));
    return results;
  }

  /** The eligible subject IDs themselves, in hash order (for checks and exports). */
  async eligibleSubjectIds(
    purposeKey: string,
    at: Date,
    knownAt: Date,
    options: LongWorkOptions = {},
  ): Promise<string[]> {
    const purpose = await this.purposeByKey(purposeKey);
    const context = await this.context(purpose, at, knownAt);
    const chunks = await this.eligibleChunks(context, purposeRules(context), knownAt, options);
    return chunks.flatMap((chunk) => (chunk.eligible === 0 ? [] : chunk.ids.split('\n')));
  }

  /**
   * Stores the count and hash of the subjects eligible at `at`, as known now: the database clock
   * (to the millisecond) is the cut-off for records and becomes the manifest's `createdAt`. The
   * settings the decision used (reach evidence per channel, lead times) are stored with it.
   */
  async createManifest(
    purposeKey: string,
    at: Date | null,
    options: LongWorkOptions = {},
  ): Promise<EligibilityManifest> {
    const purpose = await this.purposeByKey(purposeKey);
    const [clock] = await this.prisma.$queryRaw<{ knownAt: Date | string }[]>`
      SELECT clock_timestamp()::timestamptz(3) AS "knownAt"`;
    const knownAt = new Date(clock!.knownAt);
    const instant = at ?? knownAt;
    const context = await this.context(purpose, instant, knownAt);
    this.requirePublished(context);
    const set = await this.eligibleSet(context, knownAt, options);
    options.signal?.throwIfAborted();
    return this.prisma.$transaction(async (tx) => {
      const manifest = await tx.eligibilityManifest.create({
        data: {
          controllerId: this.viewer.controllerId,
          purposeId: purpose.id,
          at: instant,
          eligible: set.eligible,
          setHash: set.setHash,
          createdAt: knownAt,
          apiKeyId: this.viewer.apiKeyId,
          settings: set.settings as unknown as Prisma.InputJsonValue,
        },
      });
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'eligibilityManifest:create',
        targetType: 'EligibilityManifest',
        targetId: manifest.id,
        details: { purposeKey, at: instant.toISOString(), eligible: set.eligible, setHash: set.setHash },
      });
      return manifest;
    });
  }

  manifest(id: string, query: { select?: Prisma.EligibilityManifestSelect } = {}) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.eligibilityManifest.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  /**
   * Recomputes a manifest from the records as they are now, with its instant, its cut-off and
   * the settings stored with it (the controller's current ones only for a manifest stored without).
   */
  async verifyManifest(id: string | null, options: LongWorkOptions = {}): Promise<ManifestVerification> {
    const manifest = id === null ? null : await this.manifest(id);
    if (manifest === null) throw new NotFoundError('EligibilityManifest', id ?? '');
    const purpose = await this.prisma.purpose.findFirstOrThrow({
      where: { id: manifest.purposeId, controllerId: this.viewer.controllerId },
    });
    const stored = storedSettings(manifest.settings);
    const context = await this.context(
      purpose,
      manifest.at,
      manifest.createdAt,
      stored && settingsFromStore(stored),
    );
    const set = await this.eligibleSet(context, manifest.createdAt, options);
    return {
      manifest,
      recomputedCount: set.eligible,
      recomputedHash: set.setHash,
      matches: set.eligible === manifest.eligible && set.setHash === manifest.setHash,
    };
  }

  /** A version by ID, every column; null for none. Batched per request. */
  version(id: string | null): Promise<VersionWithNoticeKey | null> {
    if (id === null) return Promise.resolve(null);
    this.versionLoader ??= new DataLoader(async (ids: readonly string[]) => {
      const rows = await this.prisma.noticeVersion.findMany({
        where: { id: { in: [...ids] }, controllerId: this.viewer.controllerId },
        include: { notice: { select: { key: true } } },
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((versionId) => byId.get(versionId) ?? null);
    });
    return this.versionLoader.load(id);
  }

  /**
   * A version by ID (evidence or transparency finding) with the selection a client makes of it:
   * from what the decision's statement read when that answers it.
   */
  async versionFor(id: string | null, query: VersionQuery) {
    // Read the query first, also for no version: plugin-prisma checks that a resolver uses it.
    const answered = answeredByVersionRow(query);
    if (id === null) return null;
    if (answered) return this.primedVersion(id) ?? this.version(id);
    return this.prisma.noticeVersion.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  purposeById(id: string, query: Query<Prisma.PurposeInclude, Prisma.PurposeSelect> = {}) {
    return this.prisma.purpose.findFirst({ ...query, where: { id, controllerId: this.viewer.controllerId } });
  }

  /** Evidence by ID; null for none. The query is read either way (plugin-prisma checks it is used). */
  revision(
    id: string | null,
    query: Query<Prisma.PurposeRevisionInclude, Prisma.PurposeRevisionSelect> = {},
  ) {
    const args = { ...query, where: { id: id ?? nilUuid, controllerId: this.viewer.controllerId } };
    const primed =
      id === null || !selectsColumnsOnly(query, revisionColumns) ? undefined : this.primed.revisions.get(id);
    if (primed) return Promise.resolve(primed);
    return id === null ? Promise.resolve(null) : this.prisma.purposeRevision.findFirst(args);
  }
}

import DataLoader from 'dataloader';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/prisma-errors.js';
import { ConflictError, NotFoundError, validationFailed } from '../../domain/errors.js';
import type { Campaign, Prisma } from '../../generated/prisma/client.js';
import { isUuid } from '../../lib/uuid.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { channels } from '../notification/notification.validation.js';
import { type ReachEvidence, reachEvidence } from '../notification/reach.policy.js';
import { type Channel, canonicalChannels, createCampaignSchema } from './campaign.validation.js';
import { type NotReachedEntry, notReachedPage, type SubjectIdPage } from './not-reached.js';

type CampaignQuery = { include?: Prisma.CampaignInclude; select?: Prisma.CampaignSelect };
type SubjectPageQuery = {
  include?: Prisma.SubjectInclude;
  select?: Prisma.SubjectSelect;
  take?: number;
  skip?: number;
  cursor?: Prisma.SubjectWhereUniqueInput;
};

/** What the counters say, for the whole campaign or one channel, country or day. */
export interface CampaignCounts {
  recorded: number;
  sent: number;
  delivered: number;
  bouncedOrFailed: number;
  opened: number;
  acknowledged: number;
}

export interface CampaignTotals extends CampaignCounts {
  /** Distinct subjects who objected in answer to the campaign's version (version-level). */
  readonly objected: number;
}

export interface CampaignFigures {
  readonly total: CampaignTotals;
  readonly byChannel: readonly { readonly channel: Channel; readonly totals: CampaignCounts }[];
  readonly byCountry: readonly { readonly country: string; readonly totals: CampaignCounts }[];
  readonly byDay: readonly { readonly day: string; readonly totals: CampaignCounts }[];
}

export interface CounterRow {
  readonly metric: string;
  readonly channel: string;
  readonly country: string;
  readonly day: Date;
  readonly count: bigint | number;
}

/** Counter metrics (see notification/campaign-counters.ts) and the figure each adds to. */
const metricFigure: Readonly<Record<string, keyof CampaignCounts>> = {
  RECORDED: 'recorded',
  SENT: 'sent',
  DELIVERED: 'delivered',
  BOUNCED: 'bouncedOrFailed',
  FAILED: 'bouncedOrFailed',
  OPENED: 'opened',
  ACKNOWLEDGED: 'acknowledged',
};

const noCounts = (): CampaignCounts => ({
  recorded: 0,
  sent: 0,
  delivered: 0,
  bouncedOrFailed: 0,
  opened: 0,
  acknowledged: 0,
});

/**
 * Groups counter rows in memory: the rows are one per (metric, channel, country, day), so their
 * number depends on the campaign's spread, never on how many notifications it has.
 */
export function campaignFigures(
  rows: readonly CounterRow[],
  plannedChannels: readonly Channel[],
  objected: number,
): CampaignFigures {
  const total = noCounts();
  const byChannel = new Map<Channel, CampaignCounts>(plannedChannels.map((channel) => [channel, noCounts()]));
  const byCountry = new Map<string, CampaignCounts>();
  const byDay = new Map<string, CampaignCounts>();
  const bucket = <K>(map: Map<K, CampaignCounts>, key: K) => {
    const counts = map.get(key) ?? noCounts();
    map.set(key, counts);
    return counts;
  };
  for (const row of rows) {
    const figure = metricFigure[row.metric];
    if (!figure) continue;
    const count = Number(row.count);
    total[figure] += count;
    bucket(byChannel, row.channel as Channel)[figure] += count;
    bucket(byCountry, row.country)[figure] += count;
    bucket(byDay, row.day.toISOString().slice(0, 10))[figure] += count;
  }
  const sorted = <K extends string>(map: Map<K, CampaignCounts>, order: (a: K, b: K) => number) =>
    [...map.entries()].sort(([a], [b]) => order(a, b));
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    total: { ...total, objected },
    byChannel: sorted(byChannel, (a, b) => channels.indexOf(a) - channels.indexOf(b)).map(
      ([channel, totals]) => ({
        channel,
        totals,
      }),
    ),
    byCountry: sorted(byCountry, byKey).map(([country, totals]) => ({ country, totals })),
    byDay: sorted(byDay, byKey).map(([day, totals]) => ({ day, totals })),
  };
}

type FiguresKey = Pick<Campaign, 'id' | 'versionId' | 'channels'>;

export class CampaignService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  private get prisma() {
    return this.database.prisma;
  }

  /**
   * Creates a campaign for a published version. Retry-safe: the same name with the same content
   * returns the existing campaign; the same name with other content is a conflict.
   */
  async create(input: unknown, now = new Date()): Promise<Campaign> {
    const parsed = createCampaignSchema.safeParse(input);
    if (!parsed.success) throw validationFailed(parsed.error.issues);
    const data = parsed.data;
    const version = await this.prisma.noticeVersion.findFirst({
      where: {
        controllerId: this.viewer.controllerId,
        number: data.versionNumber,
        notice: { key: data.noticeKey },
      },
      select: { id: true },
    });
    if (version === null)
      throw new NotFoundError('NoticeVersion', `${data.noticeKey} #${data.versionNumber}`);
    const wanted = {
      controllerId: this.viewer.controllerId,
      versionId: version.id,
      name: data.name,
      channels: canonicalChannels(data.channels),
      audienceDescription: data.audienceDescription,
      plannedSize: data.plannedSize,
    };
    const existing = await this.byName(data.name);
    if (existing) return sameOrConflict(existing, wanted);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const campaign = await tx.campaign.create({ data: { ...wanted, createdAt: now } });
        await appendAudit(
          tx,
          actorOf(this.viewer),
          {
            action: 'campaign:create',
            targetType: 'Campaign',
            targetId: campaign.id,
            details: {
              name: campaign.name,
              versionId: campaign.versionId,
              plannedSize: campaign.plannedSize,
            },
          },
          now,
        );
        return campaign;
      });
    } catch (error) {
      // A concurrent create of the same name won the race: decide as for a retry.
      const raced = isUniqueViolation(error) ? await this.byName(data.name) : null;
      if (raced === null) throw error;
      return sameOrConflict(raced, wanted);
    }
  }

  private byName(name: string) {
    return this.prisma.campaign.findUnique({
      where: { controllerId_name: { controllerId: this.viewer.controllerId, name } },
    });
  }

  byId(id: string, query: CampaignQuery = {}) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.campaign.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  /** The controller's campaigns, newest first. */
  list(query: CampaignQuery = {}) {
    return this.prisma.campaign.findMany({
      ...query,
      where: { controllerId: this.viewer.controllerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  private figuresLoader: DataLoader<FiguresKey, CampaignFigures, string> | null = null;

  /** Live figures, batched: two statements for every campaign a request resolves. */
  figures(campaign: FiguresKey): Promise<CampaignFigures> {
    this.figuresLoader ??= new DataLoader((campaigns) => this.loadFigures(campaigns), {
      cacheKeyFn: (key) => key.id,
    });
    return this.figuresLoader.load(campaign);
  }

  private async loadFigures(campaigns: readonly FiguresKey[]): Promise<CampaignFigures[]> {
    const versionIds = [...new Set(campaigns.map((campaign) => campaign.versionId))];
    const [counters, objections] = await Promise.all([
      this.prisma.campaignCounter.findMany({
        where: { campaignId: { in: campaigns.map((campaign) => campaign.id) } },
        select: { campaignId: true, metric: true, channel: true, country: true, day: true, count: true },
      }),
      this.prisma.$queryRaw<{ versionId: string; objected: number }[]>`
        SELECT r."versionId"::text AS "versionId", count(DISTINCT r."subjectId")::int AS objected
        FROM "Response" r
        WHERE r."controllerId" = ${this.viewer.controllerId}::uuid AND r."versionId" = ANY(${versionIds}::uuid[])
          AND r."kind" = 'OBJECTED'
        GROUP BY r."versionId"`,
    ]);
    const objected = new Map(objections.map((row) => [row.versionId, Number(row.objected)]));
    return campaigns.map((campaign) =>
      campaignFigures(
        counters.filter((row) => row.campaignId === campaign.id),
        campaign.channels,
        objected.get(campaign.versionId) ?? 0,
      ),
    );
  }

  /**
   * The controller's subjects with no notification of the campaign's version (through this
   * campaign or otherwise), by ID. Prisma writes `none` as a correlated NOT EXISTS, which the
   * (subjectId, versionId) index answers per subject as the page is read.
   */
  notYetNotified(campaign: Pick<Campaign, 'versionId'>, query: SubjectPageQuery) {
    return this.prisma.subject.findMany({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        notifications: { none: { versionId: campaign.versionId } },
      },
      orderBy: { id: 'asc' },
    });
  }

  private reachRules: Promise<ReachEvidence> | null = null;

  /** The controller's reach evidence, read once per request. */
  private rules(): Promise<ReachEvidence> {
    this.reachRules ??= this.prisma.controller
      .findUniqueOrThrow({ where: { id: this.viewer.controllerId }, select: { reachEvidence: true } })
      .then((controller) => reachEvidence(controller.reachEvidence));
    return this.reachRules;
  }

  /** The follow-up list: people the campaign notified whom nothing of its version reached (see not-reached.ts). */
  async notReached(
    campaign: Pick<Campaign, 'id' | 'versionId'>,
    page: SubjectIdPage,
  ): Promise<NotReachedEntry[]> {
    return notReachedPage(this.prisma, this.viewer.controllerId, campaign, await this.rules(), page);
  }
}

function sameOrConflict(
  existing: Campaign,
  wanted: Pick<Campaign, 'versionId' | 'name' | 'channels' | 'audienceDescription' | 'plannedSize'>,
): Campaign {
  const same =
    existing.versionId === wanted.versionId &&
    existing.audienceDescription === wanted.audienceDescription &&
    existing.plannedSize === wanted.plannedSize &&
    canonicalChannels(existing.channels).join() === wanted.channels.join();
  if (same) return existing;
  throw new ConflictError(`A campaign named "${wanted.name}" exists with other content.`, 'name');
}

import DataLoader from 'dataloader';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/prisma-errors.js';
import { ConflictError, validationFailed } from '../../domain/errors.js';
import type { MessageTemplate, Prisma } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { type Channel, publishTemplateSchema } from './message-template.validation.js';
import { templateHash } from './template-hash.js';
import type { ReferencedTemplate, TemplateReference } from './template-reference.policy.js';

type Query = { include?: Prisma.MessageTemplateInclude; select?: Prisma.MessageTemplateSelect };
type PageQuery = Query & {
  take?: number;
  skip?: number;
  cursor?: Prisma.MessageTemplateWhereUniqueInput;
};

export interface TemplateFilter {
  readonly key?: string | null;
  readonly channel?: Channel | null;
  readonly locale?: string | null;
}

export interface PublishedTemplate {
  readonly template: MessageTemplate;
  /** False when the content equals the latest revision, which is returned instead of a new one. */
  readonly created: boolean;
}

export class MessageTemplateService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  private get prisma() {
    return this.database.prisma;
  }

  /**
   * Publishes revision n+1 of (key, channel, locale), or returns revision n when it says exactly
   * the same (by the content hash's rules). Publishes of the same (key, channel, locale) take
   * turns on an advisory lock, so concurrent ones never race for a revision number.
   */
  async publish(input: unknown, now = new Date()): Promise<PublishedTemplate> {
    const parsed = publishTemplateSchema.safeParse(input);
    if (!parsed.success) throw validationFailed(parsed.error.issues);
    const { key, channel, locale } = parsed.data;
    const content = {
      key,
      channel,
      locale,
      subject: parsed.data.subject ?? null,
      body: parsed.data.body,
      linkTarget: parsed.data.linkTarget ?? null,
    };
    const controllerId = this.viewer.controllerId;
    try {
      return await this.prisma.$transaction(
        async (tx) => {
          const lock = `notarium-template:${controllerId}:${key}:${channel}:${locale}`;
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${lock}))`;
          const latest = await tx.messageTemplate.findFirst({
            where: { controllerId, key, channel, locale },
            orderBy: { revision: 'desc' },
          });
          if (latest && templateHash({ ...content, revision: latest.revision }) === latest.contentHash)
            return { template: latest, created: false };
          const revision = (latest?.revision ?? 0) + 1;
          const contentHash = templateHash({ ...content, revision });
          const template = await tx.messageTemplate.create({
            data: {
              controllerId,
              ...content,
              revision,
              contentHash,
              createdByKeyId: this.viewer.apiKeyId,
              createdAt: now,
            },
          });
          await appendAudit(
            tx,
            actorOf(this.viewer),
            {
              action: 'messageTemplate:publish',
              targetType: 'MessageTemplate',
              targetId: template.id,
              details: { key, channel, locale, revision, contentHash },
            },
            now,
          );
          return { template, created: true };
        },
        { maxWait: 30_000, timeout: 60_000 },
      );
    } catch (error) {
      // Only a writer that bypassed the lock can get here; the caller may simply send it again.
      if (isUniqueViolation(error))
        throw new ConflictError(
          `Revision of template ${key} (${channel}, ${locale}) was published concurrently; send it again.`,
          'key',
        );
      throw error;
    }
  }

  /** One revision, or the latest when `revision` is not given; null when there is none. */
  find(
    reference: { key: string; channel: Channel; locale: string; revision?: number | null },
    query: Query = {},
  ) {
    const { key, channel, locale, revision } = reference;
    return this.prisma.messageTemplate.findFirst({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        key,
        channel,
        locale,
        ...(revision != null ? { revision } : {}),
      },
      orderBy: { revision: 'desc' },
    });
  }

  /** The controller's template revisions by key, channel and locale, newest revision first. */
  list(filter: TemplateFilter, query: PageQuery = {}) {
    return this.prisma.messageTemplate.findMany({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        ...(filter.key ? { key: filter.key } : {}),
        ...(filter.channel ? { channel: filter.channel } : {}),
        ...(filter.locale ? { locale: filter.locale } : {}),
      },
      orderBy: [{ key: 'asc' }, { channel: 'asc' }, { locale: 'asc' }, { revision: 'desc' }],
    });
  }

  private byIdLoader: DataLoader<string, MessageTemplate | null> | null = null;

  /** A revision by ID, batched: one statement for every notification a request resolves. */
  byId(id: string): Promise<MessageTemplate | null> {
    this.byIdLoader ??= new DataLoader(async (ids: readonly string[]) => {
      const rows = await this.prisma.messageTemplate.findMany({
        where: { controllerId: this.viewer.controllerId, id: { in: [...ids] } },
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return this.byIdLoader.load(id);
  }
}

/**
 * The controller's revisions a batch of notifications names, in one statement: every (key,
 * revision) pair referenced, in whatever channel and locale it exists. Keyed `key#revision`.
 */
export async function referencedTemplates(
  client: Prisma.TransactionClient,
  controllerId: string,
  references: readonly TemplateReference[],
): Promise<Map<string, ReferencedTemplate[]>> {
  const found = new Map<string, ReferencedTemplate[]>();
  const distinct = new Map(references.map((reference) => [referenceKey(reference), reference]));
  if (distinct.size === 0) return found;
  const keys = [...distinct.values()].map((reference) => reference.key);
  const revisions = [...distinct.values()].map((reference) => reference.revision);
  const rows = await client.$queryRaw<ReferencedTemplate[]>`
    SELECT t."id"::text AS id, t."key", t."revision", t."channel"::text AS channel, t."locale",
           t."contentHash", t."createdAt"
    FROM unnest(${keys}::text[], ${revisions}::int[]) AS r(key, revision)
    JOIN "MessageTemplate" t
      ON t."controllerId" = ${controllerId}::uuid AND t."key" = r.key AND t."revision" = r.revision`;
  for (const row of rows) {
    const key = referenceKey(row);
    found.set(key, [...(found.get(key) ?? []), { ...row, createdAt: new Date(row.createdAt) }]);
  }
  return found;
}

export function referenceKey(reference: TemplateReference): string {
  return `${reference.key}#${reference.revision}`;
}

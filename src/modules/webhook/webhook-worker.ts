import type { Database } from '../../db/database.js';
import type { Logger } from '../../log/logger.js';
import { webhookBody, webhookId } from './webhook-payload.js';
import { retryDelayMs } from './webhook-retry.policy.js';
import { type SendOptions, type SendOutcome, sendWebhook } from './webhook-sender.js';
import { signWebhook } from './webhook-signature.js';

export interface WebhookWorkerOptions extends SendOptions {
  /** Deliveries claimed per round. */
  readonly batchSize?: number;
  /** Pause between rounds when nothing was due (the background loop only). */
  readonly pollIntervalMs?: number;
  readonly logger?: Logger;
  /** The loop's clock; tests drive `runDue(now)` themselves instead. */
  readonly clock?: () => Date;
}

export interface RoundSummary {
  readonly attempted: number;
  readonly delivered: number;
  readonly failed: number;
  readonly dead: number;
}

/**
 * Sends due deliveries from the outbox. Claiming moves a delivery's `nextAttemptAt` forward by a
 * lease (request timeout + 1 minute) in one statement (`FOR UPDATE SKIP LOCKED`: several
 * processes may share a PostgreSQL database), so a process that dies mid-attempt leaves the
 * delivery due again once the lease ends: at least once, never lost. No transaction is held while
 * a request is in flight.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<unknown> | null = null;
  private running = false;

  constructor(
    private readonly database: Database,
    private readonly options: WebhookWorkerOptions,
  ) {}

  /** One round at `now`: claims what is due, sends it, records each outcome. */
  async runDue(now: Date): Promise<RoundSummary> {
    const claimed = await this.claim(now);
    if (claimed.length === 0) return { attempted: 0, delivered: 0, failed: 0, dead: 0 };
    const deliveries = await this.database.prisma.webhookDelivery.findMany({
      where: { id: { in: claimed } },
      include: { endpoint: true, event: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const outcomes = await Promise.all(
      deliveries.map(async (delivery) => {
        const body = webhookBody(delivery.event);
        const id = webhookId(delivery.event);
        const timestamp = Math.floor(now.getTime() / 1000);
        const headers = {
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(delivery.endpoint.secret, id, timestamp, body),
          'user-agent': 'Notarium-Webhooks/1',
        };
        const outcome = await sendWebhook(delivery.endpoint.url, headers, body, this.options);
        return this.record(delivery.id, delivery.attempts + 1, outcome, now);
      }),
    );
    return {
      attempted: outcomes.length,
      delivered: outcomes.filter((outcome) => outcome === 'SUCCEEDED').length,
      failed: outcomes.filter((outcome) => outcome !== 'SUCCEEDED').length,
      dead: outcomes.filter((outcome) => outcome === 'DEAD').length,
    };
  }

  private async claim(now: Date): Promise<string[]> {
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + this.options.timeoutMs + 60_000).toISOString();
    const rows = await this.database.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "WebhookDelivery" AS d SET "nextAttemptAt" = ${leaseUntil}::timestamptz
      FROM (
        SELECT due."id" FROM "WebhookDelivery" AS due
        JOIN "WebhookEndpoint" AS endpoint ON endpoint."id" = due."endpointId" AND endpoint."disabledAt" IS NULL
        WHERE due."status" = 'PENDING' AND due."nextAttemptAt" <= ${at}::timestamptz
        ORDER BY due."nextAttemptAt", due."id"
        LIMIT ${this.options.batchSize ?? 10}
        FOR UPDATE OF due SKIP LOCKED
      ) AS claimed
      WHERE d."id" = claimed."id"
      RETURNING d."id"::text AS "id"`;
    return rows.map((row) => row.id);
  }

  private async record(id: string, attempts: number, outcome: SendOutcome, now: Date) {
    const attempt = { attempts, lastAttemptAt: now, lastResponseStatus: outcome.status };
    if (outcome.ok) {
      await this.database.prisma.webhookDelivery.updateMany({
        where: { id, status: 'PENDING' },
        data: { ...attempt, status: 'SUCCEEDED', lastError: null, deliveredAt: now },
      });
      return 'SUCCEEDED' as const;
    }
    const delay = retryDelayMs(attempts);
    const status = delay === null ? ('DEAD' as const) : ('PENDING' as const);
    await this.database.prisma.webhookDelivery.updateMany({
      where: { id, status: 'PENDING' },
      data: {
        ...attempt,
        status,
        lastError: outcome.error.slice(0, 500),
        ...(delay === null ? {} : { nextAttemptAt: new Date(now.getTime() + delay) }),
      },
    });
    this.options.logger?.warn('webhook delivery failed', {
      deliveryId: id,
      attempts,
      status,
      error: outcome.error,
    });
    return status;
  }

  /** Runs rounds in the background until `stop()`; a full round is followed at once by the next. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  private schedule(delayMs: number) {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      const clock = this.options.clock ?? (() => new Date());
      const round = this.runDue(clock()).then(
        (summary) => (summary.attempted >= (this.options.batchSize ?? 10) ? 0 : null),
        (error: unknown) => {
          this.options.logger?.warn('webhook round failed', {
            error: error instanceof Error ? error.message : String(error),
          });
          return null;
        },
      );
      this.round = round;
      void round.then((next) => {
        this.round = null;
        this.schedule(next ?? this.options.pollIntervalMs ?? 2_000);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** Stops the loop and waits for the round in flight (bounded by the request timeout). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }
}

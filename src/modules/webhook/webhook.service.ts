import type { Database } from '../../db/database.js';
import {
  ForbiddenStateError,
  InputValidationError,
  NotFoundError,
  validationFailed,
} from '../../domain/errors.js';
import type {
  Prisma,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
} from '../../generated/prisma/client.js';
import { isUuid } from '../../lib/uuid.js';
import { uuidV7 } from '../../lib/uuid-v7.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { type CreateEndpointInput, createEndpointSchema } from './webhook.validation.js';
import { generateWebhookSecret } from './webhook-signature.js';
import { endpointUrlProblem } from './webhook-url.policy.js';

export interface WebhookSettings {
  /** Lets endpoints point to loopback and private networks (development, tests). */
  readonly allowPrivateNetworks: boolean;
}

export interface CreatedEndpoint {
  readonly endpoint: WebhookEndpoint;
  /** The signing secret, returned this once. */
  readonly secret: string;
}

type EndpointQuery = Omit<Prisma.WebhookEndpointFindManyArgs, 'where' | 'orderBy'>;
type DeliveryQuery = Omit<Prisma.WebhookDeliveryFindManyArgs, 'where' | 'orderBy'>;

export interface DeliveryFilter {
  readonly status?: WebhookDeliveryStatus | null;
  readonly endpointId?: string | null;
}

export class WebhookService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly settings: WebhookSettings,
  ) {}

  async createEndpoint(input: CreateEndpointInput, now = new Date()): Promise<CreatedEndpoint> {
    const parsed = createEndpointSchema.safeParse(input);
    if (!parsed.success) throw validationFailed(parsed.error.issues);
    const problem = endpointUrlProblem(parsed.data.url, this.settings.allowPrivateNetworks);
    if (problem !== null) throw new InputValidationError([{ path: ['input', 'url'], message: problem }]);
    const secret = generateWebhookSecret();
    const endpoint = await this.database.prisma.$transaction(async (tx) => {
      const created = await tx.webhookEndpoint.create({
        data: {
          id: uuidV7(now.getTime()),
          controllerId: this.viewer.controllerId,
          url: parsed.data.url,
          description: parsed.data.description ?? '',
          secret,
          eventTypes: parsed.data.eventTypes ?? [],
          createdAt: now,
          createdByKeyId: this.viewer.apiKeyId,
        },
      });
      await appendAudit(
        tx,
        actorOf(this.viewer),
        {
          action: 'webhookEndpoint:create',
          targetType: 'WebhookEndpoint',
          targetId: created.id,
          details: { url: created.url, eventTypes: created.eventTypes },
        },
        now,
      );
      return created;
    });
    return { endpoint, secret };
  }

  /** Idempotent: its pending deliveries stay as they are and are not sent while it is disabled. */
  async disableEndpoint(id: string, now = new Date()): Promise<WebhookEndpoint> {
    if (!isUuid(id)) throw new NotFoundError('WebhookEndpoint', id);
    const where = { id, controllerId: this.viewer.controllerId };
    return this.database.prisma.$transaction(async (tx) => {
      const changed = await tx.webhookEndpoint.updateMany({
        where: { ...where, disabledAt: null },
        data: { disabledAt: now },
      });
      const endpoint = await tx.webhookEndpoint.findFirst({ where });
      if (endpoint === null) throw new NotFoundError('WebhookEndpoint', id);
      if (changed.count > 0) {
        await appendAudit(
          tx,
          actorOf(this.viewer),
          { action: 'webhookEndpoint:disable', targetType: 'WebhookEndpoint', targetId: id },
          now,
        );
      }
      return endpoint;
    });
  }

  /**
   * Sends the delivery again from now with a fresh retry schedule, whatever its state (a DEAD one,
   * or a SUCCEEDED one a receiver lost). The same event, so the same `webhook-id`: a receiver that
   * deduplicates by it processes the event once.
   */
  async redeliver(id: string, now = new Date()): Promise<WebhookDelivery> {
    if (!isUuid(id)) throw new NotFoundError('WebhookDelivery', id);
    return this.database.prisma.$transaction(async (tx) => {
      const delivery = await tx.webhookDelivery.findFirst({
        where: { id, controllerId: this.viewer.controllerId },
        include: { endpoint: { select: { disabledAt: true } } },
      });
      if (delivery === null) throw new NotFoundError('WebhookDelivery', id);
      if (delivery.endpoint.disabledAt !== null) {
        throw new ForbiddenStateError('The endpoint is disabled: its deliveries are not sent.');
      }
      const updated = await tx.webhookDelivery.update({
        where: { id },
        data: { status: 'PENDING', attempts: 0, nextAttemptAt: now },
      });
      await appendAudit(
        tx,
        actorOf(this.viewer),
        {
          action: 'webhookDelivery:redeliver',
          targetType: 'WebhookDelivery',
          targetId: id,
          details: { previousStatus: delivery.status, attempts: delivery.attempts },
        },
        now,
      );
      return updated;
    });
  }

  endpoints(query: EndpointQuery = {}) {
    return this.database.prisma.webhookEndpoint.findMany({
      ...query,
      where: { controllerId: this.viewer.controllerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  endpoint(id: string, query: Omit<Prisma.WebhookEndpointFindFirstArgs, 'where'> = {}) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.database.prisma.webhookEndpoint.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  delivery(id: string, query: Omit<Prisma.WebhookDeliveryFindFirstArgs, 'where'> = {}) {
    return this.database.prisma.webhookDelivery.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  /** Newest first; DEAD ones are the dead letters. */
  deliveries(filter: DeliveryFilter, query: DeliveryQuery = {}) {
    return this.database.prisma.webhookDelivery.findMany({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.endpointId ? { endpointId: filter.endpointId } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }
}

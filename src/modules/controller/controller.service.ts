import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/prisma-errors.js';
import { ConflictError, InputValidationError, NotFoundError, validationFailed } from '../../domain/errors.js';
import { type Controller, Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import {
  type CreateControllerInput,
  createControllerSchema,
  type UpdateControllerInput,
} from './controller.validation.js';
import { canonicalReachEvidence, changedReachEvidence } from './reach-evidence.js';

/** Used by the CLI and the demo seed: controllers are created by operators, not through the API. */
export async function createController(
  prisma: Pick<PrismaClient, 'controller'>,
  input: CreateControllerInput,
): Promise<Controller> {
  const parsed = createControllerSchema.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error.issues);
  const { reachEvidence, ...fields } = parsed.data;
  const setting = reachEvidence ? canonicalReachEvidence(reachEvidence) : null;
  try {
    return await prisma.controller.create({ data: { ...fields, reachEvidence: setting ?? Prisma.DbNull } });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`A controller with slug ${input.slug} exists.`, 'slug');
    throw error;
  }
}

export class ControllerService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  async current(query: { include?: Prisma.ControllerInclude; select?: Prisma.ControllerSelect } = {}) {
    const controller = await this.database.prisma.controller.findUnique({
      ...query,
      where: { id: this.viewer.controllerId },
    });
    if (controller === null) throw new NotFoundError('Controller', this.viewer.controllerId);
    return controller;
  }

  /**
   * Only the fields given are changed; explicit nulls clear the optional contacts and the
   * retention schedule (records kept for ever). Reach evidence changes per channel named (null:
   * back to the default), read and written under a row lock so that two changes to different
   * channels both stay.
   */
  async update(input: UpdateControllerInput): Promise<Controller> {
    const data: Prisma.ControllerUpdateInput = {};
    if (input.name != null) data.name = input.name;
    if (input.legalName != null) data.legalName = input.legalName;
    if (input.contactEmail != null) data.contactEmail = input.contactEmail;
    if (input.minimumNoticeDays != null) data.minimumNoticeDays = input.minimumNoticeDays;
    if (input.clockSkewToleranceSeconds != null)
      data.clockSkewToleranceSeconds = input.clockSkewToleranceSeconds;
    if (input.objectionDecisionDays != null) data.objectionDecisionDays = input.objectionDecisionDays;
    if (input.dpoContact !== undefined) data.dpoContact = input.dpoContact;
    if (input.euRepresentative !== undefined) data.euRepresentative = input.euRepresentative;
    if (input.publicNoticePages != null) data.publicNoticePages = input.publicNoticePages;
    if (input.proofRetentionMonths !== undefined) data.proofRetentionMonths = input.proofRetentionMonths;
    const reachChanges = input.reachEvidence ?? [];
    if (Object.keys(data).length === 0 && reachChanges.length === 0) {
      throw new InputValidationError([{ path: ['input'], message: 'names no field to change' }]);
    }
    return this.database.prisma.$transaction(async (tx) => {
      const changed: Record<string, unknown> = { ...data };
      if (reachChanges.length > 0) {
        const [locked] = await tx.$queryRaw<{ reachEvidence: unknown }[]>`
          SELECT "reachEvidence" FROM "Controller" WHERE "id" = ${this.viewer.controllerId}::uuid FOR UPDATE`;
        const setting = changedReachEvidence(locked?.reachEvidence ?? null, reachChanges);
        data.reachEvidence = setting ?? Prisma.DbNull;
        changed.reachEvidence = Object.fromEntries(
          reachChanges.map((change) => [change.channel, setting?.[change.channel] ?? null]),
        );
      }
      const controller = await tx.controller.update({ where: { id: this.viewer.controllerId }, data });
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'controller:update',
        targetType: 'Controller',
        targetId: controller.id,
        details: { changed },
      });
      return controller;
    });
  }
}

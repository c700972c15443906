import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Campaign, NoticeVersion, Purpose, RegulatorRequest } from '../../generated/prisma/client.js';
import type { ChangeType } from './change-types.js';

/** What an emitter states about a change; the feed adds the ID, sequence and time. */
export interface Change {
  readonly controllerId: string;
  readonly type: ChangeType;
  /** The GraphQL type of the object concerned; with `resourceId` it makes the `resource` global ID. */
  readonly resourceType: string;
  readonly resourceId: string;
  /** Type-specific facts, JSON; never subject references or secrets. */
  readonly data: Record<string, unknown>;
  /** For changes that must appear at most once (a second emit with the key is dropped). */
  readonly dedupeKey?: string;
}

const resource = (resourceType: string, resourceId: string) => ({
  resourceType,
  resourceId,
});

/** One builder per event type: call sites stay one line (`emitChange(tx, changes.x(...))`). */
export const changes = {
  versionPublished: (version: NoticeVersion, noticeKey: string): Change => ({
    controllerId: version.controllerId,
    type: 'notice.version.published',
    ...resource('NoticeVersion', version.id),
    data: {
      noticeKey,
      number: version.number,
      contentHash: version.contentHash,
      classification: version.classification,
      effectiveFrom: version.effectiveFrom.toISOString(),
    },
  }),
  versionRetired: (version: NoticeVersion, noticeKey: string): Change => ({
    controllerId: version.controllerId,
    type: 'notice.version.retired',
    ...resource('NoticeVersion', version.id),
    data: { noticeKey, number: version.number, retiredAt: version.retiredAt?.toISOString() ?? null },
  }),
  purposeRevised: (purpose: Purpose, legalBasis: string, previousLegalBasis: string): Change => ({
    controllerId: purpose.controllerId,
    type: 'purpose.revised',
    ...resource('Purpose', purpose.id),
    data: { purposeKey: purpose.key, revision: purpose.currentRevision, legalBasis, previousLegalBasis },
  }),
  campaignMilestone: (
    campaign: Pick<Campaign, 'id' | 'controllerId' | 'name' | 'plannedSize'>,
    milestone: { metric: string; percent: number; count: number },
  ): Change => ({
    controllerId: campaign.controllerId,
    type: 'campaign.milestone.reached',
    ...resource('Campaign', campaign.id),
    data: { campaignName: campaign.name, plannedSize: campaign.plannedSize, ...milestone },
    dedupeKey: `campaign:${campaign.id}:${milestone.metric}:${milestone.percent}`,
  }),
  regulatorRequestOpened: (request: RegulatorRequest): Change => ({
    controllerId: request.controllerId,
    type: 'regulator.request.opened',
    ...resource('RegulatorRequest', request.id),
    data: { authority: request.authority, reference: request.reference },
  }),
} satisfies Record<string, (...args: never[]) => Change>;

/** The Relay global ID of the object an event is about. */
export function resourceGlobalId(event: { resourceType: string; resourceId: string }): string {
  return encodeGlobalID(event.resourceType, event.resourceId);
}

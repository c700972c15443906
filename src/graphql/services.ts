import type { Database } from '../db/database.js';
import type { Viewer } from '../modules/access/access.policy.js';
import { ApiKeyService } from '../modules/api-key/api-key.service.js';
import type { ApiKeyCache } from '../modules/api-key/key-cache.js';
import { AuditService } from '../modules/audit/audit.service.js';
import { CampaignService } from '../modules/campaign/campaign.service.js';
import { ControllerService } from '../modules/controller/controller.service.js';
import { EligibilityService } from '../modules/eligibility/eligibility.service.js';
import { ErasureService } from '../modules/erasure/erasure.service.js';
import { EvidenceService } from '../modules/evidence/evidence.service.js';
import { MessageTemplateService } from '../modules/message-template/message-template.service.js';
import type { NoticePubSub } from '../modules/notice/notice.events.js';
import { NoticeService } from '../modules/notice/notice.service.js';
import { NoticeVersionService } from '../modules/notice/notice-version.service.js';
import { NotificationService } from '../modules/notification/notification.service.js';
import { PurposeService } from '../modules/purpose/purpose.service.js';
import { RegulatorService } from '../modules/regulator/regulator.service.js';
import { SubjectService } from '../modules/subject/subject.service.js';
import type { SubjectRefHasher } from '../modules/subject/subject-ref.js';

/**
 * Services bound to the request's viewer: the only way resolvers reach data. There is no database
 * handle here; plugin-prisma gets its client through src/graphql/prisma-binding.ts.
 */
export interface Services {
  readonly apiKey: ApiKeyService;
  readonly audit: AuditService;
  readonly controller: ControllerService;
  readonly purpose: PurposeService;
  readonly notice: NoticeService;
  readonly noticeVersion: NoticeVersionService;
  readonly events: NoticePubSub;
  readonly notification: NotificationService;
  readonly subject: SubjectService;
  readonly erasure: ErasureService;
  readonly regulator: RegulatorService;
  readonly evidence: EvidenceService;
  readonly campaign: CampaignService;
  readonly eligibility: EligibilityService;
  readonly messageTemplate: MessageTemplateService;
}

export interface ServiceDependencies {
  readonly database: Database;
  readonly events: NoticePubSub;
  readonly hasher: SubjectRefHasher;
  readonly keyCache?: ApiKeyCache;
}

export function createServices(
  { database, events, hasher, keyCache }: ServiceDependencies,
  viewer: Viewer,
): Services {
  const notification = new NotificationService(database, viewer, hasher);
  return {
    apiKey: new ApiKeyService(database, viewer, keyCache),
    audit: new AuditService(database, viewer),
    controller: new ControllerService(database, viewer),
    purpose: new PurposeService(database, viewer),
    notice: new NoticeService(database, viewer, events),
    noticeVersion: new NoticeVersionService(database, viewer, events),
    events,
    notification,
    subject: new SubjectService(database, viewer),
    erasure: new ErasureService(database, viewer, hasher),
    regulator: new RegulatorService(database, viewer, hasher),
    evidence: new EvidenceService(database, viewer),
    campaign: new CampaignService(database, viewer),
    eligibility: new EligibilityService(database, viewer),
    messageTemplate: new MessageTemplateService(database, viewer),
  };
}

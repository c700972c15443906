import type { Database } from '../db/database.js';
import type { Viewer } from '../modules/access/access.policy.js';
import { AccessRequestService } from '../modules/access-request/access-request.service.js';
import { ApiKeyService } from '../modules/api-key/api-key.service.js';
import type { ApiKeyCache } from '../modules/api-key/key-cache.js';
import { AuditService } from '../modules/audit/audit.service.js';
import { CampaignService } from '../modules/campaign/campaign.service.js';
import { ChangeFeedService } from '../modules/change-feed/change-feed.service.js';
import { ConsentRecordService } from '../modules/consent-record/consent-record.service.js';
import { ControllerService } from '../modules/controller/controller.service.js';
import { EligibilityService } from '../modules/eligibility/eligibility.service.js';
import { ErasureService } from '../modules/erasure/erasure.service.js';
import { EvidenceService } from '../modules/evidence/evidence.service.js';
import { MessageTemplateService } from '../modules/message-template/message-template.service.js';
import type { NoticePubSub } from '../modules/notice/notice.events.js';
import { NoticeService } from '../modules/notice/notice.service.js';
import { NoticeVersionService } from '../modules/notice/notice-version.service.js';
import { NotificationService } from '../modules/notification/notification.service.js';
import { ObjectionService } from '../modules/objection/objection.service.js';
import { PurposeService } from '../modules/purpose/purpose.service.js';
import { RegulatorService } from '../modules/regulator/regulator.service.js';
import { SubjectService } from '../modules/subject/subject.service.js';
import type { SubjectRefHasher } from '../modules/subject/subject-ref.js';
import { TransparencyLogService } from '../modules/transparency-log/transparency-log.service.js';
import { WebhookService, type WebhookSettings } from '../modules/webhook/webhook.service.js';

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
  readonly accessRequest: AccessRequestService;
  readonly regulator: RegulatorService;
  readonly evidence: EvidenceService;
  readonly consentRecord: ConsentRecordService;
  readonly campaign: CampaignService;
  readonly eligibility: EligibilityService;
  readonly messageTemplate: MessageTemplateService;
  readonly transparencyLog: TransparencyLogService;
  readonly changeFeed: ChangeFeedService;
  readonly webhook: WebhookService;
  readonly objection: ObjectionService;
}

export interface ServiceDependencies {
  readonly database: Database;
  readonly events: NoticePubSub;
  readonly hasher: SubjectRefHasher;
  readonly keyCache?: ApiKeyCache;
  readonly webhooks?: WebhookSettings;
}

export function createServices(
  { database, events, hasher, keyCache, webhooks = { allowPrivateNetworks: false } }: ServiceDependencies,
  viewer: Viewer,
): Services {
  const notification = new NotificationService(database, viewer, hasher);
  const subject = new SubjectService(database, viewer);
  const eligibility = new EligibilityService(database, viewer);
  return {
    apiKey: new ApiKeyService(database, viewer, keyCache),
    audit: new AuditService(database, viewer),
    controller: new ControllerService(database, viewer),
    purpose: new PurposeService(database, viewer),
    notice: new NoticeService(database, viewer, events),
    noticeVersion: new NoticeVersionService(database, viewer, events),
    events,
    notification,
    subject,
    erasure: new ErasureService(database, viewer, hasher),
    accessRequest: new AccessRequestService(database, viewer, hasher, subject, eligibility),
    regulator: new RegulatorService(database, viewer, hasher),
    evidence: new EvidenceService(database, viewer),
    consentRecord: new ConsentRecordService(database, viewer, hasher),
    campaign: new CampaignService(database, viewer),
    eligibility,
    messageTemplate: new MessageTemplateService(database, viewer),
    transparencyLog: new TransparencyLogService(database, viewer),
    changeFeed: new ChangeFeedService(database, viewer),
    webhook: new WebhookService(database, viewer, webhooks),
    objection: new ObjectionService(database, viewer),
  };
}

import type { Database } from '../db/database.js';
import type { Viewer } from '../modules/access/access.policy.js';
import { ApiKeyService } from '../modules/api-key/api-key.service.js';
import { ControllerService } from '../modules/controller/controller.service.js';
import type { NoticePubSub } from '../modules/notice/notice.events.js';
import { NoticeService } from '../modules/notice/notice.service.js';
import { NoticeVersionService } from '../modules/notice/notice-version.service.js';
import { PurposeService } from '../modules/purpose/purpose.service.js';

/** Services bound to the request's viewer. `database` is there for plugin-prisma's relation loading only. */
export interface Services {
  readonly database: Database;
  readonly apiKey: ApiKeyService;
  readonly controller: ControllerService;
  readonly purpose: PurposeService;
  readonly notice: NoticeService;
  readonly noticeVersion: NoticeVersionService;
  readonly events: NoticePubSub;
}

export function createServices(database: Database, viewer: Viewer, events: NoticePubSub): Services {
  return {
    database,
    apiKey: new ApiKeyService(database, viewer),
    controller: new ControllerService(database, viewer),
    purpose: new PurposeService(database, viewer),
    notice: new NoticeService(database, viewer),
    noticeVersion: new NoticeVersionService(database, viewer, events),
    events,
  };
}

import type { Database } from '../db/database.js';
import type { Viewer } from '../modules/access/access.policy.js';
import { ApiKeyService } from '../modules/api-key/api-key.service.js';
import { ControllerService } from '../modules/controller/controller.service.js';
import { PurposeService } from '../modules/purpose/purpose.service.js';

/** Services bound to the request's viewer. `database` is there for plugin-prisma's relation loading only. */
export interface Services {
  readonly database: Database;
  readonly apiKey: ApiKeyService;
  readonly controller: ControllerService;
  readonly purpose: PurposeService;
}

export function createServices(database: Database, viewer: Viewer): Services {
  return {
    database,
    apiKey: new ApiKeyService(database, viewer),
    controller: new ControllerService(database, viewer),
    purpose: new PurposeService(database, viewer),
  };
}

import { nilUuid } from '../../lib/uuid.js';
import type { Viewer } from '../access/access.policy.js';

/**
 * The viewer the public pages read a controller's notices as: no API key (the nil id), the
 * READER role (read notices and nothing else), bound to the one controller of the URL. Only read
 * paths of the notice services are ever called with it, so it never writes or audits.
 */
export function publicReader(controllerId: string): Viewer {
  return { apiKeyId: nilUuid, keyName: 'public notice pages', role: 'READER', controllerId };
}

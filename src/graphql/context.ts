import type { Logger } from '../log/logger.js';
import type { Viewer } from '../modules/access/access.policy.js';
import type { Services } from './services.js';

/** Per-request context: small and read-only. Resolvers reach the database only through services. */
export interface Context {
  readonly viewer: Viewer;
  readonly requestId: string;
  readonly log: Logger;
  readonly services: Services;
  /** Aborts when the client goes away; long work stops at its next step. */
  readonly signal: AbortSignal;
}

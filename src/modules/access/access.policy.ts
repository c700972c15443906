import type { ApiKeyRole } from '../../generated/prisma/enums.js';

/** Who is calling: resolved from the API key, never from anything the client says about itself. */
export interface Viewer {
  readonly apiKeyId: string;
  readonly keyName: string;
  readonly role: ApiKeyRole;
  readonly controllerId: string;
  /** For REGULATOR keys: the one request they may read. */
  readonly regulatorRequestId?: string | null;
  /** The key runs only the checked-in trusted documents, by documentId (a frontend's key). */
  readonly trustedDocumentsOnly?: boolean;
}

export type Role = ApiKeyRole;

/** Role groups: the single source of which role may do what. */
export const roles = {
  manageKeys: ['ADMIN'],
  manageController: ['ADMIN'],
  readController: ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'],
  editNotices: ['ADMIN', 'EDITOR'],
  editOrAudit: ['ADMIN', 'EDITOR', 'AUDITOR'],
  readNotices: ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'],
  recordNotifications: ['ADMIN', 'NOTIFIER'],
  readRecords: ['ADMIN', 'AUDITOR'],
  /** Issue REGULATOR keys for a regulator request, and read those keys. */
  issueRegulatorKeys: ['ADMIN', 'AUDITOR'],
  /** Read regulator requests: ADMIN and AUDITOR any of theirs, a REGULATOR key its own (src/modules/regulator/regulator.scope.ts). */
  readRegulatorRequests: ['ADMIN', 'AUDITOR', 'REGULATOR'],
  /**
   * Types a regulator reaches only through its request's scoped fields: the notice versions and
   * records in scope, and the purposes (with their revisions) those records refer to.
   */
  viewNotices: ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR', 'REGULATOR'],
  viewRecords: ['ADMIN', 'AUDITOR', 'REGULATOR'],
  /** Decide objection cases (Art. 21): honour or refuse them. */
  decideObjections: ['ADMIN', 'EDITOR'],
  /** List objection cases and their figures. */
  readObjections: ['ADMIN', 'EDITOR', 'AUDITOR'],
  /** Objection cases as objects: those roles, and a regulator through the responses in its request's scope. */
  viewObjections: ['ADMIN', 'EDITOR', 'AUDITOR', 'REGULATOR'],
  controllerKeys: ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'],
  any: ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR', 'REGULATOR'],
} as const satisfies Record<string, readonly Role[]>;

export type RoleGroup = keyof typeof roles;

export function hasRole(viewer: Viewer | null, group: RoleGroup): boolean {
  return viewer !== null && (roles[group] as readonly Role[]).includes(viewer.role);
}

/** Tenancy: a record is visible only to keys of the controller that owns it. */
export function ownsRecord(viewer: Viewer | null, record: { controllerId: string }): boolean {
  return viewer !== null && viewer.controllerId === record.controllerId;
}

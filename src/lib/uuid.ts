const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs come from clients; checking their shape first keeps a malformed one a NOT_FOUND, not a SQL error. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

export const nilUuid = '00000000-0000-0000-0000-000000000000';

/** The where-clause a Relay node lookup uses: the ID (when it can be one) within the viewer's controller. */
export function tenantNodeWhere(id: string, controllerId: string): { id: string; controllerId: string } {
  return { id: isUuid(id) ? id : nilUuid, controllerId };
}

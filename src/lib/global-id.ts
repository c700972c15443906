import { decodeGlobalID } from '@pothos/plugin-relay';
import { isUuid } from './uuid.js';

/** The raw ID inside a Relay global ID of the given type, or null when it is not one. */
export function decodeGlobalIdOf(typename: string, globalId: string | null | undefined): string | null {
  if (!globalId) return null;
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename && isUuid(decoded.id) ? decoded.id : null;
  } catch {
    return null;
  }
}

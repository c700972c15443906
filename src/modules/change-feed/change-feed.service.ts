import type { Database } from '../../db/database.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import type { ChangeType } from './change-types.js';

type FindArgs = Omit<Prisma.ChangeEventFindManyArgs, 'where' | 'orderBy'>;

export class ChangeFeedService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  /**
   * The controller's events in sequence order, oldest first. Sequences are assigned in commit
   * order (ADR 0041), so a page never skips an event that commits later: paging on from the last
   * cursor seen returns exactly what came after it.
   */
  list(types: readonly ChangeType[] | null, query: FindArgs = {}) {
    return this.database.prisma.changeEvent.findMany({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        ...(types && types.length > 0 ? { type: { in: [...types] } } : {}),
      },
      orderBy: { sequence: 'asc' },
    });
  }
}

import type { PrismaClient } from '../generated/prisma/client.js';

/** The reads that take `relationLoadStrategy`. */
const reads = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany']);

/**
 * Keeps Prisma's separate-query relation loading the default. The `relationJoins` preview (enabled
 * for the notice-history read, ADR 0019) would otherwise make JSON-aggregating joins the default of
 * every read; a read that wants them says `relationLoadStrategy: 'join'` itself.
 */
export function withQueryStrategyByDefault(prisma: PrismaClient): PrismaClient {
  return prisma.$extends({
    name: 'relation-load-query-by-default',
    query: {
      $allModels: {
        $allOperations({ operation, args, query }) {
          if (!reads.has(operation)) return query(args);
          const options = args as { relationLoadStrategy?: 'join' | 'query' };
          return query(options.relationLoadStrategy ? args : { ...args, relationLoadStrategy: 'query' });
        },
      },
    },
  }) as unknown as PrismaClient;
}

import { Counter, Registry } from 'prom-client';

/**
 * The registry's own counters, per process: shared by every app the process runs and served at
 * `/metrics` beside the app's own metrics. Label values come from closed sets (record kinds,
 * error codes, verdicts), never from what a client sent.
 */
export const registryCounters = new Registry();

const recorded = new Counter({
  name: 'notarium_records_accepted_total',
  help: 'Bulk-write items accepted (new records), by kind: notification, event, response.',
  labelNames: ['kind'] as const,
  registers: [registryCounters],
});

const rejected = new Counter({
  name: 'notarium_batch_items_rejected_total',
  help: 'Bulk-write items rejected, by kind and error code.',
  labelNames: ['kind', 'code'] as const,
  registers: [registryCounters],
});

const decisions = new Counter({
  name: 'notarium_eligibility_decisions_total',
  help: 'Eligibility decisions for one subject and purpose, by verdict (manifests are not counted here).',
  labelNames: ['verdict'] as const,
  registers: [registryCounters],
});

const regulatorQueries = new Counter({
  name: 'notarium_regulator_queries_total',
  help: 'GraphQL requests made with REGULATOR keys (each is also an audit entry).',
  registers: [registryCounters],
});

export type RecordKind = 'notification' | 'event' | 'response';

const errorCode = /^[A-Z][A-Z0-9_]{0,47}$/;

interface BulkCounts {
  readonly accepted: number;
  readonly items: readonly { readonly error: { readonly code: string } | null }[];
}

/** Counts a bulk write's accepted and rejected items; passes the result on. */
export async function countBulkWrite<T extends BulkCounts>(kind: RecordKind, result: Promise<T>): Promise<T> {
  const outcome = await result;
  if (outcome.accepted > 0) recorded.inc({ kind }, outcome.accepted);
  for (const item of outcome.items) {
    if (item.error === null) continue;
    rejected.inc({ kind, code: errorCode.test(item.error.code) ? item.error.code : 'OTHER' });
  }
  return outcome;
}

export function countEligibilityDecision(verdict: 'ALLOWED' | 'DENIED'): void {
  decisions.inc({ verdict });
}

export function countRegulatorQuery(): void {
  regulatorQueries.inc();
}

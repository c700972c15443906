import { timingSafeEqual } from 'node:crypto';
import {
  createCounter,
  createHistogram,
  type FillLabelsFnParams,
  usePrometheus,
} from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { errorResponse } from '../graphql/http-responses.js';
import { route } from '../graphql/route.js';
import { OperationLabels } from './operation-name.js';
import { registryCounters } from './registry-counters.js';

/** graphql-js parse and validation errors carry no code when counted; Yoga adds these to the answer. */
const phaseCodes: Readonly<Record<string, string>> = {
  parse: 'GRAPHQL_PARSE_FAILED',
  validate: 'GRAPHQL_VALIDATION_FAILED',
};

export const metricsPath = '/metrics';

export interface MetricsOptions {
  /** Who may read `/metrics`: a bearer token, open (no token), or nobody (404). */
  readonly access: { readonly token: string } | 'open' | 'closed';
}

/** With METRICS_TOKEN: only with it; without: open outside production, not served in production. */
export function metricsAccess(config: {
  readonly environment: string;
  readonly metricsToken?: string | undefined;
}): MetricsOptions {
  if (config.metricsToken) return { access: { token: config.metricsToken } };
  return { access: config.environment === 'production' ? 'closed' : 'open' };
}

let processMetrics: Registry | null = null;

/** CPU, memory, event-loop delay, heap and handles of the process; registered once per process. */
function processRegistry(): Registry {
  if (processMetrics === null) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

function connectionGauges(registry: Registry, database: Database): void {
  const pool = (
    name: string,
    help: string,
    pick: (stats: { total: number; idle: number; waiting: number }) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = database.connectionStats().pool;
        if (stats !== null) this.set(pick(stats));
      },
    });
  if (database.kind === 'postgres') {
    pool('notarium_db_pool_connections', 'Connections the pg.Pool holds open.', (stats) => stats.total);
    pool(
      'notarium_db_pool_idle_connections',
      'Open connections of the pool not in use.',
      (stats) => stats.idle,
    );
    pool(
      'notarium_db_pool_waiting_requests',
      'Queries waiting for a connection of the pool.',
      (stats) => stats.waiting,
    );
    return;
  }
  new Gauge({
    name: 'notarium_db_statements_in_flight',
    help: 'Embedded database: statements sent and not yet answered (PGlite runs one at a time, the rest wait).',
    registers: [registry],
    collect() {
      this.set(database.connectionStats().statementsInFlight ?? 0);
    },
  });
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function metricsEndpoint(registry: Registry, options: MetricsOptions): Plugin {
  return {
    onRequest: route(
      ({ url }) => url.pathname === metricsPath,
      async ({ request, url, endResponse }) => {
        if (options.access === 'closed' || request.method !== 'GET') {
          endResponse(errorResponse(404, 'NOT_FOUND', `Nothing is served at ${url.pathname}.`));
          return;
        }
        if (typeof options.access === 'object') {
          const header = request.headers.get('authorization') ?? '';
          const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
          if (!sameToken(token, options.access.token)) {
            endResponse(
              errorResponse(401, 'UNAUTHENTICATED', 'The metrics need the METRICS_TOKEN as a bearer token.', {
                'WWW-Authenticate': 'Bearer',
              }),
            );
            return;
          }
        }
        const text = [
          await registry.metrics(),
          await registryCounters.metrics(),
          await processRegistry().metrics(),
        ].join('\n');
        endResponse(new Response(text, { headers: { 'content-type': registry.contentType } }));
      },
    ),
  };
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * GraphQL request rate, latency and errors by operation (names bounded by `OperationLabels`),
 * HTTP duration by status, the database's connections, the registry's counters, and the
 * process's own metrics, served at `/metrics` (docs/operations.md#metrics, ADR 0031).
 */
export function metricsPlugins(database: Database, options: MetricsOptions): Plugin[] {
  const registry = new Registry();
  const names = new OperationLabels();
  const operation = (params: FillLabelsFnParams) => ({
    operationName: names.label(params.operationName),
    operationType: params.operationType ?? 'unknown',
  });
  connectionGauges(registry, database);
  const prometheus = usePrometheus({
    registry,
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_request',
          help: 'GraphQL operations executed, by operation.',
          labelNames: ['operationName', 'operationType'],
        },
        fillLabelsFn: operation,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time to execute a GraphQL operation, in seconds, by operation.',
          labelNames: ['operationName', 'operationType'],
          buckets: latencyBuckets,
        },
        fillLabelsFn: operation,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Errors in GraphQL results, by operation, phase and error code.',
          labelNames: ['operationName', 'operationType', 'phase', 'code'],
        },
        fillLabelsFn: (params) => {
          const code = (params.error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
          return {
            ...operation(params),
            phase: params.errorPhase ?? 'unknown',
            code:
              typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,47}$/.test(code)
                ? code
                : (phaseCodes[params.errorPhase ?? ''] ?? 'NONE'),
          };
        },
      }),
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_yoga_http_duration',
          help: 'Time to answer an HTTP request that carried a GraphQL operation, in seconds.',
          labelNames: ['operationName', 'operationType', 'method', 'statusCode'],
          buckets: latencyBuckets,
        },
        fillLabelsFn: (params, { request, response }: { request: Request; response: Response }) => ({
          ...operation(params),
          method: request.method,
          statusCode: response.status,
        }),
      }),
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
  });
  return [metricsEndpoint(registry, options), prometheus];
}

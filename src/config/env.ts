import { z } from 'zod';
import { defaultPreparedStatements } from '../db/statement-names.js';

const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_SHARED_BUFFERS_MB: z.coerce.number().int().min(1).max(4_096).default(32),
  MIGRATE_ON_START: booleanString.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  DATABASE_PREPARED_STATEMENTS: z.coerce.number().int().min(0).max(10_000).default(defaultPreparedStatements),
  REDIS_URL: z
    .string()
    .refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// or rediss:// URL')
    .optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  SEED_DEMO: booleanString.optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  SUBJECT_REF_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1_200),
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  API_KEY_CACHE_MAX_KEYS: z.coerce.number().int().min(1).default(10_000),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('notarium'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(16 * 1024 * 1024),
  WEBHOOK_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(10_000),
  WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(2_000),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: booleanString.default(false),
});

/** Only for development and tests: production refuses to start without its own secret. */
export const developmentSubjectRefSecret = 'notarium-development-subject-ref-secret-not-for-production';

export type Environment = z.output<typeof environmentSchema>;

export interface Config {
  readonly environment: Environment['NODE_ENV'];
  readonly host: string;
  readonly port: number;
  readonly database:
    | {
        readonly kind: 'postgres';
        readonly url: string;
        readonly poolSize: number;
        /** PostgreSQL `statement_timeout` of every connection, in ms; 0 for none. */
        readonly statementTimeoutMs: number;
        /** Distinct statements prepared by name on each connection (src/db/statement-names.ts); 0 for none. */
        readonly preparedStatements?: number;
      }
    | {
        readonly kind: 'embedded';
        readonly dataDir: string;
        /** PGlite's buffer cache, resident from the start (PostgreSQL's default is 128 MB). */
        readonly sharedBuffersMb?: number;
      };
  readonly migrateOnStart: boolean;
  readonly redisUrl: string | undefined;
  readonly logLevel: Environment['LOG_LEVEL'];
  readonly seedDemo: boolean;
  readonly shutdownTimeoutMs: number;
  /** Master secret from which each controller's subject-reference HMAC key is derived. */
  readonly subjectRefSecret: string;
  readonly rateLimitPerMinute: number;
  readonly bodyLimitBytes: number;
  /** How long an active API key is served from memory (0: looked up on every request), and how many. */
  readonly apiKeyCache: { readonly ttlMs: number; readonly maxEntries: number };
  /** Bearer token that `/metrics` asks for; without it `/metrics` is open outside production and off in it. */
  readonly metricsToken: string | undefined;
  /** Where OTLP/HTTP traces go; tracing is off (and costs nothing) without it. */
  readonly tracing: { readonly tracesUrl: string; readonly serviceName: string } | null;
  /** The webhook delivery worker (docs/webhooks.md). */
  readonly webhooks: {
    readonly timeoutMs: number;
    readonly pollIntervalMs: number;
    readonly allowPrivateNetworks: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** OpenTelemetry's rule: the traces endpoint as given, else `/v1/traces` under the general endpoint. */
function tracesUrl(env: Environment): string | null {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/** Parses the whole environment at once and reports every problem, not only the first. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const blankAsUnset = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = environmentSchema.safeParse(blankAsUnset);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = result.data;
  const production = env.NODE_ENV === 'production';
  if (production && !env.SUBJECT_REF_SECRET) {
    throw new ConfigError(['SUBJECT_REF_SECRET: is required in production (at least 32 random characters)']);
  }
  const traces = tracesUrl(env);
  const database = env.DATABASE_URL
    ? ({
        kind: 'postgres',
        url: env.DATABASE_URL,
        poolSize: env.DATABASE_POOL_SIZE,
        statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
        preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
      } as const)
    : ({ kind: 'embedded', dataDir: env.DATA_DIR, sharedBuffersMb: env.EMBEDDED_SHARED_BUFFERS_MB } as const);
  return {
    environment: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    database,
    migrateOnStart: env.MIGRATE_ON_START ?? database.kind === 'embedded',
    redisUrl: env.REDIS_URL,
    logLevel: env.LOG_LEVEL,
    seedDemo: env.SEED_DEMO ?? (!production && database.kind === 'embedded'),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    subjectRefSecret: env.SUBJECT_REF_SECRET ?? developmentSubjectRefSecret,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    apiKeyCache: { ttlMs: env.API_KEY_CACHE_TTL_MS, maxEntries: env.API_KEY_CACHE_MAX_KEYS },
    metricsToken: env.METRICS_TOKEN,
    tracing: traces === null ? null : { tracesUrl: traces, serviceName: env.OTEL_SERVICE_NAME },
    webhooks: {
      timeoutMs: env.WEBHOOK_REQUEST_TIMEOUT_MS,
      pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
      allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    },
  };
}

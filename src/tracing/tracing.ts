import { useOpenTelemetry } from '@envelop/opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config/env.js';

export interface Tracing {
  /** The GraphQL operation spans: one per executed operation, named `<type>.<name>`. */
  readonly plugin: Plugin;
  /** Exports the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Loaded only when an OTLP endpoint is configured (src/main.ts imports this module on demand):
 * without one nothing of OpenTelemetry is loaded and nothing is traced.
 *
 * Spans go over OTLP/HTTP (JSON) in batches. GraphQL operations are traced by
 * @envelop/opentelemetry, given this provider (its own default would be an sdk-trace-base 1.x
 * console exporter); database work by @prisma/instrumentation, whose `prisma:client:db_query`
 * spans are children of the operation's span through the AsyncLocalStorage context manager that
 * `register()` installs. Neither variables nor results nor documents are recorded: they may
 * carry subject references.
 */
export function startTracing(config: NonNullable<Config['tracing']>): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new PrismaInstrumentation()],
  });
  const plugin = useOpenTelemetry(
    { document: false, variables: false, result: false, resolvers: false },
    provider,
    undefined,
    undefined,
    config.serviceName,
  ) as Plugin;
  return {
    plugin,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}

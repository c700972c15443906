import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log/logger.js';
import { startTracing } from '../../src/tracing/tracing.js';
import { makeTenant } from '../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: { key: string; value: { stringValue?: string } }[];
}

interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: ExportedSpan[] }[];
  }[];
}

/** A stand-in OTLP/HTTP collector: records what the exporter posts (JSON) to /v1/traces. */
function collector() {
  const requests: { path: string | undefined; contentType: string | undefined; body: ExportRequest }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      requests.push({
        path: request.url,
        contentType: request.headers['content-type'],
        body: JSON.parse(body) as ExportRequest,
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  return { server, requests };
}

describe('OpenTelemetry traces', () => {
  let database: TestDatabase;
  const receiver = collector();
  let url = '';

  beforeAll(async () => {
    database = await openTestDatabase();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(async () => {
    await database?.close();
    receiver.server.close();
  });

  it('exports a span per GraphQL operation with a child span per database statement, without variables', async () => {
    const tracing = startTracing({ tracesUrl: url, serviceName: 'notarium-test' });
    const app = createApp({
      config: { environment: 'test' },
      database,
      logger: createLogger('silent'),
      tracing,
    });
    const { keys } = await makeTenant(database.prisma);
    const subjectRef = 'traced-never-31@example.org';
    const response = await app.fetch(
      new Request('http://notarium.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.AUDITOR}` },
        body: JSON.stringify({
          query:
            'query TracedLookup($ref: String!) { subject(ref: $ref) { id } purposes(first: 1) { edges { cursor } } }',
          variables: { ref: subjectRef },
        }),
      }),
    );
    expect(response.status).toBe(200);
    await response.text();
    await tracing.shutdown();

    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((request) => request.path === '/v1/traces')).toBe(true);
    expect(receiver.requests[0]?.contentType).toContain('application/json');
    const resources = receiver.requests.flatMap((request) => request.body.resourceSpans);
    expect(
      resources[0]?.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value
        .stringValue,
    ).toBe('notarium-test');
    const spans = resources.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    const operation = spans.find((span) => span.name === 'query.TracedLookup');
    expect(operation, spans.map((span) => span.name).join(', ')).toBeDefined();
    expect(
      operation?.attributes.find((attribute) => attribute.key === 'graphql.execute.operationName')?.value
        .stringValue,
    ).toBe('TracedLookup');

    // Prisma's spans under the operation: prisma:client:operation, and below it the SQL statements.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const underOperation = (span: ExportedSpan): boolean => {
      for (let parent = span.parentSpanId; parent; parent = byId.get(parent)?.parentSpanId) {
        if (parent === operation?.spanId) return true;
      }
      return false;
    };
    const queries = spans.filter((span) => span.name === 'prisma:client:db_query' && underOperation(span));
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((span) => span.traceId === operation?.traceId)).toBe(true);
    expect(
      queries.some((span) =>
        span.attributes.some((attribute) => attribute.key === 'db.query.text' && attribute.value.stringValue),
      ),
    ).toBe(true);
    expect(JSON.stringify(receiver.requests)).not.toContain(subjectRef);
  });
});

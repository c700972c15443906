import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { runInRequestScope } from '../../src/log/request-scope.js';
import { makeTenant } from '../support/factories.js';
import { publishedNotice } from '../support/notice-fixtures.js';
import { useTestApp } from '../support/test-app.js';

function entries(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('logging', () => {
  const t = useTestApp();

  it('writes one access line per request with operation, status, duration and request ID, and no subject reference', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const subjectRef = 'logged-never-9c41@example.org';
    const send = (key: string, body: object, requestId: string) =>
      t.app.fetch(
        new Request('http://notarium.test/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${key}`,
            'x-request-id': requestId,
          },
          body: JSON.stringify(body),
        }),
      );
    const proof = `query Proof($ref: String!) { subject(ref: $ref) { id } }`;
    expect((await send(keys.AUDITOR, { query: proof, variables: { ref: subjectRef } }, 'log-1')).status).toBe(
      200,
    );
    // Refused before execution (the variable has the wrong type): its variables must not be echoed either.
    await send(keys.AUDITOR, { query: proof, variables: { ref: { nested: subjectRef } } }, 'log-2');
    // The reference as the operation name of a request that does not parse.
    await send(keys.AUDITOR, { query: '{', operationName: subjectRef }, 'log-3');
    // A GET with the reference in the query string.
    await t.app.fetch(
      new Request(
        `http://notarium.test/graphql?query=${encodeURIComponent(proof)}&variables=${encodeURIComponent(JSON.stringify({ ref: subjectRef }))}`,
        { headers: { authorization: `Bearer ${keys.AUDITOR}`, 'x-request-id': 'log-4' } },
      ),
    );

    expect(t.logLines.filter((line) => line.includes(subjectRef))).toEqual([]);
    const access = entries(t.logLines).filter((entry) => entry.message === 'request');
    expect(access.find((entry) => entry.requestId === 'log-1')).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/graphql',
      operation: 'Proof',
      status: 200,
      durationMs: expect.any(Number),
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(access.find((entry) => entry.requestId === 'log-3')).toMatchObject({ operation: null });
    expect(access.find((entry) => entry.requestId === 'log-4')).toMatchObject({
      path: '/graphql',
      method: 'GET',
    });
  });

  it('redacts keys that may hold a subject reference or a credential, at any of three levels', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    runInRequestScope('req-7', () =>
      logger.child({ component: 'test' }).error('failure', {
        subjectRef: 'a',
        detail: { variables: { ref: 'b' }, request: { headers: { authorization: 'Bearer c' } } },
        error: new Error('boom'),
      }),
    );
    logger.debug('refs', { refs: ['d'], reference: 'e' });
    const [first, second] = entries(lines);
    expect(first).toMatchObject({
      level: 'error',
      message: 'failure',
      component: 'test',
      requestId: 'req-7',
      subjectRef: '[redacted]',
      detail: { variables: '[redacted]', request: { headers: { authorization: '[redacted]' } } },
      error: { name: 'Error', message: 'boom' },
    });
    expect(second).toMatchObject({ refs: '[redacted]', reference: '[redacted]' });
    createLogger('warn', (line) => lines.push(line)).info('below the level');
    expect(lines).toHaveLength(2);
  });
});

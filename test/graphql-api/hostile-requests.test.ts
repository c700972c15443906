import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { DocumentMeasurer } from '../../src/graphql/limits.js';
import { makeTenant } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function send(
  app: App,
  body: string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Answer> {
  const response = await app.fetch(
    new Request('http://notarium.test/graphql', {
      method,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
      body: method === 'POST' ? body : undefined,
    }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

const codes = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.code);

/**
 * CPU (user + system) this process spends answering, the least of three runs: CPU time, not
 * wall time, so a loaded machine does not inflate it, and the minimum leaves out a stray
 * garbage collection or first-call compilation.
 */
async function cpuMillis<T>(work: () => Promise<T>, runs = 3): Promise<{ result: T; cpuMs: number }> {
  let best = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let run = 0; run < runs; run++) {
    const before = process.cpuUsage();
    result = await work();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return { result: result as T, cpuMs: best };
}

/** `{ ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment F24 on Query { viewer { role } }`. */
function fragmentBomb(levels: number): string {
  const fragments = Array.from(
    { length: levels },
    (_, level) => `fragment F${level} on Query { ...F${level + 1} ...F${level + 1} }`,
  );
  return `{ ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { viewer { role } }`;
}

const json = (query: string, variables?: unknown) => JSON.stringify({ query, variables });

describe('hostile requests', () => {
  const t = useTestApp();

  it('measures each fragment once, so a doubling fragment chain costs linear work', () => {
    const document = parse(fragmentBomb(24));
    const measurer = new DocumentMeasurer(document, {});
    const operation = document.definitions[0];
    if (operation?.kind !== 'OperationDefinition') throw new Error('expected an operation');
    const measure = measurer.operation(operation);
    expect(measurer.fragmentWalks).toBe(25);
    expect(measure.cost).toBe(2 ** 24 * 2);
    expect(measure.depth).toBe(2);
  });

  it('answers the fragment bomb with a coded refusal in bounded CPU, with and without a key', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const body = json(fragmentBomb(24));
    await send(t.app, json('{ viewer { role } }'), { authorization: `Bearer ${keys.READER}` });
    const anonymous = await cpuMillis(() => send(t.app, body));
    expect(anonymous.result.status).toBe(401);
    expect(codes(anonymous.result)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.cpuMs).toBeLessThan(100);
    const keyed = await cpuMillis(() => send(t.app, body, { authorization: `Bearer ${keys.READER}` }));
    expect(codes(keyed.result)).toEqual(['QUERY_TOO_COSTLY']);
    expect(keyed.cpuMs).toBeLessThan(100);
  });

  it('checks the key before reading the document: 4 MB without a valid key costs no parse', async () => {
    const huge = json(`{ ${'__typename '.repeat(400_000)}}`);
    const missing = await cpuMillis(() => send(t.app, huge));
    expect(missing.result.status).toBe(401);
    expect(missing.cpuMs).toBeLessThan(100);
    const wrong = await cpuMillis(() => send(t.app, huge, { authorization: 'Bearer not-a-key' }));
    expect(wrong.result.status).toBe(401);
    expect(codes(wrong.result)).toEqual(['API_KEY_INVALID']);
    expect(wrong.cpuMs).toBeLessThan(100);
  });

  it('stops the parser at the token limit, and answers a deeply nested literal with a coded 400', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const auth = { authorization: `Bearer ${keys.READER}` };
    const query = `{ ${'__typename '.repeat(400_000)}}`;
    const huge = json(query);
    const tokens = await cpuMillis(() => send(t.app, huge, auth));
    expect(tokens.result.status).toBe(400);
    expect(codes(tokens.result)).toEqual(['TOO_MANY_TOKENS']);
    // Against a parse of the whole document in this process (about 30 times the answer's CPU),
    // not a fixed figure: a loaded machine slows both alike, and the answer, which reads the 4 MB
    // body, took 38–52 ms on a quiet run and 114 ms in a busy CI.
    const fullParse = await cpuMillis(async () => parse(query), 1);
    expect(tokens.cpuMs).toBeLessThan(fullParse.cpuMs / 5);

    const nested = `${'['.repeat(5_000)}1${']'.repeat(5_000)}`;
    const deep = await cpuMillis(() => send(t.app, json(`{ notice(key: ${nested}) { key } }`), auth));
    expect(deep.result.status).toBe(400);
    expect(codes(deep.result)).toHaveLength(1);
    expect(['TOO_MANY_TOKENS', 'QUERY_TOO_COMPLEX']).toContain(codes(deep.result)[0]);
    expect(deep.cpuMs).toBeLessThan(100);
  });

  it('answers a deeper literal than the stack allows within the token limit with QUERY_TOO_COMPLEX', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    // A tight token budget is not what protects here: the stack overflows first.
    const { createApp } = await import('../../src/app.js');
    const { createLogger } = await import('../../src/log/logger.js');
    const app = createApp({
      config: { environment: 'test' },
      database: t.database,
      logger: createLogger('error', () => {}),
      limits: { parser: { maxTokens: 10_000_000, maxDirectives: 50 } },
    });
    const nested = `${'['.repeat(200_000)}1${']'.repeat(200_000)}`;
    const deep = await send(app, json(`{ notice(key: ${nested}) { key } }`), {
      authorization: `Bearer ${keys.READER}`,
    });
    expect(deep.status).toBe(400);
    expect(codes(deep)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('refuses too many directives with a code', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const directives = '@include(if: true) '.repeat(51);
    const answer = await send(t.app, json(`{ viewer ${directives} { role } }`), {
      authorization: `Bearer ${keys.READER}`,
    });
    expect(codes(answer)).toContain('TOO_MANY_DIRECTIVES');
  });

  it('answers request-level errors with 400, whatever the Accept header', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const auth = { authorization: `Bearer ${keys.READER}` };
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      for (const body of ['{}', '{"variables":{}}', '{"query":42}', '[]', 'not json']) {
        const answer = await send(t.app, body, { ...auth, accept });
        expect(answer.status, `${accept} ${body}`).toBe(400);
        expect(answer.body.errors?.[0]?.extensions?.code, `${accept} ${body}`).toBeTruthy();
      }
    }
    const multipart = await t.app.fetch(
      new Request('http://notarium.test/graphql', {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'multipart/form-data; boundary=x',
          accept: 'application/json',
          'x-graphql-yoga-csrf': '1',
        },
        body: '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\nnot json\r\n--x--\r\n',
      }),
    );
    expect(multipart.status).toBe(400);
  });
});

describe('the one page served without a key', () => {
  const t = useTestApp();

  it('serves nothing at paths graphql-yoga would also treat as its endpoint', async () => {
    for (const path of ['/graphql/', '/x/graphql', '/x?a=/graphql', '/']) {
      const answer = await t.app.fetch(
        new Request(`http://notarium.test${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: json('{ nope }'),
        }),
      );
      expect(answer.status, path).toBe(404);
      const body = (await answer.json()) as Answer['body'];
      expect(codes({ status: 404, headers: answer.headers, body }), path).toEqual(['NOT_FOUND']);
    }
  });

  it('is GraphiQL, outside production; a GET for anything else still needs a key', async () => {
    const page = await t.app.fetch(
      new Request('http://notarium.test/graphql', { headers: { accept: 'text/html' } }),
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
    const query = await t.app.fetch(
      new Request('http://notarium.test/graphql?query=%7Bviewer%7Brole%7D%7D', {
        headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
      }),
    );
    expect(query.status).toBe(401);
  });
});

describe('hostile requests in production', () => {
  const t = useTestApp({ environment: 'production' });

  it('gives no field suggestions', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const answer = await send(t.app, json('{ viewr { role } }'), { authorization: `Bearer ${keys.READER}` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toMatch(/Cannot query field "viewr"/);
    expect(JSON.stringify(answer.body)).not.toMatch(/Did you mean/);
  });

  it('gives no suggestions for enum values or variables either', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const auth = { authorization: `Bearer ${keys.ADMIN}` };
    const literal = await send(
      t.app,
      json('mutation { createApiKey(input: { name: "k", role: READR }) { __typename } }'),
      auth,
    );
    expect(literal.status).toBe(400);
    const variable = await send(
      t.app,
      json('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }', {
        input: { name: 'k', role: 'READR', nam: 'x' },
      }),
      auth,
    );
    expect(variable.status).toBe(400);
    for (const answer of [literal, variable]) {
      expect(answer.body.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(answer.body)).not.toMatch(/Did you mean|READER|"name"/);
    }
  });
});

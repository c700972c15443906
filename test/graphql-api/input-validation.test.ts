import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { parseDateTime } from '../../src/graphql/scalars.js';
import { makeTenant } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function send(app: App, key: string, query: string, variables: unknown = {}): Promise<Answer> {
  const response = await app.fetch(
    new Request('http://notarium.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const codes = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.code);

const CreateNotice = `mutation($input: CreateNoticeInput!) { createNotice(input: $input) { __typename } }`;
const CreateKey = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }`;

describe('DateTime', () => {
  it.each([
    ['2026-02-30T00:00:00Z', 'February has no 30th'],
    ['2025-02-29T00:00:00Z', '2025 is not a leap year'],
    ['2100-02-29T00:00:00Z', 'century years are leap years only when divisible by 400'],
    ['2026-04-31T00:00:00Z', 'April has 30 days'],
    ['2026-13-01T00:00:00Z', 'no thirteenth month'],
    ['2026-00-10T00:00:00Z', 'no month zero'],
    ['2026-01-00T00:00:00Z', 'no day zero'],
    ['2026-01-01T24:00:00Z', 'hours run to 23'],
    ['2026-01-01T23:60:00Z', 'minutes run to 59'],
    ['2026-01-01T23:59:60Z', 'leap seconds are not instants JavaScript can hold'],
    ['2026-01-01T00:00:00+24:00', 'offsets stay within a day'],
    ['2026-01-01T00:00:00', 'a time zone is required'],
    ['2026-01-01', 'a time is required'],
    ['0000-06-30T00:00:00Z', 'the year 0 (1 BC) is not an instant the database accepts as ISO 8601'],
    ['0001-01-01T00:30:00+01:00', 'in UTC that is the year 0'],
  ])('refuses %s (%s)', (value) => {
    expect(() => parseDateTime(value)).toThrowError(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
    );
  });

  it.each([
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:59:59.999Z'],
    ['2026-03-01T01:00:00+02:00', '2026-02-28T23:00:00.000Z'],
    ['2026-01-01t00:00:00z', '2026-01-01T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
  ])('accepts %s as %s', (value, instant) => {
    expect(parseDateTime(value).toISOString()).toBe(instant);
  });
});

describe('input that cannot be stored as sent', () => {
  const t = useTestApp();

  async function noticeCount() {
    return t.database.prisma.notice.count();
  }

  it('refuses an impossible date through the API with BAD_USER_INPUT and writes nothing', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const before = await t.database.prisma.apiKey.count();
    for (const expiresAt of ['2026-02-30T00:00:00Z', '2027-02-29T00:00:00Z']) {
      const viaVariable = await send(t.app, keys.ADMIN, CreateKey, {
        input: { name: 'k', role: 'READER', expiresAt },
      });
      expect(viaVariable.status).toBe(400);
      expect(codes(viaVariable)).toEqual(['BAD_USER_INPUT']);
      const literal = await send(
        t.app,
        keys.ADMIN,
        `mutation { createApiKey(input: { name: "k", role: READER, expiresAt: "${expiresAt}" }) { __typename } }`,
      );
      expect(codes(literal)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await t.database.prisma.apiKey.count()).toBe(before);
  });

  it.each([
    ['NUL', 'Terms\u0000'],
    ['a lone high surrogate', 'Terms \ud800'],
    ['a lone low surrogate', '\udc00 Terms'],
  ])('refuses %s in a variable, anywhere in the input, with its path', async (_name, title) => {
    const { keys } = await makeTenant(t.database.prisma);
    const before = await noticeCount();
    const answer = await send(t.app, keys.ADMIN, CreateNotice, {
      input: { key: 'terms', title, defaultLocale: 'en' },
    });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(answer.body.errors?.[0]?.message).toContain('$input.title');
    expect(await noticeCount()).toBe(before);
  });

  it('refuses NUL in string literals of queries and mutations', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const before = await noticeCount();
    const cases = [
      `{ notice(key: "privacy\\u0000policy") { key } }`,
      `{ notices(search: "x\\u0000") { edges { node { key } } } }`,
      `mutation { createNotice(input: { key: "k", title: "T\\u0000", defaultLocale: "en" }) { __typename } }`,
    ];
    for (const query of cases) {
      const answer = await send(t.app, keys.ADMIN, query);
      expect(answer.status, query).toBe(400);
      expect(codes(answer), query).toContain('BAD_USER_INPUT');
      expect(JSON.stringify(answer.body)).not.toContain('INTERNAL_SERVER_ERROR');
    }
    const viaVariable = await send(t.app, keys.ADMIN, 'query($k: String!) { notice(key: $k) { key } }', {
      k: 'a\u0000',
    });
    expect(codes(viaVariable)).toEqual(['BAD_USER_INPUT']);
    expect(await noticeCount()).toBe(before);
  });

  it('still stores well-formed text outside the Basic Multilingual Plane exactly', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const title = 'Avis 🙂 𝔗𝔢𝔯𝔪𝔰';
    const answer = await send(t.app, keys.ADMIN, CreateNotice, {
      input: { key: 'emoji', title, defaultLocale: 'fr' },
    });
    expect(answer.body.errors).toBeUndefined();
    const stored = await t.database.prisma.notice.findFirst({
      where: { key: 'emoji' },
      select: { title: true },
    });
    expect(stored?.title).toBe(title);
  });
});

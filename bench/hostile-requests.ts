/**
 * What a hostile request costs the server: CPU (user + system, this process) per request for each
 * kind of refusal, through the real GraphQL handler on an in-memory PGlite, and — for comparison —
 * what graphql-js alone would spend parsing the same document. Prints its figures; asserts nothing.
 */
import { PGlite } from '@electric-sql/pglite';
import { parse } from 'graphql';
import { createApp } from '../src/app.js';
import { createPgliteAdapterFactory } from '../src/db/adapters.js';
import { databaseFromFactory } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { memoryRateLimiter } from '../src/graphql/rate-limit.js';
import { createLogger } from '../src/log/logger.js';
import { issueApiKey } from '../src/modules/api-key/api-key.service.js';
import { createController } from '../src/modules/controller/controller.service.js';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 20);

const fragmentBomb = (levels: number) =>
  `{ ...F0 } ${Array.from({ length: levels }, (_, level) => `fragment F${level} on Query { ...F${level + 1} ...F${level + 1} }`).join(' ')} fragment F${levels} on Query { viewer { role } }`;

const cases: { name: string; query: string; keyed: boolean }[] = [
  { name: 'fragment bomb (25 levels), no key', query: fragmentBomb(24), keyed: false },
  { name: 'fragment bomb (25 levels), valid key', query: fragmentBomb(24), keyed: true },
  { name: '4 MB of __typename, no key', query: `{ ${'__typename '.repeat(400_000)}}`, keyed: false },
  { name: '4 MB of __typename, valid key', query: `{ ${'__typename '.repeat(400_000)}}`, keyed: true },
  {
    name: 'list literal nested 5,000 deep, valid key',
    query: `{ notice(key: ${'['.repeat(5_000)}1${']'.repeat(5_000)}) { key } }`,
    keyed: true,
  },
  { name: 'plain { viewer { role } }, valid key (baseline)', query: '{ viewer { role } }', keyed: true },
];

async function main() {
  const pglite = new PGlite();
  await deployMigrations(createPgliteAdapterFactory(pglite));
  const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), () => pglite.close());
  const controller = await createController(database.prisma, {
    slug: 'bench',
    name: 'Bench',
    legalName: 'Bench SE',
    contactEmail: 'privacy@bench.example',
  });
  const { secret } = await issueApiKey(database.prisma, controller.id, { name: 'bench', role: 'READER' });
  const app = createApp({
    config: { environment: 'production' },
    database,
    logger: createLogger('silent'),
    limits: { rateLimiter: memoryRateLimiter(1_000_000) },
  });

  console.log(`CPU per request (ms, this process), ${iterations} requests each after one warm-up:`);
  for (const { name, query, keyed } of cases) {
    const body = JSON.stringify({ query });
    const send = async () => {
      const response = await app.fetch(
        new Request('http://bench/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(keyed ? { authorization: `Bearer ${secret}` } : {}),
          },
          body,
        }),
      );
      const answer = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      return `${response.status} ${answer.errors?.[0]?.extensions?.code ?? 'ok'}`;
    };
    const outcome = await send();
    const samples: number[] = [];
    for (let run = 0; run < iterations; run++) {
      const before = process.cpuUsage();
      await send();
      const used = process.cpuUsage(before);
      samples.push((used.user + used.system) / 1000);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)]!;
    console.log(
      `  ${name.padEnd(48)} ${outcome.padEnd(28)} median ${median.toFixed(1)} ms, max ${samples.at(-1)!.toFixed(1)} ms`,
    );
  }

  const before = process.cpuUsage();
  parse(`{ ${'__typename '.repeat(400_000)}}`);
  const used = process.cpuUsage(before);
  console.log(
    `  for comparison: graphql-js parsing the 4 MB document unguarded: ${((used.user + used.system) / 1000).toFixed(0)} ms`,
  );
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

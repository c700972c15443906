/**
 * What a request leaves that V8's young-generation collections keep (ADR 0050): on in-memory PGlite
 * with the notice-read data (BENCH_VERSIONS 40 versions × BENCH_PURPOSES 6 purposes), after
 * BENCH_WARMUP (300) requests of each kind, it runs BENCH_REQUESTS (20) requests one at a time,
 * then two young-generation collections, and prints how much the old generation grew per request
 * (what those collections promoted instead of freeing; a full collection frees it). Three rounds
 * a kind, after a full collection each; the median is printed.
 *
 * Kinds: `{ __typename }` with a key; the frontend notice query; a raw query of 20 rows of 300
 * characters through the app's Prisma client; the same through a Prisma client with Prisma's own
 * query promises (the object literal with a `spec` getter). Needs --expose-gc:
 *   npm run bench:survivors
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { createPgliteAdapterFactory } from '../src/db/adapters.js';
import { databaseFromFactory } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { benchApp, noticeQuery, seedNotice } from './notice-seed.js';

const versions = Number(process.env.BENCH_VERSIONS ?? 40);
const purposes = Number(process.env.BENCH_PURPOSES ?? 6);
const warmup = Number(process.env.BENCH_WARMUP ?? 300);
const requests = Number(process.env.BENCH_REQUESTS ?? 20);
const gc = (globalThis as { gc?: (options?: { type: 'major' | 'minor' }) => void }).gc;
if (!gc) throw new Error('Run with --expose-gc (npm run bench:survivors).');

const oldSpaceBytes = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!.space_used_size;

/** 20 rows of 300 characters and more, through `prisma`'s query promise. */
const rawRows = (prisma: PrismaClient, tag: string) =>
  prisma.$queryRaw`SELECT ${tag}::text AS a, repeat(${tag}, 300) AS b FROM generate_series(1, 20)`;

async function keptPerRequest(work: () => Promise<unknown>): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    gc!();
    gc!();
    const before = oldSpaceBytes();
    for (let index = 0; index < requests; index++) await work();
    gc!({ type: 'minor' });
    gc!({ type: 'minor' });
    rounds.push((oldSpaceBytes() - before) / requests / 1024);
  }
  return rounds.sort((a, b) => a - b)[1]!;
}

async function main() {
  const pglite = await PGlite.create();
  await deployMigrations(createPgliteAdapterFactory(pglite));
  const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), () => pglite.close());
  const prismaOwnPromises = new PrismaClient({ adapter: createPgliteAdapterFactory(pglite) });
  try {
    const { call, editor, reader } = await benchApp(database);
    await seedNotice(call, editor, versions, purposes);
    let n = 0;
    const kinds: [string, () => Promise<unknown>][] = [
      ['{ __typename } with a key', () => call(reader, '{ __typename }')],
      ['the frontend notice query', () => call(reader, noticeQuery, { locale: 'de-AT' })],
      ['raw query, 20 rows, the app’s Prisma client', () => rawRows(database.prisma, `r${n++}`)],
      ['raw query, 20 rows, Prisma’s own promises', () => rawRows(prismaOwnPromises, `r${n++}`)],
    ];
    console.log(
      `kept through two young-generation collections, per request (median of 3 rounds of ${requests}, after ${warmup} warm-ups):`,
    );
    for (const [name, work] of kinds) {
      for (let index = 0; index < warmup; index++) await work();
      console.log(`  ${name}: ${(await keptPerRequest(work)).toFixed(1)} kB`);
    }
  } finally {
    await prismaOwnPromises.$disconnect();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

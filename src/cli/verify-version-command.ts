import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
import { verifyVersion } from '../modules/notice/verify-version.js';

export async function runVerifyVersionCommand(
  args: string[],
  open: () => Promise<Database>,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { controller: { type: 'string' } },
  });
  const [noticeKey, numberText] = positionals;
  const number = Number(numberText);
  if (!values.controller || !noticeKey || !Number.isInteger(number)) {
    process.stderr.write('Usage: verify-version --controller <slug> <noticeKey> <number>\n');
    return 2;
  }
  const database = await open();
  try {
    const result = await verifyVersion(database.prisma, values.controller, noticeKey, number);
    process.stdout.write(
      `${noticeKey} #${number}\n  stored:     ${result.storedHash}\n  recomputed: ${result.recomputedHash}\n` +
        `${result.matches ? 'MATCH: the stored records reproduce the published content hash.' : 'MISMATCH: the stored records no longer reproduce the published content hash.'}\n`,
    );
    return result.matches ? 0 : 1;
  } finally {
    await database.close();
  }
}

import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
import { InputValidationError, NotFoundError } from '../domain/errors.js';
import { type PurgeReport, purgeExpiredRecords } from '../modules/erasure/retention.service.js';
import { parseInstantOption } from './instant-option.js';

export const retentionUsage = 'Usage: retention purge [--controller <slug>] [--dry-run] [--now <ISO 8601>]';

const number = (value: number) => value.toLocaleString('en-US');
const plural = (count: number, noun: string) => `${number(count)} ${noun}${count === 1 ? '' : 's'}`;

/** One line per controller: what was (or would be) purged, against which cutoff, and who is held. */
export function purgeSummary(slug: string, report: PurgeReport): string {
  if (report.retentionMonths === null || report.cutoff === null)
    return `${slug}: no retention schedule (proofRetentionMonths not set); records are kept for ever`;
  const verb = report.dryRun ? 'would purge' : 'purged';
  return (
    `${slug}: ${verb} ${report.subjects === 1 ? '1 person' : `${number(report.subjects)} people`}` +
    ` (${plural(report.notifications, 'notification')}, ${plural(report.events, 'event')}, ` +
    `${plural(report.responses, 'response')}, ${plural(report.objectionCases, 'objection case')}); ` +
    `last processing before ${report.cutoff.toISOString()} (${report.retentionMonths} months); ` +
    `held: ${number(report.heldForLegalHold)} on legal hold, ${number(report.heldForOpenObjection)} with an open objection`
  );
}

/**
 * `retention purge`: the retention schedule (docs/retention.md) for one controller or every
 * one, as a cron job would run it. `--now` stands in for the clock: an earlier instant for a real
 * run, any with `--dry-run` (what a later run will purge). Exit 0 done, 1 a coded failure, 2 a
 * usage error.
 */
export async function runRetentionCommand(args: string[], open: () => Promise<Database>): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      controller: { type: 'string' },
      'dry-run': { type: 'boolean' },
      now: { type: 'string' },
    },
  });
  if (action !== 'purge') {
    process.stderr.write(`${retentionUsage}\n`);
    return 2;
  }
  const clock = new Date();
  const now = parseInstantOption('now', values.now) ?? clock;
  const dryRun = values['dry-run'] ?? false;
  if (!dryRun && now > clock)
    throw new InputValidationError([
      {
        path: ['--now'],
        message: 'may be in the future only with --dry-run: a real run purges only what is due now',
      },
    ]);
  const slug = values.controller;
  const database = await open();
  try {
    const controllers = await database.prisma.controller.findMany({
      where: slug === undefined ? {} : { slug },
      select: { id: true, slug: true },
      orderBy: { slug: 'asc' },
    });
    if (slug !== undefined && controllers.length === 0) throw new NotFoundError('Controller', slug);
    for (const controller of controllers) {
      const report = await purgeExpiredRecords(database, controller.id, {
        actor: { controllerId: controller.id, apiKeyId: null, role: null },
        dryRun,
        now,
      });
      process.stdout.write(`${purgeSummary(controller.slug, report)}\n`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
import { InputValidationError } from '../domain/errors.js';
import { createController } from '../modules/controller/controller.service.js';
import type { CreateControllerInput } from '../modules/controller/controller.validation.js';
import { withDatabase } from './with-database.js';

export async function runControllerCommand(args: string[], open: () => Promise<Database>): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: {
        slug: { type: 'string' },
        name: { type: 'string' },
        'legal-name': { type: 'string' },
        'contact-email': { type: 'string' },
        'dpo-contact': { type: 'string' },
        'eu-representative': { type: 'string' },
        'minimum-notice-days': { type: 'string' },
        'reach-evidence': { type: 'string' },
        'proof-retention-months': { type: 'string' },
      },
    });
    const reachEvidence = jsonOption('reachEvidence', values['reach-evidence']);
    return withDatabase(open, async (database) => {
      const controller = await createController(database.prisma, {
        slug: values.slug ?? '',
        name: values.name ?? '',
        legalName: values['legal-name'] ?? '',
        contactEmail: values['contact-email'] ?? '',
        dpoContact: values['dpo-contact'],
        euRepresentative: values['eu-representative'],
        minimumNoticeDays: values['minimum-notice-days'] ? Number(values['minimum-notice-days']) : undefined,
        proofRetentionMonths: values['proof-retention-months']
          ? Number(values['proof-retention-months'])
          : undefined,
        // Whatever was given: createController checks it against the schema.
        reachEvidence: reachEvidence as CreateControllerInput['reachEvidence'],
      });
      process.stdout.write(`Created controller ${controller.slug} (${controller.id})\n`);
    });
  }
  if (sub === 'list' && rest.length === 0) {
    return withDatabase(open, async (database) => {
      const controllers = await database.prisma.controller.findMany({ orderBy: { slug: 'asc' } });
      for (const c of controllers) process.stdout.write(`${c.slug}\t${c.id}\t${c.name}\n`);
    });
  }
  process.stderr.write('Usage: controller create … | controller list\n');
  return 2;
}

/** A JSON-valued option (checked by the schema it is handed to); text that is not JSON is refused. */
function jsonOption(name: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InputValidationError([
      { path: [name], message: 'must be JSON, e.g. {"IN_APP":["ACKNOWLEDGED"]}' },
    ]);
  }
}

import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { validationFailed } from '../../domain/errors.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { subjectRef } from '../notification/notification.validation.js';
import type { SubjectRefHasher } from '../subject/subject-ref.js';
import { loadConsentRecords } from './consent-records.sql.js';
import { type ExportFormat, exportDocument, exportFormats } from './record-formats.js';
import { schemaProblems } from './record-schemas.js';

export const maxExportRecords = 10_000;
export const consentRecordsExportedAction = 'consentRecords:export';

const validDate = z.date().refine((value) => !Number.isNaN(value.getTime()), 'must be a valid date');

export const exportSelectionSchema = z
  .object({
    format: z.enum(exportFormats),
    subjectRef: subjectRef.nullish(),
    // A filter, not a key being created: any key that is not the controller's matches nothing.
    purposeKey: z.string().min(1).max(200).nullish(),
    from: validDate.nullish(),
    to: validDate.nullish(),
  })
  .refine((value) => !value.from || !value.to || value.from.getTime() <= value.to.getTime(), {
    message: 'must not be after `to`',
    path: ['from'],
  });

export type ExportSelection = z.input<typeof exportSelectionSchema>;

export interface ConsentRecordExport {
  readonly format: ExportFormat;
  readonly recordCount: number;
  /** More records match than one export holds: narrow the selection. */
  readonly truncated: boolean;
  readonly document: unknown;
}

/**
 * Exports the controller's consent records (every response: consents, refusals, withdrawals,
 * objections) for one person or a selection, as 27560-shaped JSON or DPV JSON-LD. The document is
 * checked against the format's schema before it leaves, and the export is audited.
 */
export async function exportConsentRecords(
  database: Database,
  viewer: Viewer,
  hasher: SubjectRefHasher,
  selection: ExportSelection,
  now = new Date(),
): Promise<ConsentRecordExport> {
  const parsed = exportSelectionSchema.safeParse(selection);
  if (!parsed.success) throw validationFailed(parsed.error.issues);
  const { format, subjectRef: ref, purposeKey, from, to } = parsed.data;
  const controller = await database.prisma.controller.findUniqueOrThrow({
    where: { id: viewer.controllerId },
    select: { slug: true, name: true, legalName: true, contactEmail: true },
  });
  const rows = await loadConsentRecords(
    database,
    viewer.controllerId,
    {
      ...(ref ? { subjectRefHash: hasher.hash(viewer.controllerId, ref) } : {}),
      ...(purposeKey ? { purposeKey } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    },
    maxExportRecords + 1,
  );
  const truncated = rows.length > maxExportRecords;
  const records = truncated ? rows.slice(0, maxExportRecords) : rows;
  const document = exportDocument(format, controller, records, now);
  const problems = schemaProblems(format, document);
  // Unreachable unless the code and the shipped schema disagree: refuse rather than export.
  if (problems.length > 0) throw new Error(`The ${format} export breaks its schema: ${problems.join('; ')}`);
  // An export that found nothing disclosed nothing: only exports of records are audited (and so a
  // filter naming what is not this controller's never lands in its trail).
  if (records.length > 0)
    await database.prisma.$transaction((tx) =>
      appendAudit(tx, actorOf(viewer), {
        action: consentRecordsExportedAction,
        targetType: 'Response',
        details: {
          format,
          subject: ref ? 'one' : null,
          purposeKey: purposeKey ?? null,
          from: from?.toISOString() ?? null,
          to: to?.toISOString() ?? null,
          records: records.length,
          truncated,
        },
      }),
    );
  return { format, recordCount: records.length, truncated, document };
}

export class ConsentRecordService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly hasher: SubjectRefHasher,
  ) {}

  export(selection: ExportSelection): Promise<ConsentRecordExport> {
    return exportConsentRecords(this.database, this.viewer, this.hasher, selection);
  }
}

import { Prisma } from '../generated/prisma/client.js';

interface ConstraintCause {
  constraint?: { fields?: string[]; index?: string };
}

/**
 * With driver adapters, P2002 carries the constraint in meta.driverAdapterError.cause:
 * `{ fields }` on PGlite, `{ index }` on PostgreSQL. This accepts both.
 */
export function isUniqueViolation(error: unknown, fieldOrIndex?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  if (fieldOrIndex === undefined) return true;
  const meta = error.meta as
    | { target?: unknown; driverAdapterError?: { cause?: ConstraintCause } }
    | undefined;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  const names = [
    ...(constraint?.fields ?? []),
    ...(constraint?.index ? [constraint.index] : []),
    ...(Array.isArray(meta?.target) ? (meta.target as string[]) : []),
  ];
  return names.some((name) => name === fieldOrIndex || name.includes(fieldOrIndex));
}

/** The PostgreSQL SQLSTATE behind a Prisma raw-query error (P2010), on both drivers; else null. */
export function sqlStateOf(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const meta = error.meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === 'string' ? code : null;
}

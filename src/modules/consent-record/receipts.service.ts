import type { Database } from '../../db/database.js';
import { getOrCreateSigningKey, listSigningKeys } from '../evidence/signing-key.js';
import type { BulkResult } from '../notification/item-result.js';
import { type ConsentRecordRow, loadConsentRecords } from './consent-records.sql.js';
import { type Jwks, publicJwk, type ReceiptClaims, signReceipt } from './receipt-jws.js';

export function receiptClaims(issuer: string, row: ConsentRecordRow): ReceiptClaims {
  return {
    iss: issuer,
    sub: row.subjectRefHash,
    jti: row.id,
    iat: Math.floor(Date.parse(row.recordedAt) / 1000),
    kind: row.kind,
    purpose: { key: row.purposeKey, revision: row.purposeRevision },
    notice:
      row.noticeKey === null || row.versionNumber === null
        ? null
        : { key: row.noticeKey, version: row.versionNumber, contentHash: row.noticeContentHash },
    locale: row.locale,
    occurredAt: row.occurredAt,
    recordedAt: row.recordedAt,
    channel: row.channel,
    actor: row.actor,
    collectionMethod: row.collectionMethod,
    explicit: row.explicit,
    recordHash: row.contentHash,
  };
}

/**
 * Signed receipts for the records a bulk write accepted or found (ACCEPTED and DUPLICATE items),
 * with the controller's current signing key: one statement for the records, one for the key.
 * A DUPLICATE gets the receipt of the original record, so a retry hands the person the same facts.
 */
export async function withReceipts(
  database: Database,
  controllerId: string,
  result: BulkResult,
): Promise<BulkResult> {
  const ids = [...new Set(result.items.flatMap((item) => (item.recordId ? [item.recordId] : [])))];
  if (ids.length === 0) return result;
  const [controller, key, rows] = await Promise.all([
    database.prisma.controller.findUniqueOrThrow({ where: { id: controllerId }, select: { slug: true } }),
    getOrCreateSigningKey(database, controllerId),
    loadConsentRecords(database, controllerId, { ids }, ids.length),
  ]);
  const receipts = new Map(
    rows.map((row) => [row.id, signReceipt(receiptClaims(controller.slug, row), key)]),
  );
  return {
    ...result,
    items: result.items.map((item) =>
      item.recordId ? { ...item, receipt: receipts.get(item.recordId) ?? null } : item,
    ),
  };
}

/** The controller's public keys as a JWKS (RFC 7517, OKP/Ed25519 per RFC 8037), newest first. */
export async function controllerJwks(database: Database, slug: string): Promise<Jwks | null> {
  const controller = await database.prisma.controller.findUnique({ where: { slug }, select: { id: true } });
  if (controller === null) return null;
  const keys = await listSigningKeys(database, controller.id);
  return { keys: keys.map((key) => publicJwk(key.keyId, key.publicKey)) };
}

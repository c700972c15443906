import { Prisma } from '../../generated/prisma/client.js';

/**
 * A leaf of the log is 33 bytes: one type byte, then the 32-byte hash it commits to
 * (docs/transparency-log.md). The leaf hash is RFC 9162's SHA-256(0x00 || leaf).
 */
export const entryTypes = { NOTICE_VERSION: 0x01, NOTIFICATION: 0x02 } as const;
export type EntryType = keyof typeof entryTypes;

export function encodeLeaf(type: EntryType, entryHash: Uint8Array): Buffer {
  if (entryHash.length !== 32) throw new RangeError('a leaf commits to a 32-byte hash');
  return Buffer.concat([Buffer.of(entryTypes[type]), entryHash]);
}

/**
 * The 32 bytes a notice version's leaf commits to, from its stored content hash
 * (`sha256:` + 64 hex digits): the digest itself.
 */
export function versionEntryHashSql(contentHash: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`decode(substr(${contentHash}, 8), 'hex')`;
}

/**
 * The 32 bytes a notification's leaf commits to, from its stored record content hash (64 hex
 * digits). Every notification leaf is made through this one function: the log commits to the
 * record hash exactly as stored, whatever the record hash covers.
 */
export function notificationEntryHashSql(contentHash: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`decode(${contentHash}, 'hex')`;
}

/** SHA-256(0x00 || type byte || entry hash), in SQL: the level-0 node of a stored leaf. */
export function leafHashSql(type: Prisma.Sql, entryHash: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`sha256('\\x00'::bytea || (CASE ${type} WHEN 'NOTICE_VERSION' THEN '\\x01'::bytea ELSE '\\x02'::bytea END) || ${entryHash})`;
}

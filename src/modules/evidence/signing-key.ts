import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { isoUtc } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import { keyIdOf } from './bundle-format.js';

export interface SigningKey {
  /** `sha256:` + hex SHA-256 of the DER public key: what regulators compare with the published key. */
  readonly keyId: string;
  readonly algorithm: 'Ed25519';
  /** SubjectPublicKeyInfo, PEM. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
  readonly createdAt: Date;
}

export interface PublishedSigningKey {
  readonly keyId: string;
  readonly algorithm: 'Ed25519';
  readonly publicKey: string;
  readonly createdAt: Date;
  readonly retiredAt: Date | null;
}

interface KeyRow {
  keyId: string;
  publicKey: string;
  privateKey: string;
  createdAt: string;
  retiredAt: string | null;
}

const columns = Prisma.sql`"keyId", "publicKey", "privateKey",
  ${isoUtc(Prisma.sql`"createdAt"`)} AS "createdAt", ${isoUtc(Prisma.sql`"retiredAt"`)} AS "retiredAt"`;

/**
 * The controller's current signing key, created on first use. A per-controller advisory lock
 * keeps two concurrent first exports from creating two keys.
 */
export async function getOrCreateSigningKey(database: Database, controllerId: string): Promise<SigningKey> {
  return database.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('notarium-signing-key:' || ${controllerId}))`;
    const [current] = await tx.$queryRaw<KeyRow[]>`
      SELECT ${columns} FROM "ControllerSigningKey"
      WHERE "controllerId" = ${controllerId}::uuid AND "retiredAt" IS NULL
      ORDER BY "createdAt" DESC, "keyId" LIMIT 1`;
    if (current) return toSigningKey(current);
    const pair = generateKeyPairSync('ed25519');
    const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const [created] = await tx.$queryRaw<KeyRow[]>`
      INSERT INTO "ControllerSigningKey" ("keyId", "controllerId", "algorithm", "publicKey", "privateKey")
      VALUES (${keyIdOf(pair.publicKey)}, ${controllerId}::uuid, 'Ed25519', ${publicKey}, ${privateKey})
      RETURNING ${columns}`;
    return toSigningKey(created!);
  });
}

/** Every key the controller has signed with, newest first: what the API publishes. */
export async function listSigningKeys(
  database: Database,
  controllerId: string,
): Promise<PublishedSigningKey[]> {
  const rows = await database.prisma.$queryRaw<KeyRow[]>`
    SELECT ${columns} FROM "ControllerSigningKey" WHERE "controllerId" = ${controllerId}::uuid
    ORDER BY "createdAt" DESC, "keyId"`;
  return rows.map((row) => ({
    keyId: row.keyId,
    algorithm: 'Ed25519',
    publicKey: row.publicKey,
    createdAt: new Date(row.createdAt),
    retiredAt: row.retiredAt === null ? null : new Date(row.retiredAt),
  }));
}

function toSigningKey(row: KeyRow): SigningKey {
  return {
    keyId: row.keyId,
    algorithm: 'Ed25519',
    publicKey: row.publicKey,
    privateKey: createPrivateKey(row.privateKey),
    createdAt: new Date(row.createdAt),
  };
}

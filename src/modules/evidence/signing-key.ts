import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { keyIdOf } from './bundle-format.js';

/** Holds each controller's Ed25519 key pairs; see docs/evidence-bundle.md for the schema. */
export const signingKeyTable = 'ControllerSigningKey';

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

const columns = `"keyId", "publicKey", "privateKey",
  to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char("retiredAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "retiredAt"`;

/**
 * The controller's current signing key, created on first use. A per-controller advisory lock
 * keeps two concurrent first exports from creating two keys.
 */
export async function getOrCreateSigningKey(database: Database, controllerId: string): Promise<SigningKey> {
  return database.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(
      `SELECT pg_advisory_xact_lock(hashtext('notarium-signing-key:' || $1))`,
      controllerId,
    );
    const [current] = await tx.$queryRawUnsafe<KeyRow[]>(
      `SELECT ${columns} FROM "${signingKeyTable}"
       WHERE "controllerId" = $1::uuid AND "retiredAt" IS NULL
       ORDER BY "createdAt" DESC, "keyId" LIMIT 1`,
      controllerId,
    );
    if (current) return toSigningKey(current);
    const pair = generateKeyPairSync('ed25519');
    const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const [created] = await tx.$queryRawUnsafe<KeyRow[]>(
      `INSERT INTO "${signingKeyTable}" ("keyId", "controllerId", "algorithm", "publicKey", "privateKey")
       VALUES ($1, $2::uuid, 'Ed25519', $3, $4)
       RETURNING ${columns}`,
      keyIdOf(pair.publicKey),
      controllerId,
      publicKey,
      privateKey,
    );
    return toSigningKey(created!);
  });
}

/** Every key the controller has signed with, newest first: what the API publishes. */
export async function listSigningKeys(
  database: Database,
  controllerId: string,
): Promise<PublishedSigningKey[]> {
  const rows = await database.prisma.$queryRawUnsafe<KeyRow[]>(
    `SELECT ${columns} FROM "${signingKeyTable}" WHERE "controllerId" = $1::uuid
     ORDER BY "createdAt" DESC, "keyId"`,
    controllerId,
  );
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

import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * Consent receipts: compact JWS (RFC 7515), alg EdDSA over Ed25519 (RFC 8037), verifiable with
 * the controller's published JWKS (RFC 7517). Pure functions: no database, usable offline.
 */

/** What a receipt states. Never the raw subject reference: `sub` is its keyed hash. */
export interface ReceiptClaims {
  /** The controller's slug. */
  readonly iss: string;
  /** The keyed hash of the subject reference (what Notarium stores), never the reference itself. */
  readonly sub: string;
  /** The record's ID. */
  readonly jti: string;
  /** When Notarium recorded it, seconds since the epoch. */
  readonly iat: number;
  readonly kind: string;
  readonly purpose: { readonly key: string; readonly revision: number | null };
  readonly notice: {
    readonly key: string;
    readonly version: number;
    readonly contentHash: string | null;
  } | null;
  readonly locale: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly channel: string;
  readonly actor: string | null;
  readonly collectionMethod: string | null;
  readonly explicit: boolean | null;
  /** SHA-256 over what the record says (its contentHash). */
  readonly recordHash: string;
}

export const receiptType = 'notarium-consent-receipt+jwt';

export interface Jwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

export interface Jwks {
  readonly keys: readonly Jwk[];
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export function signReceipt(claims: ReceiptClaims, key: { keyId: string; privateKey: KeyObject }): string {
  const input = `${encode({ alg: 'EdDSA', typ: receiptType, kid: key.keyId })}.${encode(claims)}`;
  return `${input}.${sign(null, Buffer.from(input, 'ascii'), key.privateKey).toString('base64url')}`;
}

/** A public key (SubjectPublicKeyInfo PEM) as a JWK with its kid. */
export function publicJwk(keyId: string, publicKeyPem: string): Jwk {
  const { x } = createPublicKey(publicKeyPem).export({ format: 'jwk' }) as { x: string };
  return { kty: 'OKP', crv: 'Ed25519', x, kid: keyId, alg: 'EdDSA', use: 'sig' };
}

export type ReceiptFailure = 'RECEIPT_MALFORMED' | 'RECEIPT_UNKNOWN_KID' | 'RECEIPT_BAD_SIGNATURE';

export class ReceiptError extends Error {
  constructor(
    readonly code: ReceiptFailure,
    message: string,
  ) {
    super(message);
  }
}

const segment = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new ReceiptError('RECEIPT_MALFORMED', `The receipt's ${what} is not base64url-encoded JSON.`);
}

/** The key set a JWKS document describes, or RECEIPT_MALFORMED. */
export function parseJwks(text: string): Jwks {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ReceiptError('RECEIPT_MALFORMED', 'The key set is not JSON.');
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new ReceiptError('RECEIPT_MALFORMED', 'The key set has no "keys" array.');
  return { keys: keys as Jwk[] };
}

/**
 * Checks a compact JWS receipt against a key set (or one public key, whatever its kid) and
 * returns its claims. Throws a ReceiptError: malformed, unknown kid, or bad signature.
 */
export function verifyReceipt(
  receipt: string,
  keys: Jwks | { publicKeyPem: string },
): { kid: string; claims: ReceiptClaims } {
  const parts = receipt.trim().split('.');
  if (parts.length !== 3 || !parts.every((part) => segment.test(part))) {
    throw new ReceiptError('RECEIPT_MALFORMED', 'A receipt is three base64url segments joined by dots.');
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart, 'header');
  const claims = decodeJson(payloadPart, 'payload') as unknown as ReceiptClaims;
  if (header.alg !== 'EdDSA' || typeof header.kid !== 'string') {
    throw new ReceiptError('RECEIPT_MALFORMED', 'The receipt header must state alg EdDSA and a kid.');
  }
  const kid = header.kid;
  let publicKey: KeyObject;
  if ('publicKeyPem' in keys) {
    try {
      publicKey = createPublicKey(keys.publicKeyPem);
    } catch {
      throw new ReceiptError('RECEIPT_MALFORMED', 'The public key is not a PEM public key.');
    }
  } else {
    const jwk = keys.keys.find((candidate) => candidate.kid === kid);
    if (!jwk) throw new ReceiptError('RECEIPT_UNKNOWN_KID', `No key ${kid} in the key set.`);
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
      throw new ReceiptError('RECEIPT_MALFORMED', `Key ${kid} is not an Ed25519 OKP key.`);
    }
    publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
  }
  const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  if (!verify(null, signed, publicKey, Buffer.from(signaturePart, 'base64url'))) {
    throw new ReceiptError('RECEIPT_BAD_SIGNATURE', 'The signature does not match the receipt.');
  }
  return { kid, claims };
}

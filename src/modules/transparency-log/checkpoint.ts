import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * Tree heads as C2SP checkpoints (c2sp.org/tlog-checkpoint) in C2SP signed notes
 * (c2sp.org/signed-note), and witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 v1).
 * docs/transparency-log.md describes every byte.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
}

/** The note body: origin, size and base64 root, each ending in a newline. */
export function checkpointBody({ origin, treeSize, rootHash }: Checkpoint): string {
  return `${origin}\n${treeSize}\n${rootHash.toString('base64')}\n`;
}

const signatureTypes = { note: 0x01, cosignature: 0x04 } as const;
type SignatureKind = keyof typeof signatureTypes;

/** The raw 32-byte Ed25519 public key of a key object (the last 32 bytes of its SPKI DER). */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  const prefix = Buffer.from('302a300506032b6570032100', 'hex');
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

/** SHA-256(name || "\n" || type byte || public key)[:4]. */
export function noteKeyId(name: string, kind: SignatureKind, publicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(`${name}\n`)
    .update(Buffer.of(signatureTypes[kind]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** A verifier key as signed-note tools print it: `<name>+<hex key ID>+<base64(type || public key)>`. */
export function verifierKey(name: string, kind: SignatureKind, publicKey: Uint8Array): string {
  const id = noteKeyId(name, kind, publicKey).toString('hex');
  const material = Buffer.concat([Buffer.of(signatureTypes[kind]), publicKey]).toString('base64');
  return `${name}+${id}+${material}`;
}

export interface ParsedVerifierKey {
  readonly name: string;
  readonly kind: SignatureKind;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
}

export class CheckpointFormatError extends Error {
  readonly code = 'CHECKPOINT_MALFORMED';
}

export function parseVerifierKey(text: string): ParsedVerifierKey {
  // name+keyID+base64: the name has no '+', the base64 may.
  const [name = '', id = '', ...key] = text.trim().split('+');
  const parts = [name, id, key.join('+')];
  const material = Buffer.from(parts[2] ?? '', 'base64');
  const kind = material[0] === 0x01 ? 'note' : material[0] === 0x04 ? 'cosignature' : null;
  if (key.length === 0 || !parts[0] || kind === null || material.length !== 33)
    throw new CheckpointFormatError('Not an Ed25519 verifier key (<name>+<key ID>+<base64 key>).');
  const publicKey = material.subarray(1);
  const keyId = noteKeyId(parts[0], kind, publicKey);
  if (keyId.toString('hex') !== parts[1])
    throw new CheckpointFormatError('The verifier key ID does not match its name and key.');
  return { name: parts[0], kind, keyId, publicKey };
}

/** Signs a checkpoint: the signed note with one signature line by the log's key. */
export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject): string {
  const body = checkpointBody(checkpoint);
  const keyId = noteKeyId(checkpoint.origin, 'note', rawPublicKey(privateKey));
  const signature = sign(null, Buffer.from(body, 'utf8'), privateKey);
  return `${body}\n— ${checkpoint.origin} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

export interface SignedNote {
  readonly body: string;
  readonly checkpoint: Checkpoint;
  readonly signatures: readonly { readonly name: string; readonly payload: Buffer }[];
}

/** Splits a signed note into its checkpoint and signature lines; a malformed note is refused. */
export function parseSignedNote(text: string): SignedNote {
  const split = text.lastIndexOf('\n\n');
  if (split < 0 || !text.endsWith('\n')) throw new CheckpointFormatError('Not a signed note.');
  const body = text.slice(0, split + 1);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3)
    throw new CheckpointFormatError('A checkpoint has an origin, a size and a root hash.');
  const [origin, size, root] = lines as [string, string, string];
  const rootHash = Buffer.from(root, 'base64');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new CheckpointFormatError('The tree size is not a decimal number.');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root)
    throw new CheckpointFormatError('The root hash is not 32 bytes of base64.');
  const signatures = text
    .slice(split + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^— (\S+) (\S+)$/.exec(line);
      if (!match) throw new CheckpointFormatError('A signature line is malformed.');
      return { name: match[1]!, payload: Buffer.from(match[2]!, 'base64') };
    });
  return { body, checkpoint: { origin, treeSize: Number(size), rootHash }, signatures };
}

/** Is the note signed by this log key (the note's origin must be the key's name)? */
export function hasLogSignature(note: SignedNote, key: ParsedVerifierKey): boolean {
  if (key.kind !== 'note' || note.checkpoint.origin !== key.name) return false;
  return note.signatures.some(
    ({ name, payload }) =>
      name === key.name &&
      payload.length === 68 &&
      payload.subarray(0, 4).equals(key.keyId) &&
      verify(null, Buffer.from(note.body, 'utf8'), publicKeyFromRaw(key.publicKey), payload.subarray(4)),
  );
}

/** The message a cosigner signs: `cosignature/v1`, `time <seconds>`, then the note body. */
function cosignedMessage(body: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, 'utf8');
}

/** A cosignature line (tlog-cosignature, Ed25519): key ID, 8-byte big-endian time, signature. */
export function cosign(note: SignedNote, name: string, privateKey: KeyObject, time: number): string {
  const keyId = noteKeyId(name, 'cosignature', rawPublicKey(privateKey));
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64BE(BigInt(time));
  const signature = sign(null, cosignedMessage(note.body, time), privateKey);
  return `— ${name} ${Buffer.concat([keyId, timestamp, signature]).toString('base64')}`;
}

/** The time of a valid cosignature by this witness key on the note, or null. */
export function cosignatureTime(note: SignedNote, key: ParsedVerifierKey): number | null {
  if (key.kind !== 'cosignature') return null;
  for (const { name, payload } of note.signatures) {
    if (name !== key.name || payload.length !== 76 || !payload.subarray(0, 4).equals(key.keyId)) continue;
    const time = Number(payload.readBigUInt64BE(4));
    if (verify(null, cosignedMessage(note.body, time), publicKeyFromRaw(key.publicKey), payload.subarray(12)))
      return time;
  }
  return null;
}

/** The note with one more signature line. */
export function addSignatureLine(note: string, line: string): string {
  return `${note}${line}\n`;
}

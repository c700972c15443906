/**
 * A verifier of Notarium's transparency log written from docs/transparency-log.md alone, as a
 * third party would: it imports nothing of Notarium, only node:crypto.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const node = (left: Uint8Array, right: Uint8Array) => sha256(Buffer.of(1), left, right);

export interface LogKey {
  readonly origin: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
}

/** `<origin>+<key ID hex>+<base64(0x01 || public key)>` */
export function readKey(line: string): LogKey {
  const first = line.indexOf('+');
  const second = line.indexOf('+', first + 1);
  const origin = line.slice(0, first);
  const material = Buffer.from(line.slice(second + 1), 'base64');
  if (material[0] !== 1 || material.length !== 33) throw new Error('not an Ed25519 log key');
  const publicKey = material.subarray(1);
  const keyId = sha256(Buffer.from(`${origin}\n`), Buffer.of(1), publicKey).subarray(0, 4);
  if (keyId.toString('hex') !== line.slice(first + 1, second)) throw new Error('key ID mismatch');
  return { origin, keyId, publicKey };
}

/** The size and root of a checkpoint whose signature by `key` checks out; throws otherwise. */
export function readCheckpoint(text: string, key: LogKey): { size: number; root: Buffer } {
  const blank = text.indexOf('\n\n');
  const body = text.slice(0, blank + 1);
  const [origin, size, root] = body.split('\n');
  if (origin !== key.origin) throw new Error('another log');
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key.publicKey]);
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const signed = text
    .slice(blank + 2)
    .split('\n')
    .filter((line) => line.startsWith(`\u2014 ${key.origin} `))
    .map((line) => Buffer.from(line.slice(`\u2014 ${key.origin} `.length), 'base64'))
    .some(
      (sig) =>
        sig.length === 68 &&
        sig.subarray(0, 4).equals(key.keyId) &&
        verify(null, Buffer.from(body), publicKey, sig.subarray(4)),
    );
  if (!signed) throw new Error('checkpoint not signed by the log key');
  return { size: Number(size), root: Buffer.from(root!, 'base64') };
}

/** RFC 9162 §2.1.3.2. */
export function inclusionHolds(
  index: number,
  size: number,
  leafHash: Buffer,
  path: Buffer[],
  root: Buffer,
): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2. */
export function consistencyHolds(
  m: number,
  n: number,
  oldRoot: Buffer,
  newRoot: Buffer,
  path: Buffer[],
): boolean {
  if (m === n) return path.length === 0 && oldRoot.equals(newRoot);
  if (m === 0 || m > n) return m === 0 && path.length === 0;
  const nodes = (m & (m - 1)) === 0 ? [oldRoot, ...path] : path;
  if (nodes.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = nodes[0]!;
  let sr = nodes[0]!;
  for (const c of nodes.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0;
}

interface InclusionDocument {
  entryType: 'NOTICE_VERSION' | 'NOTIFICATION';
  entryHash: string;
  leafIndex: number;
  treeSize: number;
  path: string[];
  checkpoint: string;
}

/** True when the proof shows `expectedEntryHash` (hex) in a head the log key signed. */
export function checkInclusion(proof: InclusionDocument, key: LogKey, expectedEntryHash: string): boolean {
  if (proof.entryHash !== expectedEntryHash) return false;
  const head = readCheckpoint(proof.checkpoint, key);
  if (head.size !== proof.treeSize) return false;
  const leaf = Buffer.concat([
    Buffer.of(proof.entryType === 'NOTICE_VERSION' ? 1 : 2),
    Buffer.from(proof.entryHash, 'hex'),
  ]);
  const path = proof.path.map((hex) => Buffer.from(hex, 'hex'));
  return inclusionHolds(proof.leafIndex, proof.treeSize, sha256(Buffer.of(0), leaf), path, head.root);
}

/** True when the proof shows the head `older` (a checkpoint kept from before) extended by the proof's newer head. */
export function checkConsistency(
  proof: { fromSize: number; toSize: number; path: string[]; toCheckpoint: string },
  key: LogKey,
  older: string,
): boolean {
  const before = readCheckpoint(older, key);
  const after = readCheckpoint(proof.toCheckpoint, key);
  if (before.size !== proof.fromSize || after.size !== proof.toSize) return false;
  return consistencyHolds(
    before.size,
    after.size,
    before.root,
    after.root,
    proof.path.map((hex) => Buffer.from(hex, 'hex')),
  );
}

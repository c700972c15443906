import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1 (the same as RFC 6962's): SHA-256, leaf hash
 * SHA-256(0x00 || leaf), interior node SHA-256(0x01 || left || right), and the tree shape in
 * which the left subtree of n leaves holds the largest power of two smaller than n.
 * Indices are JavaScript numbers (exact up to 2^53); no 32-bit bit operators are used.
 */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(leaf).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of the empty string. */
export const emptyRoot = createHash('sha256').digest();

/** The largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * Reads the hash of a complete subtree: `level` l, `index` i covers leaves [i·2^l, (i+1)·2^l).
 * Every range the RFC algorithms need decomposes into such subtrees, O(log n) of them.
 */
export type SubtreeHashes = (level: number, index: number) => Uint8Array;

/** MTH(D[start:end]) from complete subtrees: one read when the range is one, else a split. */
export function rangeHash(start: number, end: number, subtree: SubtreeHashes): Uint8Array {
  const size = end - start;
  if (size === 0) return emptyRoot;
  if (isPowerOfTwo(size)) {
    const level = Math.round(Math.log2(size));
    return subtree(level, start / size);
  }
  const k = splitPoint(size);
  return nodeHash(rangeHash(start, start + k, subtree), rangeHash(start + k, end, subtree));
}

/** PATH(m, D[0:n]) of RFC 6962 §2.1.1 / RFC 9162 §2.1.3.1: the audit path of leaf m. */
export function inclusionPath(index: number, size: number, subtree: SubtreeHashes): Uint8Array[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError('index out of range');
  const path: Uint8Array[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(rangeHash(start + k, end, subtree));
    } else {
      walk(m - k, start + k, end);
      path.push(rangeHash(start, start + k, subtree));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(m, D[0:n]) of RFC 6962 §2.1.2 / RFC 9162 §2.1.4.1: that size m is a prefix of size n. */
export function consistencyPath(from: number, to: number, subtree: SubtreeHashes): Uint8Array[] {
  if (!Number.isSafeInteger(from) || from < 0 || from > to) throw new RangeError('sizes out of range');
  if (from === 0 || from === to) return [];
  const path: Uint8Array[] = [];
  const walk = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) path.push(rangeHash(start, end, subtree));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      walk(m, start, start + k, complete);
      path.push(rangeHash(start + k, end, subtree));
    } else {
      walk(m - k, start + k, end, false);
      path.push(rangeHash(start, start + k, subtree));
    }
  };
  walk(from, 0, to, true);
  return path;
}

/**
 * Runs a proof computation twice: first to learn which subtrees it reads, then, after they were
 * fetched in one go, for real. The algorithms' shape depends only on the sizes, never on hashes.
 */
export async function withSubtrees<T>(
  compute: (subtree: SubtreeHashes) => T,
  fetch: (nodes: readonly { level: number; index: number }[]) => Promise<Map<string, Uint8Array>>,
): Promise<T> {
  const wanted = new Map<string, { level: number; index: number }>();
  const placeholder = Buffer.alloc(32);
  compute((level, index) => {
    wanted.set(`${level}/${index}`, { level, index });
    return placeholder;
  });
  const hashes = await fetch([...wanted.values()]);
  return compute((level, index) => {
    const hash = hashes.get(`${level}/${index}`);
    if (hash === undefined) throw new Error(`transparency log node ${level}/${index} is missing`);
    return hash;
  });
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: does `path` prove leaf `index` (its leaf hash given) in the tree of `size` with `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(Buffer.from(root));
}

/** RFC 9162 §2.1.4.2: does `path` prove the tree of `fromSize`/`fromRoot` a prefix of `toSize`/`toRoot`? */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  path: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(toSize)) return false;
  if (fromSize < 0 || fromSize > toSize) return false;
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  if (fromSize === toSize) return path.length === 0 && same(fromRoot, toRoot);
  if (fromSize === 0) return path.length === 0;
  const nodes = isPowerOfTwo(fromSize) ? [fromRoot, ...path] : [...path];
  if (nodes.length === 0) return false;
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = nodes[0]!;
  let sr: Uint8Array = nodes[0]!;
  for (const c of nodes.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return same(fr, fromRoot) && same(sr, toRoot) && sn === 0;
}

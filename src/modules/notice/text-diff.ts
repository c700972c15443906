export interface LineChange {
  readonly kind: 'ADDED' | 'REMOVED';
  /** 1-based: the line in `before` for REMOVED, in `after` for ADDED. */
  readonly line: number;
  readonly text: string;
}

/**
 * The changed lines between two texts, in reading order: between two unchanged lines, the removed
 * lines come before the added ones. `\r\n` counts as `\n`, and a final newline does not start an
 * extra empty line. The change set is minimal unless the texts share many lines in scrambled order.
 */
export function diffLines(before: string, after: string): LineChange[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const matches = matchLines(a, b);
  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  for (let m = 0; m <= matches.length; m += 2) {
    const nextA = m < matches.length ? matches[m]! : a.length;
    const nextB = m < matches.length ? matches[m + 1]! : b.length;
    for (; i < nextA; i++) changes.push({ kind: 'REMOVED', line: i + 1, text: a[i]! });
    for (; j < nextB; j++) changes.push({ kind: 'ADDED', line: j + 1, text: b[j]! });
    i++;
    j++;
  }
  return changes;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A longest common subsequence (see MAX_D) of two line arrays, as flat [indexA, indexB, …] pairs. */
function matchLines(a: readonly string[], b: readonly string[]): number[] {
  const ids = new Map<string, number>();
  const idOf = (line: string): number => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const idsA = a.map(idOf);
  const idsB = b.map(idOf);
  // A line that does not occur on the other side can never match; dropping those first keeps a
  // full rewrite (many such lines) from costing O((N+M)·D).
  const inA = new Set(idsA);
  const inB = new Set(idsB);
  const keptA = indexesWhere(idsA, (id) => inB.has(id));
  const keptB = indexesWhere(idsB, (id) => inA.has(id));
  const seqA = Int32Array.from(keptA, (i) => idsA[i]!);
  const seqB = Int32Array.from(keptB, (i) => idsB[i]!);
  const pairs: number[] = [];
  diffRange(seqA, 0, seqA.length, seqB, 0, seqB.length, pairs);
  for (let m = 0; m < pairs.length; m += 2) {
    pairs[m] = keptA[pairs[m]!]!;
    pairs[m + 1] = keptB[pairs[m + 1]!]!;
  }
  return pairs;
}

function indexesWhere(values: readonly number[], keep: (value: number) => boolean): number[] {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (keep(values[i]!)) kept.push(i);
  return kept;
}

/** Appends the matched pairs of a[aLo..aHi) and b[bLo..bHi) to `out`, in order. */
function diffRange(
  a: Int32Array,
  aLo: number,
  aHi: number,
  b: Int32Array,
  bLo: number,
  bHi: number,
  out: number[],
): void {
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) out.push(aLo++, bLo++);
  let suffix = 0;
  while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) {
    aHi--;
    bHi--;
    suffix++;
  }
  if (aLo < aHi && bLo < bHi) {
    const split = middleSnake(a, aLo, aHi, b, bLo, bHi);
    if (split !== null) {
      diffRange(a, aLo, split[0], b, bLo, split[1], out);
      diffRange(a, split[0], aHi, b, split[1], bHi, out);
    }
  }
  for (let s = 0; s < suffix; s++) out.push(aHi + s, bHi + s);
}

/**
 * Bounds the edit distance one bisection explores. Past it, the ranges are split at the furthest
 * point the forward walk reached: the diff may then be longer than minimal, but cost stays near
 * O((N+M)·MAX_D) instead of O((N+M)·D) for texts that share many lines in a scrambled order.
 */
const MAX_D = 256;

/**
 * Myers' linear-space bisection (as in diff-match-patch): walks the edit graph from both corners
 * until the paths overlap, and returns the absolute point where they meet, or null when the
 * ranges share nothing. The ranges must differ at both ends.
 */
function middleSnake(
  a: Int32Array,
  aLo: number,
  aHi: number,
  b: Int32Array,
  bLo: number,
  bHi: number,
): [number, number] | null {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const maxD = Math.ceil((n + m) / 2);
  const offset = maxD;
  const size = 2 * maxD + 2;
  const v1 = new Int32Array(size).fill(-1);
  const v2 = new Int32Array(size).fill(-1);
  v1[offset + 1] = 0;
  v2[offset + 1] = 0;
  const delta = n - m;
  const front = delta % 2 !== 0;
  let k1start = 0;
  let k1end = 0;
  let k2start = 0;
  let k2end = 0;
  let bestX = 0;
  let bestY = 0;
  for (let d = 0; d < maxD; d++) {
    if (d === MAX_D) return bestX + bestY > 0 && bestX + bestY < n + m ? [aLo + bestX, bLo + bestY] : null;
    for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
      const k1o = offset + k1;
      let x1 = k1 === -d || (k1 !== d && v1[k1o - 1]! < v1[k1o + 1]!) ? v1[k1o + 1]! : v1[k1o - 1]! + 1;
      let y1 = x1 - k1;
      while (x1 < n && y1 < m && a[aLo + x1] === b[bLo + y1]) {
        x1++;
        y1++;
      }
      v1[k1o] = x1;
      if (x1 <= n && y1 <= m && x1 + y1 > bestX + bestY) {
        bestX = x1;
        bestY = y1;
      }
      if (x1 > n) k1end += 2;
      else if (y1 > m) k1start += 2;
      else if (front) {
        const k2o = offset + delta - k1;
        if (k2o >= 0 && k2o < size && v2[k2o] !== -1 && x1 >= n - v2[k2o]!) return [aLo + x1, bLo + y1];
      }
    }
    for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
      const k2o = offset + k2;
      let x2 = k2 === -d || (k2 !== d && v2[k2o - 1]! < v2[k2o + 1]!) ? v2[k2o + 1]! : v2[k2o - 1]! + 1;
      let y2 = x2 - k2;
      while (x2 < n && y2 < m && a[aHi - x2 - 1] === b[bHi - y2 - 1]) {
        x2++;
        y2++;
      }
      v2[k2o] = x2;
      if (x2 > n) k2end += 2;
      else if (y2 > m) k2start += 2;
      else if (!front) {
        const k1o = offset + delta - k2;
        if (k1o >= 0 && k1o < size && v1[k1o] !== -1) {
          const x1 = v1[k1o]!;
          if (x1 >= n - x2) return [aLo + x1, bLo + x1 - (k1o - offset)];
        }
      }
    }
  }
  return null;
}

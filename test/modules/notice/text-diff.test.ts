import { describe, expect, it } from 'vitest';
import { diffLines, type LineChange } from '../../../src/modules/notice/text-diff.js';

const lines = (...items: string[]): string => `${items.join('\n')}\n`;

/** Length of a longest common subsequence, by the textbook dynamic programme. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = [0];
    for (let j = 0; j < b.length; j++) row.push(x === b[j] ? prev[j]! + 1 : Math.max(prev[j + 1]!, row[j]!));
    prev = row;
  }
  return prev[b.length]!;
}

/** Checks that the changes turn `a` into `b`, and returns the number of lines kept. */
function expectValidEdit(a: string[], b: string[], changes: LineChange[]): number {
  const removed = new Set(changes.filter((c) => c.kind === 'REMOVED').map((c) => c.line));
  const added = new Set(changes.filter((c) => c.kind === 'ADDED').map((c) => c.line));
  const wrongText = changes.filter((c) => c.text !== (c.kind === 'REMOVED' ? a : b)[c.line - 1]);
  expect(wrongText).toEqual([]);
  const keptA = a.filter((_, i) => !removed.has(i + 1));
  const keptB = b.filter((_, i) => !added.has(i + 1));
  expect(keptA).toEqual(keptB);
  return keptA.length;
}

/** Checks that the changes are a valid edit that keeps a longest common subsequence. */
function expectMinimalEdit(a: string[], b: string[], changes: LineChange[]): void {
  expect(expectValidEdit(a, b, changes)).toBe(lcsLength(a, b));
}

describe('diffLines', () => {
  it('returns nothing for identical texts', () => {
    expect(diffLines('', '')).toEqual([]);
    expect(diffLines(lines('a', 'b', 'c'), lines('a', 'b', 'c'))).toEqual([]);
  });

  it('treats CRLF like LF and ignores a missing final newline', () => {
    expect(diffLines('a\r\nb\r\n', 'a\nb\n')).toEqual([]);
    expect(diffLines('a\nb', 'a\nb\n')).toEqual([]);
  });

  it('reports every line of a new or emptied text', () => {
    expect(diffLines('', 'x\ny')).toEqual([
      { kind: 'ADDED', line: 1, text: 'x' },
      { kind: 'ADDED', line: 2, text: 'y' },
    ]);
    expect(diffLines('x\ny', '')).toEqual([
      { kind: 'REMOVED', line: 1, text: 'x' },
      { kind: 'REMOVED', line: 2, text: 'y' },
    ]);
  });

  it('numbers removed lines in the old text and added lines in the new one', () => {
    const before = lines('title', 'We share data with A.', 'Retention: 30 days.', 'Contact us.');
    const after = lines(
      'title',
      'Intro.',
      'We share data with A and B.',
      'Retention: 30 days.',
      'Contact us.',
    );
    expect(diffLines(before, after)).toEqual([
      { kind: 'REMOVED', line: 2, text: 'We share data with A.' },
      { kind: 'ADDED', line: 2, text: 'Intro.' },
      { kind: 'ADDED', line: 3, text: 'We share data with A and B.' },
    ]);
  });

  it('lists changes in reading order, removals before additions within a block', () => {
    expect(diffLines(lines('a', 'b', 'c', 'd', 'e'), lines('a', 'B', 'c', 'e', 'f'))).toEqual([
      { kind: 'REMOVED', line: 2, text: 'b' },
      { kind: 'ADDED', line: 2, text: 'B' },
      { kind: 'REMOVED', line: 4, text: 'd' },
      { kind: 'ADDED', line: 5, text: 'f' },
    ]);
  });

  it('keeps a longest common subsequence with repeated and blank lines', () => {
    const a = ['', 'x', '', 'y', 'x', '', 'z'];
    const b = ['x', '', '', 'y', 'z', 'x', ''];
    expectMinimalEdit(a, b, diffLines(lines(...a), lines(...b)));
  });

  it('finds a minimal edit for random texts (compared with dynamic programming)', () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const alphabet = 1 + random(6);
      const a = Array.from({ length: random(25) }, () => `l${random(alphabet)}`);
      const b = Array.from({ length: random(25) }, () => `l${random(alphabet)}`);
      expectMinimalEdit(a, b, diffLines(a.join('\n'), b.join('\n')));
    }
  });

  it('handles 5,000-line texts with a handful of edits', () => {
    const before = Array.from({ length: 5000 }, (_, i) => `Paragraph ${i % 700}: clause text ${i}.`);
    const after = [...before];
    after[10] = 'Changed clause.';
    after.splice(2500, 2);
    after.splice(4000, 0, 'Inserted one.', 'Inserted two.');
    after.push('Appended.');
    const changes = diffLines(before.join('\n'), after.join('\n'));
    expect(changes).toEqual([
      { kind: 'REMOVED', line: 11, text: before[10] },
      { kind: 'ADDED', line: 11, text: 'Changed clause.' },
      { kind: 'REMOVED', line: 2501, text: before[2500] },
      { kind: 'REMOVED', line: 2502, text: before[2501] },
      { kind: 'ADDED', line: 4001, text: 'Inserted one.' },
      { kind: 'ADDED', line: 4002, text: 'Inserted two.' },
      { kind: 'ADDED', line: 5001, text: 'Appended.' },
    ]);
  });

  it('handles a 5,000-line rewrite', () => {
    const before = Array.from({ length: 5000 }, (_, i) => `old ${i}`);
    const after = Array.from({ length: 5000 }, (_, i) => `new ${i}`);
    expect(diffLines(before.join('\n'), after.join('\n'))).toHaveLength(10_000);
  });

  it('stays valid when 5,000 shared lines are scrambled (where exploration is bounded)', () => {
    const before = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const reversed = [...before].reverse();
    expectValidEdit(before, reversed, diffLines(before.join('\n'), reversed.join('\n')));
    const shuffled = before.map((line, i) => before[(i * 2_654_435_761) % 5000] ?? line);
    expectValidEdit(before, shuffled, diffLines(before.join('\n'), shuffled.join('\n')));
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decideRetention,
  lastProcessing,
  type RetentionFacts,
  type RetentionRule,
  retentionCutoff,
  ruleVerdicts,
} from '../../../src/modules/erasure/retention.policy.js';

const docs = readFileSync(new URL('../../../docs/retention.md', import.meta.url), 'utf8');

/** The decision table's rows: `| \`RULE\` | condition | VERDICT | article |`. */
function decisionTable() {
  const start = docs.indexOf('\n## The decision table\n');
  const end = docs.indexOf('\n## ', start + 1);
  const row = /^\| `([A-Z_]+)` \| [^|]+ \| (KEEP|HOLD|PURGE) \| (.+) \|$/;
  return docs
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const match = row.exec(line);
      if (!match) throw new Error(`not a decision-table row: ${line}`);
      return { rule: match[1] as RetentionRule, verdict: match[2], article: match[3]! };
    });
}

const now = new Date('2032-06-15T12:00:00.000Z');
const months = 72;
const cutoff = new Date('2026-06-15T12:00:00.000Z');
const due: RetentionFacts = {
  lastProcessing: new Date(cutoff.getTime() - 1),
  namedInOpenRequest: false,
  openObjection: false,
};

/** Per rule: facts that reach it and none before it, and the article its row must name. */
const cases: Record<RetentionRule, { facts: RetentionFacts; months: number | null; article: RegExp }> = {
  NO_SCHEDULE: {
    facts: { ...due, lastProcessing: new Date('2001-01-01T00:00:00Z'), namedInOpenRequest: false },
    months: null,
    article: /Art\. 5\(2\), 24/,
  },
  WITHIN_RETENTION: { facts: { ...due, lastProcessing: cutoff }, months, article: /Art\. 5\(2\), 24/ },
  LEGAL_HOLD: {
    facts: { ...due, namedInOpenRequest: true, openObjection: true },
    months,
    article: /Art\. 17\(3\)\(e\)/,
  },
  OBJECTION_PENDING: { facts: { ...due, openObjection: true }, months, article: /Art\. 21\(1\)/ },
  DUE: { facts: due, months, article: /Art\. 5\(1\)\(e\)/ },
};

describe('the retention decision table (docs/retention.md)', () => {
  const rows = decisionTable();

  it('has one row per rule, in the order the policy applies them', () => {
    expect(rows.map((row) => row.rule)).toEqual(Object.keys(ruleVerdicts));
  });

  it.each(rows)('$rule: $verdict', ({ rule, verdict, article }) => {
    const { facts, months: setting, article: expected } = cases[rule];
    expect(decideRetention(facts, setting, now)).toEqual({ rule, verdict });
    expect(article).toMatch(expected);
  });

  it('keeps at the cutoff and purges a millisecond before it', () => {
    expect(retentionCutoff(now, months)).toEqual(cutoff);
    expect(decideRetention({ ...due, lastProcessing: cutoff }, months, now).verdict).toBe('KEEP');
    expect(decideRetention(due, months, now).verdict).toBe('PURGE');
  });
});

describe('retention arithmetic', () => {
  it.each([
    ['2032-06-15T12:00:00.000Z', 72, '2026-06-15T12:00:00.000Z'],
    ['2032-08-31T08:30:00.000Z', 6, '2032-02-29T08:30:00.000Z'],
    ['2033-08-31T08:30:00.000Z', 6, '2033-02-28T08:30:00.000Z'],
    ['2033-03-31T23:59:59.999Z', 1, '2033-02-28T23:59:59.999Z'],
    ['2033-01-10T00:00:00.000Z', 13, '2031-12-10T00:00:00.000Z'],
  ] as const)('%s minus %i months is %s (UTC calendar months, clamped to the month’s end)', (at, n, expected) => {
    expect(retentionCutoff(new Date(at), n).toISOString()).toBe(expected);
  });

  it('takes the latest date of any record, and the subject’s creation only when it has none', () => {
    const day = (d: number) => new Date(Date.UTC(2030, 0, d));
    const created = day(1);
    const none = { subjectCreatedAt: created, notifications: [], events: [], responses: [], decisions: [] };
    expect(lastProcessing(none)).toEqual(created);
    expect(lastProcessing({ ...none, subjectCreatedAt: day(20), notifications: [day(2)] })).toEqual(day(2));
    expect(lastProcessing({ ...none, notifications: [day(2)], events: [day(5), day(3)] })).toEqual(day(5));
    expect(lastProcessing({ ...none, notifications: [day(2)], responses: [day(6)] })).toEqual(day(6));
    expect(lastProcessing({ ...none, responses: [day(6)], decisions: [day(9)] })).toEqual(day(9));
  });
});

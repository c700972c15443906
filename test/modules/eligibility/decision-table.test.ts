import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dayMs } from '../../../src/lib/time.js';
import {
  type Eligibility,
  type EligibilitySettings,
  type LegalBasis,
  type NotificationFact,
  type PurposeContext,
  type RevisionFact,
  ruleDecisions,
  type SubjectFacts,
  type SubjectResponseFact,
  type VersionFact,
} from '../../../src/modules/eligibility/eligibility.facts.js';
import { decideEligibility } from '../../../src/modules/eligibility/eligibility.policy.js';
import { consentSwitch, purposeRules } from '../../../src/modules/eligibility/purpose-rules.js';
import type { ChangeClass } from '../../../src/modules/notice/change-class.js';
import type { EventType } from '../../../src/modules/notification/notification.policy.js';
import { defaultReachEvidence, reachEvidence } from '../../../src/modules/notification/reach.policy.js';
import type { ResponseKind } from '../../../src/modules/subject/subject.policy.js';

const docs = readFileSync(new URL('../../../docs/eligibility.md', import.meta.url), 'utf8');

/** The lines of one `## ` section of docs/eligibility.md that are table rows (not header or rule). */
function tableRows(heading: string): string[] {
  const start = docs.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`no section ${heading}`);
  const end = docs.indexOf('\n## ', start + 1);
  return docs
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .filter((line) => /^\| `/.test(line));
}

interface Row {
  readonly rule: keyof typeof ruleDecisions;
  readonly bases: string;
  readonly verdict: 'ALLOWED' | 'DENIED';
  readonly source: string;
}

/** The decision table's rows: `| \`RULE\` | applies to | condition | VERDICT | article |`. */
function decisionTable(): Row[] {
  const row = /^\| `([A-Z_]+)` \| ([^|]+) \| [^|]+ \| (ALLOWED|DENIED) \| (.+) \|$/;
  return tableRows('The decision table').map((line) => {
    const match = row.exec(line);
    if (!match) throw new Error(`not a decision-table row: ${line}`);
    const [, rule, bases, verdict, source] = match;
    return { rule, bases: bases!.trim(), verdict, source } as Row;
  });
}

// ---- Facts, as the service would load them -------------------------------------------------

const origin = Date.parse('2026-03-01T00:00:00.000Z');
const day = (days: number) => new Date(origin + days * dayMs);
const settings: EligibilitySettings = { reachEvidence: defaultReachEvidence, minimumNoticeDays: 28 };

function revision(
  number: number,
  legalBasis: LegalBasis,
  createdDay: number,
  consentValidityDays: number | null = null,
): RevisionFact {
  return { id: `r${number}`, number, createdAt: day(createdDay), legalBasis, consentValidityDays };
}

function version(
  number: number,
  pinned: RevisionFact | null,
  options: {
    effective?: number;
    published?: number;
    change?: ChangeClass;
    minimumNoticeDays?: number | null;
    notice?: string;
  } = {},
): VersionFact {
  const notice = options.notice ?? 'n';
  const published = options.published ?? options.effective ?? 0;
  return {
    id: `${notice}${number}`,
    noticeId: notice,
    noticeKey: notice,
    number,
    effectiveFrom: day(options.effective ?? published),
    publishedAt: day(published),
    retiredAt: null,
    pinned: pinned && { revisionId: pinned.id },
    purposeChange: options.change ?? 'EDITORIAL',
    minimumNoticeDays: options.minimumNoticeDays === undefined ? 28 : options.minimumNoticeDays,
  };
}

function context(
  revisions: RevisionFact[],
  versions: VersionFact[],
  overrides: Partial<PurposeContext> = {},
): PurposeContext {
  return {
    purposeId: 'p',
    purposeKey: 'purpose',
    at: day(100),
    archivedAt: null,
    revision: revisions.at(-1) ?? null,
    revisions,
    settings,
    versions,
    ...overrides,
  };
}

let sequence = 0;
function notification(
  versionId: string,
  sentDay: number,
  channel = 'EMAIL',
  events: [EventType, number][] = [['DELIVERED', sentDay]],
): NotificationFact {
  const id = `notification-${++sequence}`;
  return {
    id,
    versionId,
    channel,
    occurredAt: day(sentDay),
    events: events.map(([type, eventDay], index) => ({
      id: `${id}-e${index}`,
      type,
      occurredAt: day(eventDay),
    })),
  };
}

function response(
  kind: ResponseKind,
  answeredDay: number,
  versionId: string | null = null,
): SubjectResponseFact {
  return { id: `response-${++sequence}`, kind, occurredAt: day(answeredDay), versionId };
}

function decide(purpose: PurposeContext, subject: Partial<SubjectFacts> = {}): Eligibility {
  return decideEligibility(purpose, purposeRules(purpose), {
    erasedAt: null,
    responses: [],
    notifications: [],
    ...subject,
  });
}

/** A purpose under one basis since day 0, in version n1 (in force since day 0). */
function simple(basis: LegalBasis, validity: number | null = null) {
  const r1 = revision(1, basis, 0, validity);
  const v1 = version(1, r1);
  return { r1, v1, purpose: context([r1], [v1]) };
}

const reachedLongAgo = () => [notification('n1', 10)];
const otherBases: LegalBasis[] = ['CONTRACT', 'LEGAL_OBLIGATION', 'VITAL_INTERESTS', 'PUBLIC_TASK'];
const everyBasis: LegalBasis[] = [...otherBases, 'CONSENT', 'LEGITIMATE_INTERESTS'];

/** A purpose that switched away from consent on day 60 (revision 2, described by n2 from then). */
function switched(to: LegalBasis) {
  const r1 = revision(1, 'CONSENT', 0);
  const r2 = revision(2, to, 60);
  return context([r1, r2], [version(1, r1), version(2, r2, { published: 60, change: 'RENOTIFY' })]);
}

/** Per rule: the situations that must end with it (every one is checked for rule and verdict). */
const cases: Record<keyof typeof ruleDecisions, () => Eligibility[]> = {
  SUBJECT_ERASED: () =>
    everyBasis.map((basis) =>
      decide(simple(basis).purpose, {
        erasedAt: day(50),
        notifications: reachedLongAgo(),
        responses: [response('CONSENT_GIVEN', 5, 'n1')],
      }),
    ),
  PURPOSE_ARCHIVED: () =>
    everyBasis.map((basis) =>
      decide(context([revision(1, basis, 0)], [version(1, revision(1, basis, 0))], { archivedAt: day(90) }), {
        notifications: reachedLongAgo(),
      }),
    ),
  PURPOSE_NOT_IN_FORCE: () => [decide(context([], [version(1, revision(1, 'CONTRACT', 0))]))],
  CONSENT_WITHDRAWN_BEFORE_SWITCH: () => [
    ...['LEGITIMATE_INTERESTS', 'CONTRACT', 'LEGAL_OBLIGATION', 'VITAL_INTERESTS', 'PUBLIC_TASK'].map(
      (basis) =>
        decide(switched(basis as LegalBasis), {
          notifications: [notification('n2', 61)],
          responses: [response('CONSENT_GIVEN', 5, 'n1'), response('CONSENT_WITHDRAWN', 30)],
        }),
    ),
    // Withdrawn at the very instant of the switch: before it, as far as the switch is concerned.
    decide(switched('CONTRACT'), {
      responses: [response('CONSENT_GIVEN', 5, 'n1'), response('CONSENT_WITHDRAWN', 60)],
    }),
    // Consent → legitimate interests → contract: the first move away from consent is the switch.
    decide(
      context(
        [revision(1, 'CONSENT', 0), revision(2, 'LEGITIMATE_INTERESTS', 40), revision(3, 'CONTRACT', 70)],
        [version(1, revision(1, 'CONSENT', 0))],
      ),
      { responses: [response('CONSENT_WITHDRAWN', 20)] },
    ),
  ],
  CONSENT_MISSING: () => [
    decide(simple('CONSENT').purpose),
    decide(simple('CONSENT').purpose, { notifications: reachedLongAgo() }),
  ],
  CONSENT_WITHDRAWN: () => [
    decide(simple('CONSENT').purpose, {
      responses: [response('CONSENT_GIVEN', 5, 'n1'), response('CONSENT_WITHDRAWN', 50)],
    }),
    // At the same instant the withdrawal wins.
    decide(simple('CONSENT').purpose, {
      responses: [response('CONSENT_WITHDRAWN', 50), response('CONSENT_GIVEN', 50, 'n1')],
    }),
  ],
  CONSENT_REFUSED: () => [
    decide(simple('CONSENT').purpose, { responses: [response('CONSENT_REFUSED', 50, 'n1')] }),
    // A refusal after consent was given: the latest answer decides, and a refusal is not consent.
    decide(simple('CONSENT').purpose, {
      responses: [response('CONSENT_GIVEN', 5, 'n1'), response('CONSENT_REFUSED', 50, 'n1')],
    }),
    // At the same instant the refusal beats the consent.
    decide(simple('CONSENT').purpose, {
      responses: [response('CONSENT_REFUSED', 50, 'n1'), response('CONSENT_GIVEN', 50, 'n1')],
    }),
  ],
  CONSENT_VERSION_UNKNOWN: () => [
    decide(simple('CONSENT').purpose, { responses: [response('CONSENT_GIVEN', 90)] }),
    // Also when an earlier consent named its version: the latest answer decides.
    decide(simple('CONSENT').purpose, {
      responses: [response('CONSENT_GIVEN', 5, 'n1'), response('CONSENT_GIVEN', 90)],
    }),
  ],
  CONSENT_OUTDATED: () => {
    const r1 = revision(1, 'CONSENT', 0);
    const r2 = revision(2, 'CONSENT', 50);
    const widened = context(
      [r1, r2],
      [version(1, r1), version(2, r2, { published: 50, change: 'RECONSENT' })],
    );
    const unpublished = context([r1, r2], [version(1, r1)]);
    const consent = { responses: [response('CONSENT_GIVEN', 40, 'n1')] };
    return [decide(widened, consent), decide(unpublished, consent)];
  },
  CONSENT_LAPSED: () => [
    decide(simple('CONSENT', 30).purpose, { responses: [response('CONSENT_GIVEN', 70, 'n1')] }),
  ],
  CONSENT_GIVEN: () => {
    const r1 = revision(1, 'CONSENT', 0, 30);
    const r2 = revision(2, 'CONSENT', 50, 30);
    // A re-notify change to the purpose keeps consents given for n1 once n2 describes it.
    const renotified = context(
      [r1, r2],
      [version(1, r1), version(2, r2, { published: 50, change: 'RENOTIFY' })],
    );
    return [
      decide(simple('CONSENT', 30).purpose, { responses: [response('CONSENT_GIVEN', 71, 'n1')] }),
      decide(renotified, { responses: [response('CONSENT_GIVEN', 80, 'n1')] }),
    ];
  },
  OBJECTED: () => [
    decide(simple('LEGITIMATE_INTERESTS').purpose, {
      notifications: reachedLongAgo(),
      responses: [response('OBJECTED', 95)],
    }),
    decide(simple('PUBLIC_TASK').purpose, {
      notifications: reachedLongAgo(),
      responses: [response('OBJECTION_WITHDRAWN', 95), response('OBJECTED', 95)],
    }),
  ],
  NO_VERSION_IN_FORCE: () => {
    const r1 = revision(1, 'LEGITIMATE_INTERESTS', 0);
    return [
      decide(context([r1], [version(1, r1, { published: 0, effective: 200 })]), {
        notifications: reachedLongAgo(),
      }),
      // In force, but no longer covering the purpose.
      decide(context([r1], [version(1, r1), version(2, null, { effective: 50 })]), {
        notifications: reachedLongAgo(),
      }),
    ];
  },
  REVISION_NOT_NOTIFIED: () => {
    const r1 = revision(1, 'LEGITIMATE_INTERESTS', 0);
    const r2 = revision(2, 'LEGITIMATE_INTERESTS', 50);
    // n2 describing r2 is published but takes effect only on day 150.
    const announced = context([r1, r2], [version(1, r1), version(2, r2, { published: 50, effective: 150 })]);
    // A purpose switched to legitimate interests, while the version in force still says consent.
    const switchedOnly = context(
      [revision(1, 'CONSENT', 0), revision(2, 'LEGITIMATE_INTERESTS', 50)],
      [version(1, revision(1, 'CONSENT', 0))],
    );
    return [
      decide(context([r1, r2], [version(1, r1)]), { notifications: reachedLongAgo() }),
      decide(announced, { notifications: [...reachedLongAgo(), notification('n2', 60)] }),
      decide(switchedOnly, { notifications: reachedLongAgo() }),
    ];
  },
  NOT_NOTIFIED: () => {
    const r1 = revision(1, 'LEGITIMATE_INTERESTS', 0);
    const r2 = revision(2, 'LEGITIMATE_INTERESTS', 50);
    // n2 changed the purpose at RENOTIFY level (e.g. new recipients): being told of n1 no longer counts.
    const renotify = context(
      [r1, r2],
      [version(1, r1), version(2, r2, { published: 50, change: 'RENOTIFY' })],
    );
    return [
      decide(simple('LEGITIMATE_INTERESTS').purpose),
      decide(renotify, { notifications: reachedLongAgo() }),
      // A notification sent after `at` did not happen yet.
      decide(simple('LEGITIMATE_INTERESTS').purpose, { notifications: [notification('n1', 101)] }),
    ];
  },
  NOT_REACHED: () => [
    decide(simple('LEGITIMATE_INTERESTS').purpose, {
      notifications: [notification('n1', 10, 'EMAIL', [['BOUNCED', 10]])],
    }),
    // Shown in an app counts only once displayed: sent is not enough.
    decide(simple('LEGITIMATE_INTERESTS').purpose, {
      notifications: [notification('n1', 10, 'IN_APP', [['SENT', 10]])],
    }),
    decide(simple('LEGITIMATE_INTERESTS').purpose, {
      notifications: [notification('n1', 10, 'WEB_BANNER', [])],
    }),
    // The controller's reach evidence: here an e-mail counts only when acknowledged.
    decide(
      {
        ...simple('LEGITIMATE_INTERESTS').purpose,
        settings: { ...settings, reachEvidence: reachEvidence({ EMAIL: ['ACKNOWLEDGED'] }) },
      },
      { notifications: reachedLongAgo() },
    ),
    // Displayed only after `at`.
    decide(simple('LEGITIMATE_INTERESTS').purpose, {
      notifications: [notification('n1', 10, 'IN_APP', [['DISPLAYED', 100.5]])],
    }),
  ],
  LEAD_TIME_NOT_MET: () => {
    const r1 = revision(1, 'LEGITIMATE_INTERESTS', 0);
    const frozen = context([r1], [version(1, r1, { minimumNoticeDays: 28 })], {
      settings: { ...settings, minimumNoticeDays: 7 },
    });
    return [
      decide(simple('LEGITIMATE_INTERESTS').purpose, { notifications: [notification('n1', 90)] }),
      // Frozen with the version: the controller's shorter setting today does not shorten it.
      decide(frozen, { notifications: [notification('n1', 80)] }),
      // Exact 24-hour days: one millisecond short.
      decide(
        { ...simple('LEGITIMATE_INTERESTS').purpose, at: new Date(day(100).getTime() - 1) },
        { notifications: [notification('n1', 72)] },
      ),
    ];
  },
  LEGITIMATE_INTERESTS_NOTIFIED: () => {
    const r1 = revision(1, 'LEGITIMATE_INTERESTS', 0);
    const r2 = revision(2, 'LEGITIMATE_INTERESTS', 50);
    // n2 describes r2 and changed the purpose only editorially: being told of n1 still counts.
    const editorial = context([r1, r2], [version(1, r1), version(2, r2, { published: 50 })]);
    const unfrozen = context([r1], [version(1, r1, { minimumNoticeDays: null })], {
      settings: { ...settings, minimumNoticeDays: 7 },
    });
    return [
      decide(simple('LEGITIMATE_INTERESTS').purpose, { notifications: reachedLongAgo() }),
      decide(simple('LEGITIMATE_INTERESTS').purpose, {
        notifications: [notification('n1', 10, 'IN_APP', [['DISPLAYED', 11]])],
      }),
      decide(editorial, { notifications: reachedLongAgo() }),
      // Exactly the lead time.
      decide(simple('LEGITIMATE_INTERESTS').purpose, { notifications: [notification('n1', 72)] }),
      // A version published before lead times were frozen: the controller's setting.
      decide(unfrozen, { notifications: [notification('n1', 90)] }),
      // An objection withdrawn.
      decide(simple('LEGITIMATE_INTERESTS').purpose, {
        notifications: reachedLongAgo(),
        responses: [response('OBJECTED', 20), response('OBJECTION_WITHDRAWN', 30)],
      }),
      // Consent withdrawn after the switch to legitimate interests: not an objection.
      decide(switched('LEGITIMATE_INTERESTS'), {
        notifications: [notification('n2', 61)],
        responses: [response('CONSENT_GIVEN', 5, 'n1'), response('CONSENT_WITHDRAWN', 61)],
      }),
    ];
  },
  LAWFUL_BASIS: () => [
    ...otherBases.map((basis) => decide(simple(basis).purpose)),
    ...otherBases.map((basis) => decide(simple(basis).purpose, { notifications: reachedLongAgo() })),
    // An objection does not stop processing under a contract (Art. 21 covers (e) and (f) only).
    decide(simple('CONTRACT').purpose, { responses: [response('OBJECTED', 50)] }),
    // Consent withdrawn, then given again before the switch: nothing stands against the new basis.
    decide(switched('LEGAL_OBLIGATION'), {
      responses: [response('CONSENT_WITHDRAWN', 20), response('CONSENT_GIVEN', 30, 'n1')],
    }),
  ],
};

describe('the eligibility decision table (docs/eligibility.md)', () => {
  const rows = decisionTable();

  it('has one row per rule, in the order the rules are applied, and one case per row', () => {
    expect(rows.map((row) => row.rule)).toEqual(Object.keys(ruleDecisions));
    expect(Object.keys(cases)).toEqual(Object.keys(ruleDecisions));
  });

  it.each(rows)('$rule is $verdict ($bases)', ({ rule, verdict, source }) => {
    expect(ruleDecisions[rule]).toBe(verdict);
    expect(source).toMatch(/Art\. \d|EDPB|WP29/);
    const results = cases[rule]();
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect({ rule: result.rule, decision: result.decision }, result.explanation).toEqual({
        rule,
        decision: verdict,
      });
      expect(result.explanation).not.toBe('');
    }
  });

  it('documents the default reach evidence per channel as reach.policy.ts has it', () => {
    const documented = Object.fromEntries(
      tableRows('Reached, per channel').map((line) => {
        const match = /^\| `([A-Z_]+)` \| ([A-Z_, ]+) \|$/.exec(line);
        if (!match) throw new Error(`not a reach row: ${line}`);
        return [match[1], match[2]!.split(', ')];
      }),
    );
    expect(documented).toEqual(defaultReachEvidence);
  });
});

describe('the rules in detail', () => {
  it('names the records behind a decision', () => {
    const told = notification('n1', 10, 'EMAIL', [
      ['SENT', 10],
      ['DELIVERED', 10.5],
      ['OPENED', 11],
    ]);
    const objection = response('OBJECTION_WITHDRAWN', 30);
    expect(
      decide(simple('LEGITIMATE_INTERESTS').purpose, { notifications: [told], responses: [objection] }),
    ).toMatchObject({
      rule: 'LEGITIMATE_INTERESTS_NOTIFIED',
      legalBasis: 'LEGITIMATE_INTERESTS',
      revisionId: 'r1',
      evidence: {
        versionId: 'n1',
        notificationId: told.id,
        eventId: `${told.id}-e1`,
        responseId: objection.id,
      },
    });
    const bounced = notification('n1', 10, 'EMAIL', [
      ['SENT', 10],
      ['BOUNCED', 10.5],
    ]);
    expect(decide(simple('LEGITIMATE_INTERESTS').purpose, { notifications: [bounced] }).evidence).toEqual({
      versionId: 'n1',
      notificationId: bounced.id,
      eventId: `${bounced.id}-e1`,
      responseId: null,
    });
    const withdrawal = response('CONSENT_WITHDRAWN', 30);
    expect(
      decide(switched('CONTRACT'), { responses: [response('CONSENT_GIVEN', 5, 'n1'), withdrawal] }).evidence,
    ).toEqual({ versionId: null, notificationId: null, eventId: null, responseId: withdrawal.id });
  });

  it('lets the notification that allows processing first decide, each with the lead time of its version in force', () => {
    const r1 = revision(1, 'LEGITIMATE_INTERESTS', 0);
    const purpose = context(
      [r1],
      [
        version(1, r1, { notice: 'a', minimumNoticeDays: 60 }),
        version(1, r1, { notice: 'b', minimumNoticeDays: 7 }),
      ],
    );
    const early = notification('a1', 40);
    const late = notification('b1', 85);
    expect(decide(purpose, { notifications: [early, late] })).toMatchObject({
      rule: 'LEGITIMATE_INTERESTS_NOTIFIED',
      evidence: { versionId: 'b1', notificationId: late.id },
    });
    expect(decide({ ...purpose, at: day(80) }, { notifications: [early] })).toMatchObject({
      rule: 'LEAD_TIME_NOT_MET',
    });
    // Lead times stored with a manifest win over the version's own.
    const stored = { ...purpose, settings: { ...settings, leadTimes: new Map([['b1', 30]]) } };
    expect(decide(stored, { notifications: [late] }).rule).toBe('LEAD_TIME_NOT_MET');
    expect(purposeRules(stored).leadTimes.get('b1')).toEqual({ days: 30, frozen: true });
  });

  it('finds the switch away from consent: the first revision after the last consent one', () => {
    const chain = (...bases: LegalBasis[]) =>
      bases.map((basis, index) => revision(index + 1, basis, index * 10));
    expect(consentSwitch(chain('CONSENT', 'CONTRACT'))?.number).toBe(2);
    expect(consentSwitch(chain('CONSENT', 'LEGITIMATE_INTERESTS', 'CONTRACT'))?.number).toBe(2);
    expect(
      consentSwitch(chain('CONTRACT', 'CONSENT', 'CONSENT', 'LEGITIMATE_INTERESTS', 'CONTRACT'))?.number,
    ).toBe(4);
    expect(consentSwitch(chain('CONTRACT', 'LEGITIMATE_INTERESTS'))).toBeNull();
    expect(consentSwitch(chain('CONTRACT', 'CONSENT'))).toBeNull();
    expect(consentSwitch([])).toBeNull();
  });

  it('reports whether the person was informed, separately from the decision', () => {
    const r1 = revision(1, 'CONTRACT', 0);
    const purpose = context([r1], [version(1, r1), version(2, r1, { published: 50 })]);
    expect(decide(purpose).transparency).toEqual({
      status: 'NONE',
      versionId: null,
      notificationId: null,
      eventId: null,
      since: null,
      reached: false,
    });
    const earlier = notification('n1', 10, 'POSTAL', [['DELIVERED', 12]]);
    expect(decide(purpose, { notifications: [earlier] })).toMatchObject({
      rule: 'LAWFUL_BASIS',
      transparency: {
        status: 'OTHER_VERSION_ONLY',
        versionId: 'n1',
        notificationId: earlier.id,
        eventId: `${earlier.id}-e0`,
        since: day(12),
        reached: true,
      },
    });
    // Notified of the version in force twice, neither reached: the first one sent, and it says so.
    const unreached = [notification('n2', 60, 'EMAIL', []), notification('n2', 55, 'IN_APP', [['SENT', 55]])];
    expect(decide(purpose, { notifications: [earlier, ...unreached] }).transparency).toEqual({
      status: 'CURRENT',
      versionId: 'n2',
      notificationId: unreached[1]!.id,
      eventId: null,
      since: day(55),
      reached: false,
    });
    const displayed = notification('n2', 70, 'IN_APP', [['DISPLAYED', 71]]);
    expect(decide(purpose, { notifications: [...unreached, displayed] }).transparency).toMatchObject({
      status: 'CURRENT',
      notificationId: displayed.id,
      since: day(71),
      reached: true,
    });
    // The same finding under consent and legitimate interests; none before the purpose existed.
    expect(decide(simple('CONSENT').purpose, { notifications: reachedLongAgo() }).transparency?.status).toBe(
      'CURRENT',
    );
    expect(decide(simple('LEGITIMATE_INTERESTS').purpose).transparency?.status).toBe('NONE');
    expect(decide(context([], [version(1, r1)])).transparency).toBeNull();
  });
});

/** The objection-case table: `| \`CASE\` | condition | VERDICT | article |`. */
function objectionCaseTable() {
  const row = /^\| `([A-Z_]+)` \| [^|]+ \| (ALLOWED|DENIED) \| (.+) \|$/;
  return tableRows('Objection cases').map((line) => {
    const match = row.exec(line);
    if (!match) throw new Error(`not an objection-case row: ${line}`);
    return { status: match[1]!, verdict: match[2] as 'ALLOWED' | 'DENIED', source: match[3]! };
  });
}

/** A reached legitimate-interests subject who objected on day 50, its case as given. */
function objectedWithCase(decision: SubjectResponseFact['objectionDecision']): Eligibility {
  return decide(simple('LEGITIMATE_INTERESTS').purpose, {
    notifications: reachedLongAgo(),
    responses: [{ ...response('OBJECTED', 50), objectionDecision: decision }],
  });
}

const objectionCases: Record<string, () => Eligibility[]> = {
  OPEN: () => [
    objectedWithCase({ outcome: 'OPEN', decidedAt: null }),
    // Recorded before cases existed: no case, treated as open.
    objectedWithCase(null),
  ],
  HONOURED: () => [objectedWithCase({ outcome: 'HONOURED', decidedAt: day(60) })],
  REFUSED: () => [
    objectedWithCase({ outcome: 'REFUSED', decidedAt: day(60) }),
    // Under public task too (Art. 21(1) covers point (e)).
    decide(simple('PUBLIC_TASK').purpose, {
      responses: [
        { ...response('OBJECTED', 50), objectionDecision: { outcome: 'REFUSED', decidedAt: day(60) } },
      ],
    }),
  ],
  REFUSED_LATER: () => [objectedWithCase({ outcome: 'REFUSED', decidedAt: day(101) })],
};

describe('the objection-case table (docs/eligibility.md)', () => {
  const rows = objectionCaseTable();

  it('has one case per row', () => {
    expect(rows.map((row) => row.status)).toEqual(Object.keys(objectionCases));
  });

  it.each(rows)('$status is $verdict', ({ status, verdict, source }) => {
    expect(source).toMatch(/Art\. \d/);
    for (const result of objectionCases[status]!()) {
      expect(result.decision, result.explanation).toBe(verdict);
      if (verdict === 'DENIED') expect(result.rule).toBe('OBJECTED');
    }
  });
});

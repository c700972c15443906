import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/lib/canonical-json.js';
import { canonicalForm, contentHash } from '../../../src/modules/notice/content-hash.js';
import { translationHash } from '../../../src/modules/notice/translation-hash.js';
import type { PurposeSnapshot, VersionSnapshot } from '../../../src/modules/purpose/purpose.snapshot.js';
import { heavyTestTimeout } from '../../support/timeouts.js';

function purpose(overrides: Partial<PurposeSnapshot> = {}): PurposeSnapshot {
  return {
    key: 'newsletter',
    revision: 2,
    name: 'Newsletter',
    description: 'Monthly e-mail "news".',
    legalBasis: 'CONSENT',
    legitimateInterest: null,
    dataCategories: ['e-mail address', 'name'],
    specialCategories: [],
    dataSubjectCategories: ['customers'],
    dataSources: ['the data subject'],
    publiclyAccessibleSources: false,
    recipients: ['Mail provider'],
    retentionPeriodDays: 730,
    retentionCriteria: null,
    transfers: [{ destination: 'US', safeguard: 'SCCs' }],
    automatedDecisionMaking: null,
    consentValidityDays: 365,
    ...overrides,
  };
}

function version(overrides: Partial<VersionSnapshot> = {}): VersionSnapshot {
  return {
    noticeKey: 'privacy-policy',
    number: 3,
    effectiveFrom: new Date('2025-03-01T00:00:00.000Z'),
    translations: [
      { locale: 'fr', title: 'Confidentialité', body: 'Nous traitons vos données.\n' },
      { locale: 'en', title: 'Privacy', body: 'We process your data.\n' },
    ],
    purposes: [purpose()],
    ...overrides,
  };
}

const GOLDEN_FORM =
  '{"effectiveFrom":"2025-03-01T00:00:00.000Z","format":"notarium.notice-version.v1",' +
  '"noticeKey":"privacy-policy","number":3,"purposes":[{"automatedDecisionMaking":null,' +
  '"consentValidityDays":365,"dataCategories":["e-mail address","name"],' +
  '"dataSources":["the data subject"],"dataSubjectCategories":["customers"],' +
  '"description":"Monthly e-mail \\"news\\".","key":"newsletter","legalBasis":"CONSENT",' +
  '"legitimateInterest":null,"name":"Newsletter","publiclyAccessibleSources":false,' +
  '"recipients":["Mail provider"],"retentionCriteria":null,"retentionPeriodDays":730,"revision":2,' +
  '"specialCategories":[],"transfers":[{"destination":"US","safeguard":"SCCs"}]}],' +
  '"translations":[{"body":"We process your data.\\n","locale":"en","title":"Privacy"},' +
  '{"body":"Nous traitons vos données.\\n","locale":"fr","title":"Confidentialité"}]}';
const GOLDEN_HASH = 'sha256:3a965e47005d61dd0c5086b2c7ec662a77dbc0bf22d6cff14c95671b970d4ba3';

describe('canonicalForm and contentHash', () => {
  it('pins the canonical form and hash of a fixed snapshot', () => {
    expect(canonicalForm(version())).toBe(GOLDEN_FORM);
    expect(contentHash(version())).toBe(GOLDEN_HASH);
    const independent = createHash('sha256').update(Buffer.from(GOLDEN_FORM, 'utf8')).digest('hex');
    expect(GOLDEN_HASH).toBe(`sha256:${independent}`);
  });

  it('does not depend on property insertion order', () => {
    const p = purpose();
    const reordered = Object.fromEntries(Object.entries(p).reverse()) as unknown as PurposeSnapshot;
    const transfers = [{ safeguard: 'SCCs', destination: 'US' }];
    const v = version();
    const reversed = Object.fromEntries(Object.entries(v).reverse()) as unknown as VersionSnapshot;
    expect(contentHash({ ...reversed, purposes: [{ ...reordered, transfers }] })).toBe(GOLDEN_HASH);
  });

  it('does not depend on the order of translations or purposes', () => {
    const a = purpose({ key: 'analytics' });
    const b = purpose({ key: 'newsletter' });
    const v = version({ purposes: [a, b] });
    const swapped = version({ purposes: [b, a], translations: [...v.translations].reverse() });
    expect(contentHash(swapped)).toBe(contentHash(v));
  });

  it('ignores properties outside the snapshot shape', () => {
    const extra = { ...purpose(), id: 'row-17', createdAt: new Date() } as PurposeSnapshot;
    expect(contentHash(version({ purposes: [extra] }))).toBe(GOLDEN_HASH);
  });

  it('keeps the order of list items, which is content', () => {
    const swapped = purpose({ dataCategories: ['name', 'e-mail address'] });
    expect(contentHash(version({ purposes: [swapped] }))).not.toBe(GOLDEN_HASH);
  });

  it.each<[string, Partial<VersionSnapshot>]>([
    ['the body text', { translations: [{ locale: 'en', title: 'Privacy', body: 'We process data.\n' }] }],
    ['a title', { translations: [{ locale: 'en', title: 'Privacy notice', body: 'x' }] }],
    ['the effective date', { effectiveFrom: new Date('2025-03-01T00:00:00.001Z') }],
    ['the version number', { number: 4 }],
    ['a missing version number', { number: null }],
    ['the notice key', { noticeKey: 'privacy' }],
    ['a recipient', { purposes: [purpose({ recipients: ['Mail provider', 'Printer'] })] }],
    ['the purpose revision', { purposes: [purpose({ revision: 3 })] }],
    [
      'a transfer safeguard',
      { purposes: [purpose({ transfers: [{ destination: 'US', safeguard: 'DPF' }] })] },
    ],
    [
      'automated decisions',
      { purposes: [purpose({ automatedDecisionMaking: { logic: 'l', significance: 's' } })] },
    ],
    ['a null field', { purposes: [purpose({ retentionCriteria: '' })] }],
    ['a boolean', { purposes: [purpose({ publiclyAccessibleSources: true })] }],
    ['the purposes covered', { purposes: [] }],
  ])('changes when %s changes', (_, change) => {
    expect(contentHash(version(change))).not.toBe(GOLDEN_HASH);
  });

  it('normalises strings to NFC', () => {
    const composed = version({ translations: [{ locale: 'en', title: 'Caf\u00e9', body: 'caf\u00e9' }] });
    const decomposed = version({ translations: [{ locale: 'en', title: 'Cafe\u0301', body: 'cafe\u0301' }] });
    expect(contentHash(decomposed)).toBe(contentHash(composed));
    expect(canonicalForm(decomposed)).toContain('"title":"Caf\u00e9"');
  });

  it('rejects snapshots whose order would be ambiguous or whose values are not representable', () => {
    const twoEn = [
      { locale: 'en', title: 'a', body: 'a' },
      { locale: 'en', title: 'b', body: 'b' },
    ];
    expect(() => canonicalForm(version({ translations: twoEn }))).toThrow(/Duplicate locale "en"/);
    expect(() => canonicalForm(version({ purposes: [purpose(), purpose()] }))).toThrow(
      /Duplicate purpose key/,
    );
    expect(() => canonicalForm(version({ effectiveFrom: new Date(Number.NaN) }))).toThrow(/valid Date/);
    expect(() =>
      canonicalForm(version({ purposes: [purpose({ retentionPeriodDays: Number.NaN })] })),
    ).toThrow(/number NaN/);
    expect(() => canonicalForm(version({ purposes: [purpose({ name: undefined as never })] }))).toThrow(
      /undefined/,
    );
    expect(() => canonicalForm(version({ noticeKey: 'a\ud800' }))).toThrow(/lone surrogate/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every level and omits whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ z: true, Z: null }], é: 'x', '\u{1F600}': 0, '\uFF21': 0 })).toBe(
      '{"a":[{"Z":null,"z":true}],"b":1,"é":"x","\u{1F600}":0,"\uFF21":0}',
    );
  });

  it('writes numbers as JSON numbers and rejects what JSON cannot hold', () => {
    expect(canonicalJson([0, -0, 1.5, 1e21, -7])).toBe('[0,0,1.5,1e+21,-7]');
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow();
    expect(() => canonicalJson(undefined)).toThrow();
    expect(() => canonicalJson([1, undefined])).toThrow();
    expect(() => canonicalJson(new Array(2))).toThrow();
    expect(() => canonicalJson({ a: undefined })).toThrow();
    expect(() => canonicalJson(new Date(0))).toThrow(/Date/);
    expect(() => canonicalJson(1n)).toThrow(/bigint/);
  });
});

const V2_SNAPSHOT: VersionSnapshot = {
  ...version(),
  controller: {
    name: 'Example',
    legalName: 'Example GmbH',
    contactEmail: 'privacy@example.com',
    dpoContact: 'dpo@example.com',
    euRepresentative: null,
  },
  purposes: [
    purpose({
      explicitConsent: true,
      basisChangeJustification: null,
      transfers: [{ destination: 'US', safeguard: 'SCCs', explicitConsent: true }],
    }),
  ],
};
const V2_HASH = 'sha256:5886118a9e82c7d6ea0d80d2749949d3d148ad98bb1fa20028fc4c2e7c47343c';

/** The canonical forms printed in docs/content-hash.md, lines joined. */
function documentedForm(heading: string): string {
  const doc = readFileSync(new URL('../../../docs/content-hash.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf(heading));
  return section
    .slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4))
    .replaceAll('\n', '');
}

describe('canonical form v2: the controller and explicit consent are stated', () => {
  it('pins the documented v2 example', () => {
    expect(canonicalForm(V2_SNAPSHOT)).toBe(documentedForm('### Example (v2)'));
    expect(contentHash(V2_SNAPSHOT)).toBe(V2_HASH);
    expect(canonicalForm(version())).toBe(documentedForm('### Example (v1)'));
  });

  it('changes the hash when the controller, its DPO or an explicit-consent flag changes', () => {
    const variants: VersionSnapshot[] = [
      { ...V2_SNAPSHOT, controller: { ...V2_SNAPSHOT.controller!, legalName: 'Other GmbH' } },
      { ...V2_SNAPSHOT, controller: { ...V2_SNAPSHOT.controller!, dpoContact: null } },
      { ...V2_SNAPSHOT, controller: { ...V2_SNAPSHOT.controller!, euRepresentative: 'Rep BV' } },
      { ...V2_SNAPSHOT, purposes: [{ ...V2_SNAPSHOT.purposes[0]!, explicitConsent: false }] },
      { ...V2_SNAPSHOT, purposes: [{ ...V2_SNAPSHOT.purposes[0]!, basisChangeJustification: 'why' }] },
      {
        ...V2_SNAPSHOT,
        purposes: [{ ...V2_SNAPSHOT.purposes[0]!, transfers: [{ destination: 'US', safeguard: 'SCCs' }] }],
      },
    ];
    const hashes = new Set([V2_HASH, ...variants.map(contentHash)]);
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('keeps a v1 version (no stated controller) hashing as it did, whatever the new flags say', () => {
    const flagged = version({
      purposes: [purpose({ explicitConsent: true, basisChangeJustification: 'x' })],
    });
    expect(contentHash(flagged)).toBe(GOLDEN_HASH);
  });

  it.skipIf(spawnSync('python3', ['--version']).status !== 0)(
    'agrees with the Python script in docs/content-hash.md on both formats',
    () => {
      const doc = readFileSync(new URL('../../../docs/content-hash.md', import.meta.url), 'utf8');
      const script = doc.slice(
        doc.indexOf('```python\n') + 10,
        doc.indexOf('\n```', doc.indexOf('```python')),
      );
      const dir = mkdtempSync(join(tmpdir(), 'notarium-hash-'));
      try {
        writeFileSync(join(dir, 'hash.py'), script);
        for (const [snapshot, hash] of [
          [V2_SNAPSHOT, V2_HASH],
          [version(), GOLDEN_HASH],
          [WITH_ASSESSMENT, contentHash(WITH_ASSESSMENT)],
        ] as const) {
          writeFileSync(join(dir, 'version.json'), JSON.stringify(snapshot));
          const run = spawnSync('python3', [join(dir, 'hash.py'), join(dir, 'version.json')], {
            encoding: 'utf8',
          });
          expect(run.stderr).toBe('');
          expect(run.stdout.trim().split('\n')).toEqual([canonicalForm(snapshot), hash]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    heavyTestTimeout,
  );
});

/** A v2 version whose purpose states how to object and carries its assessment with a DPIA. */
const WITH_ASSESSMENT: VersionSnapshot = {
  ...V2_SNAPSHOT,
  purposes: [
    purpose({
      key: 'ai-training',
      legalBasis: 'LEGITIMATE_INTERESTS',
      legitimateInterest: 'Improving the service.',
      consentValidityDays: null,
      explicitConsent: false,
      basisChangeJustification: null,
      objectionMechanism: { url: 'https://example.com/object', steps: null, reasonsRequired: true },
      legitimateInterestAssessment: {
        interest: 'Improving the service.',
        necessity: 'No less intrusive means.',
        reasonableExpectations: 'Users expect it.',
        impact: 'Low.',
        safeguards: ['pseudonymisation', 'opt-out'],
        excludedGroups: ['children'],
        author: 'DPO office',
        assessedOn: '2026-02-01',
        dpia: { reference: 'DPIA-7', url: null, date: '2026-01-15', outcome: 'acceptable' },
      },
    }),
  ],
};

describe('the objection mechanism and the legitimate-interest assessment in the hash', () => {
  it('are members only when stated: without them every hash stays byte for byte the same', () => {
    const absent = version({
      ...V2_SNAPSHOT,
      purposes: V2_SNAPSHOT.purposes.map((p) => ({
        ...p,
        objectionMechanism: null,
        legitimateInterestAssessment: null,
      })),
    });
    expect(canonicalForm(absent)).toBe(canonicalForm(V2_SNAPSHOT));
    expect(contentHash(absent)).toBe(V2_HASH);
    const form = canonicalForm(WITH_ASSESSMENT);
    expect(form).toContain(
      '"objectionMechanism":{"reasonsRequired":true,"steps":null,"url":"https://example.com/object"}',
    );
    expect(form).toContain(
      '"dpia":{"date":"2026-01-15","outcome":"acceptable","reference":"DPIA-7","url":null}',
    );
    // Any change to either is a change of the hash.
    const [p] = WITH_ASSESSMENT.purposes;
    const changed = {
      ...WITH_ASSESSMENT,
      purposes: [
        { ...p!, legitimateInterestAssessment: { ...p!.legitimateInterestAssessment!, impact: 'Medium.' } },
      ],
    };
    expect(contentHash(changed)).not.toBe(contentHash(WITH_ASSESSMENT));
    const steps = {
      ...WITH_ASSESSMENT,
      purposes: [{ ...p!, objectionMechanism: { ...p!.objectionMechanism!, reasonsRequired: false } }],
    };
    expect(contentHash(steps)).not.toBe(contentHash(WITH_ASSESSMENT));
  });
});

describe('translationHash', () => {
  it('hashes the documented canonical JSON of one locale', () => {
    const text = { locale: 'fr', title: 'Confidentialité', body: 'Nous traitons vos données.\n' };
    const canonical = canonicalJson({
      format: 'notarium.notice-text.v1',
      noticeKey: 'privacy-policy',
      number: 3,
      ...text,
    });
    const expected = `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
    expect(translationHash({ noticeKey: 'privacy-policy', number: 3 }, text)).toBe(expected);
    expect(
      canonical.startsWith('{"body":"Nous traitons vos données.\\n","format":"notarium.notice-text.v1"'),
    ).toBe(true);
    expect(translationHash({ noticeKey: 'privacy-policy', number: 4 }, text)).not.toBe(expected);
  });
});

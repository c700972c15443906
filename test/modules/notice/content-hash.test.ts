import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalForm, canonicalJson, contentHash } from '../../../src/modules/notice/content-hash.js';
import type { PurposeSnapshot, VersionSnapshot } from '../../../src/modules/purpose/purpose.snapshot.js';

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

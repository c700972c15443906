import { describe, expect, it } from 'vitest';
import type { ApiKeyRole } from '../../../src/generated/prisma/enums.js';
import type { Viewer } from '../../../src/modules/access/access.policy.js';
import {
  instantInScope,
  mayReadRequest,
  noticeInScope,
  type RequestScope,
  readableRequestId,
  readableRequestWhere,
  recordInScope,
  requestScope,
  type ScopedRecord,
  type ScopedVersion,
  subjectInScope,
  versionInScope,
} from '../../../src/modules/regulator/regulator.scope.js';
import { scopeOf } from '../../support/regulator-fixtures.js';

// The rows of the decision tables in docs/regulators.md ("What a key may read"), one test each.

const controllerId = '0190a000-0000-7000-8000-000000000001';
const otherControllerId = '0190a000-0000-7000-8000-000000000002';
const own = '0190a000-0000-7000-8000-0000000000a1';
const other = '0190a000-0000-7000-8000-0000000000a2';

function viewer(role: ApiKeyRole, regulatorRequestId: string | null = null): Viewer {
  return { apiKeyId: 'key', keyName: 'key', role, controllerId, regulatorRequestId };
}

describe('which request a key reads', () => {
  const rows: [string, Viewer, string | null, string | null][] = [
    ['a REGULATOR key reads its own request when it names none', viewer('REGULATOR', own), null, own],
    ['a REGULATOR key reads its own request whatever it names', viewer('REGULATOR', own), other, own],
    ['a REGULATOR key bound to no request reads none', viewer('REGULATOR'), own, null],
    ['ADMIN reads the request it names', viewer('ADMIN'), other, other],
    ['AUDITOR reads the request it names', viewer('AUDITOR'), own, own],
    ['AUDITOR naming none reads none', viewer('AUDITOR'), null, null],
    ['EDITOR reads none', viewer('EDITOR'), own, null],
    ['NOTIFIER reads none', viewer('NOTIFIER'), own, null],
    ['READER reads none', viewer('READER'), own, null],
  ];
  it.each(rows)('%s', (_name, who, asked, expected) => {
    expect(readableRequestId(who, asked)).toBe(expected);
    expect(readableRequestWhere(who, asked)).toEqual(
      expected === null ? null : { id: expected, controllerId },
    );
  });

  it('looks up nothing for an ID that is not a UUID', () => {
    expect(readableRequestWhere(viewer('ADMIN'), 'not-a-uuid')).toBeNull();
  });
});

describe('whether a key may read a request', () => {
  const request = (id: string, owner = controllerId) => ({ id, controllerId: owner });
  const rows: [string, Viewer | null, { id: string; controllerId: string }, boolean][] = [
    ['a REGULATOR key, its own request', viewer('REGULATOR', own), request(own), true],
    ['a REGULATOR key, another request of its controller', viewer('REGULATOR', own), request(other), false],
    [
      'a REGULATOR key, its request ID under another controller',
      viewer('REGULATOR', own),
      request(own, otherControllerId),
      false,
    ],
    ['ADMIN, any request of its controller', viewer('ADMIN'), request(other), true],
    ['AUDITOR, any request of its controller', viewer('AUDITOR'), request(own), true],
    ['AUDITOR, a request of another controller', viewer('AUDITOR'), request(own, otherControllerId), false],
    ['READER, a request of its controller', viewer('READER'), request(own), false],
    ['no viewer', null, request(own), false],
  ];
  it.each(rows)('%s', (_name, who, target, expected) => {
    expect(mayReadRequest(who, target)).toBe(expected);
  });
});

const from = new Date('2025-03-01T00:00:00.000Z');
const to = new Date('2025-03-31T23:59:59.999Z');
const ms = (date: Date, delta: number) => new Date(date.getTime() + delta);

describe('a stored request as criteria', () => {
  it('reads an empty list as a criterion not given, and keeps the period', () => {
    expect(
      requestScope({ subjectRefHashes: [], noticeKeys: ['cookies'], periodFrom: from, periodTo: null }),
    ).toEqual({ subjectRefHashes: null, noticeKeys: ['cookies'], from, to: null });
    expect(
      requestScope({ subjectRefHashes: ['h1'], noticeKeys: [], periodFrom: null, periodTo: to }),
    ).toEqual({ subjectRefHashes: ['h1'], noticeKeys: null, from: null, to });
  });
});

describe('subjects, notices and instants in scope', () => {
  const rows: [string, boolean, boolean][] = [
    ['no subject criterion: any subject', subjectInScope(scopeOf({}), 'h9'), true],
    ['a subject named', subjectInScope(scopeOf({ subjectRefHashes: ['h1', 'h2'] }), 'h2'), true],
    ['a subject not named', subjectInScope(scopeOf({ subjectRefHashes: ['h1'] }), 'h2'), false],
    ['no notice criterion: any notice', noticeInScope(scopeOf({}), 'cookies'), true],
    ['no notice criterion: a record without a version', noticeInScope(scopeOf({}), null), true],
    ['a notice named', noticeInScope(scopeOf({ noticeKeys: ['privacy-policy'] }), 'privacy-policy'), true],
    ['a notice not named', noticeInScope(scopeOf({ noticeKeys: ['privacy-policy'] }), 'cookies'), false],
    [
      'a notice criterion: a record without a version',
      noticeInScope(scopeOf({ noticeKeys: ['privacy-policy'] }), null),
      false,
    ],
    ['no period: any instant', instantInScope(scopeOf({}), new Date(0)), true],
    ['exactly at the start', instantInScope(scopeOf({ from, to }), from), true],
    ['a millisecond before the start', instantInScope(scopeOf({ from, to }), ms(from, -1)), false],
    ['exactly at the end', instantInScope(scopeOf({ from, to }), to), true],
    ['a millisecond after the end', instantInScope(scopeOf({ from, to }), ms(to, 1)), false],
    ['only a start: long after it', instantInScope(scopeOf({ from }), new Date('2099-01-01')), true],
    ['only an end: long before it', instantInScope(scopeOf({ to }), new Date(0)), true],
  ];
  it.each(rows)('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('records in scope: every criterion given must hold', () => {
  const narrow = scopeOf({ subjectRefHashes: ['h1'], noticeKeys: ['privacy-policy'], from, to });
  const record: ScopedRecord = { subjectRefHash: 'h1', noticeKey: 'privacy-policy', occurredAt: from };
  const rows: [string, RequestScope, ScopedRecord, boolean][] = [
    ['all three match', narrow, record, true],
    ['another subject', narrow, { ...record, subjectRefHash: 'h2' }, false],
    ['another notice', narrow, { ...record, noticeKey: 'cookies' }, false],
    ['outside the period', narrow, { ...record, occurredAt: ms(to, 1) }, false],
    ['without a version, under a notice criterion', narrow, { ...record, noticeKey: null }, false],
    [
      'without a version, no notice criterion',
      scopeOf({ subjectRefHashes: ['h1'] }),
      { ...record, noticeKey: null },
      true,
    ],
    [
      'only a period given: any subject and notice in it',
      scopeOf({ from, to }),
      { ...record, subjectRefHash: 'h7' },
      true,
    ],
  ];
  it.each(rows)('%s', (_name, criteria, candidate, expected) => {
    expect(recordInScope(criteria, candidate)).toBe(expected);
  });
});

describe('notice versions in scope: published, of a notice in scope, in force during the period', () => {
  const version: ScopedVersion = {
    noticeKey: 'privacy-policy',
    number: 1,
    effectiveFrom: ms(from, -1000),
    retiredAt: null,
  };
  const period = scopeOf({ noticeKeys: ['privacy-policy'], from, to });
  const rows: [string, RequestScope, ScopedVersion, boolean][] = [
    ['in force throughout', period, version, true],
    ['a draft (no number)', period, { ...version, number: null }, false],
    ['another notice', period, { ...version, noticeKey: 'cookies' }, false],
    ['effective exactly at the end', period, { ...version, effectiveFrom: to }, true],
    ['effective a millisecond after the end', period, { ...version, effectiveFrom: ms(to, 1) }, false],
    ['retired exactly at the start', period, { ...version, retiredAt: from }, true],
    ['retired a millisecond before the start', period, { ...version, retiredAt: ms(from, -1) }, false],
    ['retired inside the period', period, { ...version, retiredAt: ms(from, 1000) }, true],
    [
      'no period: any published version of the notice',
      scopeOf({ noticeKeys: ['privacy-policy'] }),
      version,
      true,
    ],
    ['no notice criterion: every notice', scopeOf({ from, to }), { ...version, noticeKey: 'cookies' }, true],
  ];
  it.each(rows)('%s', (_name, criteria, candidate, expected) => {
    expect(versionInScope(criteria, candidate)).toBe(expected);
  });
});

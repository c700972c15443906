import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNoticeAsOf } from '../../support/notice-fixtures.js';
import { recordWithEvents } from '../../support/record-with-events.js';
import { useTestApp } from '../../support/test-app.js';

/**
 * A `subject(ref)` selection with one proof or eligibility lookup reads the subject and the
 * lookup's facts in one statement (ADR 0026). The answers must be those of the general path —
 * the subject alone, then one statement per lookup field — which a selection with two lookup
 * fields still takes.
 */
const proofFields = `__typename
  ... on NotificationProof {
    contentHash reached firstReachedAt daysBeforeEffective minimumNoticeDays leadTimeEndsAt leadTimeMet batchIds
    version { id number noticeKey effectiveFrom status }
    notifications {
      notification { id idempotencyKey channel locale occurredAt }
      events { type occurredAt } evidenceStrength countingEvents reached reachedAt textHash
    }
  }
  ... on Error { code message }`;
const eligibilityFields = `__typename
  ... on EligibilityResult {
    purposeKey at decision rule legalBasis explanation
    purposeRevision { id number }
    evidence { version { id noticeKey number } notification { id } event { id type } response { id kind } }
    transparency { status since reached version { noticeKey number } notification { id } event { type } }
  }
  ... on Error { code message }`;

type Variables = { ref: string; version?: number; purpose?: string; at?: string | null };
type Answer = { subject: Record<string, unknown> | null };
const document = (text: string) => parse(text) as unknown as TypedDocumentNode<Answer, Variables>;

const oneProof = document(`query($ref: String!, $version: Int!) { subject(ref: $ref) {
  id jurisdiction createdAt proof: notificationProof(noticeKey: "lookup", version: $version) { ${proofFields} } } }`);
const twoProofs = document(`query($ref: String!, $version: Int!) { subject(ref: $ref) {
  id jurisdiction createdAt proof: notificationProof(noticeKey: "lookup", version: $version) { ${proofFields} }
  other: notificationProof(noticeKey: "lookup", version: 1) { __typename } } }`);
const proofInFragment = document(`query($ref: String!, $version: Int!) { subject(ref: $ref) { ...P } }
  fragment P on Subject { id jurisdiction createdAt ... on Subject {
    proof: notificationProof(noticeKey: "lookup", version: $version) { ${proofFields} } } }`);
const oneDecision = document(`query($ref: String!, $purpose: String!, $at: DateTime) { subject(ref: $ref) {
  id createdAt decision: eligibility(purposeKey: $purpose, at: $at) { ${eligibilityFields} } } }`);
const twoDecisions = document(`query($ref: String!, $purpose: String!, $at: DateTime) { subject(ref: $ref) {
  id createdAt decision: eligibility(purposeKey: $purpose, at: $at) { ${eligibilityFields} }
  other: eligibility(purposeKey: $purpose) { __typename } } }`);
const withRelation = document(`query($ref: String!, $purpose: String!) { subject(ref: $ref) {
  id notifications(first: 2) { edges { node { id } } }
  decision: eligibility(purposeKey: $purpose) { ${eligibilityFields} } } }`);

const t = useTestApp();
const day = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * day).toISOString();

async function run(key: string, query: TypedDocumentNode<Answer, Variables>, variables: Variables) {
  let data: Answer | undefined;
  const { statements } = await t.database.counter.measure(async () => {
    data = expectData(await execute(t.app, query, { key, variables }));
  });
  return { data: data!, statements: statements.filter((sql) => !sql.includes('"ApiKey"')) };
}

/** The answer without the field only the general-path document has. */
function withoutOther(answer: Answer): Answer {
  if (answer.subject === null) return answer;
  const { other: _other, ...subject } = answer.subject;
  return { subject };
}

describe('a proof or eligibility lookup read with its subject', () => {
  let auditor: string;

  beforeAll(async () => {
    const { keys } = await makeTenant(t.database.prisma);
    auditor = keys.AUDITOR;
    await publishedNoticeAsOf(t.app, t.database, keys.EDITOR, 'lookup', new Date(ago(90)));
    const channels = ['EMAIL', 'IN_APP', 'SMS'] as const;
    const items = channels.map((channel, index) => ({
      idempotencyKey: `ws-${index}`,
      subjectRef: index === 0 ? 'once' : 'often',
      channel,
      noticeKey: 'lookup',
      versionNumber: 1,
      locale: index === 2 ? 'de' : 'en',
      occurredAt: ago(60 - index),
    }));
    await recordWithEvents(t.app, keys.NOTIFIER, items, [
      { notificationIdempotencyKey: 'ws-0', type: 'DELIVERED', occurredAt: ago(59) },
      { notificationIdempotencyKey: 'ws-1', type: 'SENT', occurredAt: ago(58) },
      { notificationIdempotencyKey: 'ws-2', type: 'BOUNCED', occurredAt: ago(57) },
    ]);
  });

  it('proves in one statement what the general path proves, a missing version and subject included', async () => {
    for (const [ref, version] of [
      ['once', 1],
      ['often', 1],
      ['often', 7],
      ['nobody', 1],
    ] as const) {
      const fast = await run(auditor, oneProof, { ref, version });
      const general = await run(auditor, twoProofs, { ref, version });
      const fragment = await run(auditor, proofInFragment, { ref, version });
      expect(fast.statements, fast.statements.join('\n')).toHaveLength(1);
      expect(fragment.statements).toHaveLength(1);
      if (general.data.subject !== null) expect(general.statements.length).toBeGreaterThan(1);
      expect(fast.data).toEqual(withoutOther(general.data));
      expect(fragment.data).toEqual(fast.data);
    }
    const found = await run(auditor, oneProof, { ref: 'often', version: 1 });
    expect(found.data.subject?.proof).toMatchObject({ __typename: 'NotificationProof', reached: false });
    const missing = await run(auditor, oneProof, { ref: 'often', version: 7 });
    expect(missing.data.subject?.proof).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect((await run(auditor, oneProof, { ref: 'nobody', version: 1 })).data).toEqual({ subject: null });
  });

  it('decides in one statement what the general path decides, at an instant and for an unknown purpose too', async () => {
    // An explicit instant: by default each request decides at its own.
    const now = new Date().toISOString();
    for (const [ref, purpose, at] of [
      ['once', 'lookup-p', now],
      ['often', 'lookup-p', now],
      ['often', 'lookup-p', ago(59.5)],
      ['once', 'no-such-purpose', now],
      ['nobody', 'lookup-p', now],
    ] as const) {
      const fast = await run(auditor, oneDecision, { ref, purpose, at });
      const general = await run(auditor, twoDecisions, { ref, purpose, at });
      expect(fast.statements, fast.statements.join('\n')).toHaveLength(1);
      if (general.data.subject !== null) expect(general.statements.length).toBeGreaterThan(1);
      expect(fast.data).toEqual(withoutOther(general.data));
    }
    const decided = await run(auditor, oneDecision, { ref: 'once', purpose: 'lookup-p', at: null });
    expect(decided.statements).toHaveLength(1);
    expect(decided.data.subject?.decision).toMatchObject({ __typename: 'EligibilityResult' });
    const unknown = await run(auditor, oneDecision, { ref: 'once', purpose: 'no-such-purpose', at: now });
    expect(unknown.data.subject?.decision).toMatchObject({ __typename: 'NotFoundError' });
  });

  it('reads the subject with Prisma when the selection asks for its relations, with the same decision', async () => {
    const both = await run(auditor, withRelation, { ref: 'often', purpose: 'lookup-p' });
    expect(both.data.subject).toMatchObject({
      notifications: { edges: [{ node: { id: expect.any(String) } }, { node: { id: expect.any(String) } }] },
      decision: { __typename: 'EligibilityResult' },
    });
    expect(both.statements.length).toBeGreaterThan(1);
  });
});

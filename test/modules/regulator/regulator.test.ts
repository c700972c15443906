import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { verifyBundle } from '../../../src/modules/evidence/verify-bundle.js';
import type { OpenRegulatorRequestInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createPurpose, inDays, publishedNotice, revisePurpose } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const Open = graphql(`
  mutation OpenRequest($input: OpenRegulatorRequestInput!) {
    openRegulatorRequest(input: $input) {
      __typename
      ... on RegulatorRequestPayload {
        request {
          id
          subjectCount
        }
      }
      ... on InputValidationError {
        issues {
          path
        }
      }
    }
  }
`);

const Issue = graphql(`
  mutation IssueRegulatorKey($input: IssueRegulatorKeyInput!) {
    issueRegulatorKey(input: $input) {
      __typename
      ... on IssueRegulatorKeyPayload {
        secret
        apiKey {
          id
          role
        }
      }
      ... on InputValidationError {
        issues {
          path
        }
      }
    }
  }
`);

const Seed = graphql(`
  mutation SeedForRegulator($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      ... on RecordNotificationsPayload {
        accepted
      }
    }
  }
`);

const RegulatorView = graphql(`
  query RegulatorView {
    regulatorRequest {
      authority
      reference
      noticeVersions {
        noticeKey
        number
        contentHash
        text(locale: "en") {
          title
        }
      }
      notifications(first: 50) {
        edges {
          node {
            idempotencyKey
            version {
              noticeKey
            }
          }
        }
      }
    }
  }
`);

const Forbidden = graphql(`
  query RegulatorForbidden {
    notices(first: 5) {
      edges {
        node {
          key
        }
      }
    }
  }
`);

const AuditQueries = graphql(`
  query AuditQueries {
    auditTrail(first: 50, action: "regulator:query") {
      edges {
        node {
          actorRole
          details
        }
      }
    }
  }
`);

const RecordObjection = graphql(`
  mutation RecordObjectionForRegulator($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      ... on RecordResponsesPayload {
        accepted
      }
    }
  }
`);

const RegulatorResponses = graphql(`
  query RegulatorResponses {
    regulatorRequest {
      responses(first: 10) {
        edges {
          node {
            kind
            purpose {
              key
              status
              current {
                number
                legalBasis
              }
              revisions {
                number
                name
              }
            }
            version {
              number
              purposes {
                purposeKey
                number
              }
            }
          }
        }
      }
    }
  }
`);

const CoverageOutsideScope = graphql(`
  query CoverageOutsideScope {
    regulatorRequest {
      responses(first: 10) {
        edges {
          node {
            purpose {
              coverage(first: 10) {
                edges {
                  cursor
                }
              }
            }
          }
        }
      }
    }
  }
`);

const PurposesOutsideScope = graphql(`
  query PurposesOutsideScope($key: String!) {
    purpose(key: $key) {
      key
    }
  }
`);

const RequestsWithRecords = graphql(`
  query RequestsWithRecords {
    regulatorRequests(first: 10) {
      edges {
        node {
          reference
          notifications(first: 10) {
            edges {
              node {
                idempotencyKey
              }
            }
          }
        }
      }
    }
  }
`);

function notification(subjectRef: string, noticeKey: string, idempotencyKey: string) {
  return {
    subjectRef,
    noticeKey,
    versionNumber: 1,
    channel: 'EMAIL' as const,
    locale: 'en',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    idempotencyKey,
  };
}

async function seed(app: App, key: string, items: ReturnType<typeof notification>[]) {
  expectData(await execute(app, Seed, { key, variables: { input: { items } } }));
}

/** Opens a request with `scope` and issues a key for it, both with `issuerKey`. */
async function openAndIssue(
  app: App,
  issuerKey: string,
  scope: OpenRegulatorRequestInput,
  expiresInDays = 30,
) {
  const opened = expectData(
    await execute(app, Open, { key: issuerKey, variables: { input: scope } }),
  ).openRegulatorRequest;
  if (opened.__typename !== 'RegulatorRequestPayload') throw new Error(opened.__typename);
  const issued = expectData(
    await execute(app, Issue, {
      key: issuerKey,
      variables: { input: { requestId: opened.request.id, name: 'k', expiresAt: inDays(expiresInDays) } },
    }),
  ).issueRegulatorKey;
  if (issued.__typename !== 'IssueRegulatorKeyPayload') throw new Error(issued.__typename);
  return { ...issued, requestId: opened.request.id };
}

describe('regulator requests', () => {
  const t = useTestApp();

  it('gives a REGULATOR key read-only access to exactly its scope, and audits every query', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    await publishedNotice(t.app, keys.EDITOR, 'cookies', 'cookie-purpose');
    await seed(t.app, keys.NOTIFIER, [
      notification('alice', 'privacy-policy', 'in-scope'),
      notification('alice', 'cookies', 'other-notice'),
      notification('bob', 'privacy-policy', 'other-subject'),
    ]);
    const opened = expectData(
      await execute(t.app, Open, {
        key: keys.AUDITOR,
        variables: {
          input: {
            authority: 'CNIL',
            reference: 'case-42',
            subjectRefs: ['alice'],
            noticeKeys: ['privacy-policy'],
          },
        },
      }),
    ).openRegulatorRequest;
    if (opened.__typename !== 'RegulatorRequestPayload') throw new Error(opened.__typename);
    expect(opened.request.subjectCount).toBe(1);

    const tooLong = expectData(
      await execute(t.app, Issue, {
        key: keys.ADMIN,
        variables: { input: { requestId: opened.request.id, name: 'cnil', expiresAt: inDays(91) } },
      }),
    ).issueRegulatorKey;
    expect(tooLong).toMatchObject({
      __typename: 'InputValidationError',
      issues: [{ path: ['input', 'expiresAt'] }],
    });
    const issued = expectData(
      await execute(t.app, Issue, {
        key: keys.ADMIN,
        variables: { input: { requestId: opened.request.id, name: 'cnil', expiresAt: inDays(30) } },
      }),
    ).issueRegulatorKey;
    if (issued.__typename !== 'IssueRegulatorKeyPayload') throw new Error(issued.__typename);
    expect(issued.apiKey?.role).toBe('REGULATOR');

    const view = expectData(await execute(t.app, RegulatorView, { key: issued.secret })).regulatorRequest;
    expect(view?.authority).toBe('CNIL');
    expect(view?.noticeVersions.map((version) => version.noticeKey)).toEqual(['privacy-policy']);
    expect(view?.notifications.edges.map((edge) => edge.node.idempotencyKey)).toEqual(['in-scope']);

    const outside = await execute(t.app, Forbidden, { key: issued.secret });
    expect(outside.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const write = await execute(t.app, Seed, {
      key: issued.secret,
      variables: { input: { items: [notification('carol', 'privacy-policy', 'x')] } },
    });
    expect(write.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const download = await t.app.fetch(
      new Request('http://notarium.test/evidence/bundle', {
        headers: { authorization: `Bearer ${issued.secret}` },
      }),
    );
    expect(download.status).toBe(200);
    const bundle = await download.text();
    const file = join(mkdtempSync(join(tmpdir(), 'notarium-reg-')), 'bundle.ndjson');
    writeFileSync(file, bundle);
    expect((await verifyBundle(file)).valid).toBe(true);
    expect(bundle).toContain('in-scope');
    expect(bundle).not.toContain('other-subject');
    expect(bundle).not.toContain('other-notice');
    const readerDownload = await t.app.fetch(
      new Request('http://notarium.test/evidence/bundle', {
        headers: { authorization: `Bearer ${keys.READER}` },
      }),
    );
    expect(readerDownload.status).toBe(403);

    const audited = expectData(await execute(t.app, AuditQueries, { key: keys.AUDITOR }));
    expect(audited.auditTrail.edges).toHaveLength(3);
    expect(audited.auditTrail.edges.every((edge) => edge.node.actorRole === 'REGULATOR')).toBe(true);
  });

  it('reads each listed request in its own scope', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    await seed(t.app, keys.NOTIFIER, [
      notification('alice', 'privacy-policy', 'alice-1'),
      notification('bob', 'privacy-policy', 'bob-1'),
    ]);
    for (const subjectRef of ['alice', 'bob']) {
      const opened = expectData(
        await execute(t.app, Open, {
          key: keys.AUDITOR,
          variables: { input: { authority: 'CNIL', reference: subjectRef, subjectRefs: [subjectRef] } },
        }),
      ).openRegulatorRequest;
      expect(opened.__typename).toBe('RegulatorRequestPayload');
    }
    const listed = expectData(await execute(t.app, RequestsWithRecords, { key: keys.AUDITOR }));
    const seen = Object.fromEntries(
      listed.regulatorRequests.edges.map((edge) => [
        edge.node.reference,
        edge.node.notifications.edges.map((record) => record.node.idempotencyKey),
      ]),
    );
    expect(seen).toEqual({ alice: ['alice-1'], bob: ['bob-1'] });
  });

  it('serves the evidence bundle of the request a key may read, and no other', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const other = await makeTenant(t.database.prisma);
    const open = async (key: string, reference: string) => {
      const opened = expectData(
        await execute(t.app, Open, {
          key,
          variables: { input: { authority: 'CNIL', reference, noticeKeys: ['privacy-policy'] } },
        }),
      ).openRegulatorRequest;
      if (opened.__typename !== 'RegulatorRequestPayload') throw new Error(opened.__typename);
      return opened.request.id;
    };
    const mine = await open(keys.AUDITOR, 'mine');
    const theirs = await open(other.keys.AUDITOR, 'theirs');
    const regulator = await openAndIssue(t.app, keys.ADMIN, {
      authority: 'CNIL',
      reference: 'bound',
      noticeKeys: ['privacy-policy'],
    });
    const download = async (key: string, request?: string) => {
      const response = await t.app.fetch(
        new Request(
          `http://notarium.test/evidence/bundle${request ? `?request=${encodeURIComponent(request)}` : ''}`,
          {
            headers: { authorization: `Bearer ${key}` },
          },
        ),
      );
      await response.text(); // the whole bundle: the export has finished when the test goes on
      return { status: response.status, file: response.headers.get('content-disposition') };
    };
    const named = await download(keys.ADMIN, mine);
    expect(named.status).toBe(200);
    expect(named.file).toContain(`evidence-${rawId(mine)}.ndjson`);
    expect((await download(keys.AUDITOR, mine)).status).toBe(200);
    expect((await download(keys.AUDITOR)).status).toBe(404);
    expect((await download(keys.ADMIN, 'not-a-global-id')).status).toBe(404);
    expect((await download(keys.ADMIN, theirs)).status).toBe(404);
    expect((await download(keys.EDITOR, mine)).status).toBe(403);
    const own = await download(regulator.secret, mine);
    expect(own.status).toBe(200);
    expect(own.file).toContain(`evidence-${rawId(regulator.requestId)}.ndjson`);
  });

  it('refuses an empty scope, and keys stop at revocation', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const empty = expectData(
      await execute(t.app, Open, {
        key: keys.ADMIN,
        variables: { input: { authority: 'X', reference: 'Y' } },
      }),
    ).openRegulatorRequest;
    expect(empty.__typename).toBe('InputValidationError');
    const denied = await execute(t.app, Open, {
      key: keys.EDITOR,
      variables: { input: { authority: 'X', reference: 'Y', noticeKeys: ['a'] } },
    });
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const issued = await openAndIssue(
      t.app,
      keys.ADMIN,
      { authority: 'X', reference: 'Y', noticeKeys: ['a'] },
      1,
    );
    expect(
      expectData(await execute(t.app, RegulatorView, { key: issued.secret })).regulatorRequest?.reference,
    ).toBe('Y');
    await t.database.prisma.apiKey.updateMany({
      where: { role: 'REGULATOR' },
      data: { revokedAt: new Date() },
    });
    const revoked = await execute(t.app, RegulatorView, { key: issued.secret });
    expect(revoked.status).toBe(401);
  });

  it('lets a REGULATOR read the purpose, and its revisions, that a response in scope is about', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'profiling');
    await revisePurpose(t.app, 'profiling', keys.EDITOR, { name: 'Profiling, revised' });
    await createPurpose(t.app, 'unrelated', keys.EDITOR);
    expectData(
      await execute(t.app, RecordObjection, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            items: ['alice', 'bob'].map((subjectRef) => ({
              subjectRef,
              purposeKey: 'profiling',
              kind: 'OBJECTED' as const,
              occurredAt: new Date(Date.now() - 60_000).toISOString(),
              channel: 'IN_APP' as const,
              noticeKey: 'privacy-policy',
              versionNumber: 1,
              idempotencyKey: `objection-${subjectRef}`,
            })),
          },
        },
      }),
    );
    const issued = await openAndIssue(t.app, keys.AUDITOR, {
      authority: 'CNIL',
      reference: 'objections',
      subjectRefs: ['alice'],
    });
    expect(issued.apiKey?.role).toBe('REGULATOR');

    const view = expectData(await execute(t.app, RegulatorResponses, { key: issued.secret }));
    expect(view.regulatorRequest?.responses.edges.map((edge) => edge.node)).toEqual([
      {
        kind: 'OBJECTED',
        purpose: {
          key: 'profiling',
          status: 'ACTIVE',
          current: { number: 2, legalBasis: 'LEGITIMATE_INTERESTS' },
          revisions: [
            { number: 2, name: 'Profiling, revised' },
            { number: 1, name: 'AI model training' },
          ],
        },
        version: { number: 1, purposes: [{ purposeKey: 'profiling', number: 1 }] },
      },
    ]);

    const coverage = await execute(t.app, CoverageOutsideScope, { key: issued.secret });
    expect(coverage.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const key of ['profiling', 'unrelated']) {
      const direct = await execute(t.app, PurposesOutsideScope, { key: issued.secret, variables: { key } });
      expect(direct.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

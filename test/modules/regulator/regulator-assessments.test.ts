import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import type { LegitimateInterestAssessmentInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createDraft, createNotice, createPurpose, inDays, publish } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const OpenForAssessments = graphql(`
  mutation OpenForAssessments($input: OpenRegulatorRequestInput!) {
    openRegulatorRequest(input: $input) {
      ... on RegulatorRequestPayload {
        request {
          id
        }
      }
    }
  }
`);

const IssueForAssessments = graphql(`
  mutation IssueForAssessments($input: IssueRegulatorKeyInput!) {
    issueRegulatorKey(input: $input) {
      ... on IssueRegulatorKeyPayload {
        secret
      }
    }
  }
`);

const RegulatorAssessments = graphql(`
  query RegulatorAssessments {
    regulatorRequest {
      legitimateInterestAssessments {
        purposeKey
        number
        legitimateInterestAssessmentMissing
        objectionMechanism {
          url
          reasonsRequired
        }
        legitimateInterestAssessment {
          interest
          necessity
          reasonableExpectations
          impact
          safeguards
          excludedGroups
          author
          assessedOn
          dpia {
            reference
            url
            date
            outcome
          }
        }
      }
    }
  }
`);

function assessment(author: string, dpia = true): LegitimateInterestAssessmentInput {
  return {
    interest: 'Improving the recommendations people see.',
    necessity: 'Recommendations cannot be improved without usage data; aggregated data is not enough.',
    reasonableExpectations: 'Users expect recommendations based on what they use.',
    impact: 'Low: no decisions with legal effect; profiles are not shared.',
    safeguards: ['pseudonymised identifiers', 'opt-out in settings'],
    excludedGroups: ['children under 16'],
    author,
    assessedOn: '2026-02-01',
    dpia: dpia
      ? {
          reference: `DPIA-${author}`,
          url: 'https://example.com/dpia',
          date: '2026-01-15',
          outcome: 'acceptable',
        }
      : null,
  };
}

/** A notice with one legitimate-interests purpose, published. */
async function notice(
  app: App,
  key: string,
  noticeKey: string,
  purposeKey: string,
  lia: LegitimateInterestAssessmentInput | null,
) {
  await createPurpose(app, purposeKey, key, {
    legitimateInterestAssessment: lia,
    objectionMechanism: { url: 'https://example.com/object', reasonsRequired: false },
  });
  await createNotice(app, noticeKey, key);
  const draft = await createDraft(app, key, {
    noticeKey,
    purposeKeys: [purposeKey],
    effectiveFrom: inDays(0),
  });
  await publish(app, key, draft, 'first version of a new notice');
}

async function regulatorKey(app: App, issuer: string, noticeKeys: string[]) {
  const opened = expectData(
    await execute(app, OpenForAssessments, {
      key: issuer,
      variables: { input: { authority: 'BfDI', reference: 'LIA-1', noticeKeys } },
    }),
  ).openRegulatorRequest;
  if (!('request' in opened)) throw new Error('not opened');
  const issued = expectData(
    await execute(app, IssueForAssessments, {
      key: issuer,
      variables: { input: { requestId: opened.request.id, name: 'bfdi', expiresAt: inDays(30) } },
    }),
  ).issueRegulatorKey;
  if (!('secret' in issued)) throw new Error('not issued');
  return issued.secret;
}

describe('legitimate-interest assessments for a regulator', () => {
  const t = useTestApp();

  it('shows the assessments pinned by the versions in scope, and no other controller’s or notice’s', async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    await notice(t.app, mine.keys.EDITOR, 'recs-notice', 'recommendations', assessment('Mine'));
    await notice(t.app, mine.keys.EDITOR, 'ads-notice', 'ads', null);
    await notice(t.app, mine.keys.EDITOR, 'hidden-notice', 'hidden', assessment('Hidden'));
    await notice(t.app, theirs.keys.EDITOR, 'recs-notice', 'recommendations', assessment('Theirs'));

    const secret = await regulatorKey(t.app, mine.keys.AUDITOR, ['recs-notice', 'ads-notice']);
    const seen = expectData(await execute(t.app, RegulatorAssessments, { key: secret })).regulatorRequest!
      .legitimateInterestAssessments;
    expect(seen).toEqual([
      {
        purposeKey: 'ads',
        number: 1,
        legitimateInterestAssessmentMissing: true,
        objectionMechanism: { url: 'https://example.com/object', reasonsRequired: false },
        legitimateInterestAssessment: null,
      },
      {
        purposeKey: 'recommendations',
        number: 1,
        legitimateInterestAssessmentMissing: false,
        objectionMechanism: { url: 'https://example.com/object', reasonsRequired: false },
        legitimateInterestAssessment: { ...assessment('Mine'), dpia: assessment('Mine').dpia },
      },
    ]);
    const text = JSON.stringify(seen);
    expect(text).not.toContain('Theirs');
    expect(text).not.toContain('Hidden');

    // The other controller's regulator key reads only its own controller's assessment.
    const other = await regulatorKey(t.app, theirs.keys.AUDITOR, ['recs-notice']);
    const theirView = expectData(await execute(t.app, RegulatorAssessments, { key: other })).regulatorRequest!
      .legitimateInterestAssessments;
    expect(theirView.map((revision) => revision.legitimateInterestAssessment?.author)).toEqual(['Theirs']);
  });
});

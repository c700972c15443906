import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { purposeContent } from '../../support/purpose-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const CreatePurpose = graphql(`
  mutation CreatePurpose($input: CreatePurposeInput!) {
    createPurpose(input: $input) {
      __typename
      ... on PurposePayload {
        purpose {
          id
          key
          status
          current {
            number
            legalBasis
            legitimateInterest
            transfers {
              destination
              safeguard
            }
          }
        }
      }
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const RevisePurpose = graphql(`
  mutation RevisePurpose($input: RevisePurposeInput!) {
    revisePurpose(input: $input) {
      __typename
      ... on PurposePayload {
        purpose {
          current {
            number
            legalBasis
          }
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const ArchivePurpose = graphql(`
  mutation ArchivePurpose($key: String!) {
    archivePurpose(input: { key: $key }) {
      __typename
      ... on PurposePayload {
        purpose {
          status
        }
      }
    }
  }
`);

const PurposeAt = graphql(`
  query PurposeAt($key: String!, $at: DateTime!) {
    purpose(key: $key) {
      key
      revisionAt(at: $at) {
        number
        legalBasis
        purposeKey
      }
      revisions {
        number
      }
    }
  }
`);

const PurposeList = graphql(`
  query PurposeList($first: Int!, $includeArchived: Boolean) {
    purposes(first: $first, includeArchived: $includeArchived) {
      edges {
        node {
          key
          status
          current {
            number
            name
            purposeKey
          }
        }
      }
    }
  }
`);

/** Resolves once the clock reads a later millisecond than `instant` (stamps are in milliseconds). */
async function clockPast(instant: Date): Promise<void> {
  while (Date.now() <= instant.getTime()) await new Promise((resolve) => setImmediate(resolve));
}

describe('purposes', () => {
  const t = useTestApp();

  it('creates, revises and archives, keeping every revision readable as it was', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const created = expectData(
      await execute(t.app, CreatePurpose, {
        key: keys.EDITOR,
        variables: { input: { key: 'ai-training', content: purposeContent() } },
      }),
    ).createPurpose;
    expect(created).toMatchObject({
      __typename: 'PurposePayload',
      purpose: {
        key: 'ai-training',
        status: 'ACTIVE',
        current: { number: 1, legalBasis: 'LEGITIMATE_INTERESTS' },
      },
    });
    // Revision 1 is in force from the instant it was stamped with; revision 2 must be stamped later.
    const { createdAt: firstStamp } = await t.database.prisma.purposeRevision.findFirstOrThrow({
      where: { controllerId: controller.id, purpose: { key: 'ai-training' }, number: 1 },
    });
    await clockPast(firstStamp);
    const revised = expectData(
      await execute(t.app, RevisePurpose, {
        key: keys.EDITOR,
        variables: {
          input: {
            key: 'ai-training',
            content: purposeContent({
              legalBasis: 'CONSENT',
              legitimateInterest: null,
              consentValidityDays: 365,
            }),
          },
        },
      }),
    ).revisePurpose;
    expect(revised).toMatchObject({ purpose: { current: { number: 2, legalBasis: 'CONSENT' } } });

    const atFirstStamp = expectData(
      await execute(t.app, PurposeAt, {
        key: keys.READER,
        variables: { key: 'ai-training', at: firstStamp.toISOString() },
      }),
    );
    expect(atFirstStamp.purpose).toEqual({
      key: 'ai-training',
      revisionAt: { number: 1, legalBasis: 'LEGITIMATE_INTERESTS', purposeKey: 'ai-training' },
      revisions: [{ number: 2 }, { number: 1 }],
    });
    const before = expectData(
      await execute(t.app, PurposeAt, {
        key: keys.READER,
        variables: { key: 'ai-training', at: '2000-01-01T00:00:00Z' },
      }),
    );
    expect(before.purpose?.revisionAt).toBeNull();

    const archived = expectData(
      await execute(t.app, ArchivePurpose, { key: keys.EDITOR, variables: { key: 'ai-training' } }),
    );
    expect(archived.archivePurpose).toMatchObject({ purpose: { status: 'ARCHIVED' } });
    const again = expectData(
      await execute(t.app, RevisePurpose, {
        key: keys.EDITOR,
        variables: { input: { key: 'ai-training', content: purposeContent() } },
      }),
    );
    expect(again.revisePurpose).toMatchObject({
      __typename: 'PurposeArchivedError',
      code: 'PURPOSE_ARCHIVED',
    });
  });

  it('rejects a duplicate key and every invalid field at once, writing nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    expectData(
      await execute(t.app, CreatePurpose, {
        key: keys.EDITOR,
        variables: { input: { key: 'billing', content: purposeContent() } },
      }),
    );
    const duplicate = expectData(
      await execute(t.app, CreatePurpose, {
        key: keys.EDITOR,
        variables: { input: { key: 'billing', content: purposeContent() } },
      }),
    );
    expect(duplicate.createPurpose).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });

    const invalid = expectData(
      await execute(t.app, CreatePurpose, {
        key: keys.EDITOR,
        variables: {
          input: {
            key: 'Bad Key',
            content: purposeContent({
              name: '',
              legitimateInterest: null,
              retentionPeriodDays: null,
              dataSubjectCategories: [],
            }),
          },
        },
      }),
    ).createPurpose;
    if (invalid.__typename !== 'InputValidationError') throw new Error(invalid.__typename);
    expect(invalid.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'input.content.dataSubjectCategories',
      'input.content.legitimateInterest',
      'input.content.name',
      'input.content.retentionPeriodDays',
      'input.key',
    ]);
    expect(await t.database.prisma.purpose.count({ where: { controllerId: controller.id } })).toBe(1);
  });

  it('lists purposes with their current revision in a constant number of statements', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    for (let index = 0; index < 12; index++) {
      expectData(
        await execute(t.app, CreatePurpose, {
          key: keys.EDITOR,
          variables: { input: { key: `p-${String(index).padStart(2, '0')}`, content: purposeContent() } },
        }),
      );
    }
    const measure = async (first: number) =>
      t.database.counter.measure(async () =>
        expectData(await execute(t.app, PurposeList, { key: keys.READER, variables: { first } })),
      );
    await measure(1);
    const small = await measure(2);
    const large = await measure(12);
    expect(large.result.purposes.edges).toHaveLength(12);
    expect(large.result.purposes.edges[0]?.node.current).toEqual({
      number: 1,
      name: 'AI model training',
      purposeKey: 'p-00',
    });
    expect(large.count).toBe(small.count);
  });

  it("does not show another controller's purposes", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    expectData(
      await execute(t.app, CreatePurpose, {
        key: theirs.keys.EDITOR,
        variables: { input: { key: 'secret-purpose', content: purposeContent() } },
      }),
    );
    const list = expectData(
      await execute(t.app, PurposeList, {
        key: mine.keys.ADMIN,
        variables: { first: 50, includeArchived: true },
      }),
    );
    expect(list.purposes.edges).toEqual([]);
    const single = expectData(
      await execute(t.app, PurposeAt, {
        key: mine.keys.AUDITOR,
        variables: { key: 'secret-purpose', at: new Date().toISOString() },
      }),
    );
    expect(single.purpose).toBeNull();
  });
});

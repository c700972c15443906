import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';

const CreateKey = graphql(`
  mutation CreateKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on CreateApiKeyPayload {
        secret
        apiKey {
          id
          name
          role
          status
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const ListKeys = graphql(`
  query ListKeys($first: Int) {
    apiKeys(first: $first) {
      edges {
        node {
          id
          name
          status
        }
      }
    }
  }
`);

const RevokeKey = graphql(`
  mutation RevokeKey($id: ID!) {
    revokeApiKey(input: { id: $id }) {
      __typename
      ... on RevokeApiKeyPayload {
        apiKey {
          id
          status
          revokedAt
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const ViewerController = graphql(`
  query ViewerController {
    viewer {
      role
      controller {
        slug
        minimumNoticeDays
      }
    }
  }
`);

const UpdateSettings = graphql(`
  mutation UpdateSettings($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
      ... on UpdateControllerSettingsPayload {
        controller {
          minimumNoticeDays
          dpoContact
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const nonAdminRoles = ['EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const;

describe('roles', () => {
  const t = useTestApp();

  it('lets an ADMIN create, list and revoke keys; a revoked key stops working at once', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const created = expectData(
      await execute(t.app, CreateKey, {
        key: keys.ADMIN,
        variables: { input: { name: 'mailer', role: 'NOTIFIER' } },
      }),
    ).createApiKey;
    if (created.__typename !== 'CreateApiKeyPayload' || !created.apiKey) throw new Error(created.__typename);
    const createdKey = created.apiKey;
    expect(created.apiKey).toMatchObject({ name: 'mailer', role: 'NOTIFIER', status: 'ACTIVE' });
    expect(expectData(await execute(t.app, ViewerController, { key: created.secret })).viewer.role).toBe(
      'NOTIFIER',
    );

    const listed = expectData(await execute(t.app, ListKeys, { key: keys.ADMIN, variables: { first: 10 } }));
    expect(listed.apiKeys.edges.map((edge) => edge.node.name)).toContain('mailer');

    const revoked = expectData(
      await execute(t.app, RevokeKey, { key: keys.ADMIN, variables: { id: createdKey.id } }),
    ).revokeApiKey;
    expect(revoked).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { status: 'REVOKED' } });
    const again = expectData(
      await execute(t.app, RevokeKey, { key: keys.ADMIN, variables: { id: createdKey.id } }),
    );
    expect(again.revokeApiKey).toEqual(revoked);

    const refused = await execute(t.app, ViewerController, { key: created.secret });
    expect(errorCode(refused)).toBe('API_KEY_REVOKED');
  });

  it.each(
    nonAdminRoles,
  )('denies %s the key and settings mutations with FORBIDDEN and writes nothing', async (role) => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const before = await t.database.prisma.apiKey.count({ where: { controllerId: controller.id } });
    const create = await execute(t.app, CreateKey, {
      key: keys[role],
      variables: { input: { name: 'x', role: 'ADMIN' } },
    });
    expect(errorCode(create)).toBe('FORBIDDEN');
    expect(create.body.data?.createApiKey ?? null).toBeNull();
    expect(errorCode(await execute(t.app, ListKeys, { key: keys[role], variables: {} }))).toBe('FORBIDDEN');
    const update = await execute(t.app, UpdateSettings, {
      key: keys[role],
      variables: { input: { minimumNoticeDays: 1 } },
    });
    expect(errorCode(update)).toBe('FORBIDDEN');
    expect(await t.database.prisma.apiKey.count({ where: { controllerId: controller.id } })).toBe(before);
    expect(
      (await t.database.prisma.controller.findUniqueOrThrow({ where: { id: controller.id } }))
        .minimumNoticeDays,
    ).toBe(28);
  });

  it.each(['ADMIN', ...nonAdminRoles] as const)('lets %s read its viewer and controller', async (role) => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const data = expectData(await execute(t.app, ViewerController, { key: keys[role] }));
    expect(data.viewer).toEqual({ role, controller: { slug: controller.slug, minimumNoticeDays: 28 } });
  });

  it('lets an ADMIN change settings, and clears an optional contact with null', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const set = expectData(
      await execute(t.app, UpdateSettings, {
        key: keys.ADMIN,
        variables: { input: { minimumNoticeDays: 42, dpoContact: 'dpo@example.org' } },
      }),
    );
    expect(set.updateControllerSettings).toMatchObject({
      controller: { minimumNoticeDays: 42, dpoContact: 'dpo@example.org' },
    });
    const cleared = expectData(
      await execute(t.app, UpdateSettings, { key: keys.ADMIN, variables: { input: { dpoContact: null } } }),
    );
    expect(cleared.updateControllerSettings).toMatchObject({
      controller: { minimumNoticeDays: 42, dpoContact: null },
    });
  });

  it("cannot see or revoke another controller's keys", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    const theirKeys = expectData(
      await execute(t.app, ListKeys, { key: theirs.keys.ADMIN, variables: { first: 50 } }),
    );
    const theirKeyId = theirKeys.apiKeys.edges[0]?.node.id ?? '';
    const listed = expectData(
      await execute(t.app, ListKeys, { key: mine.keys.ADMIN, variables: { first: 50 } }),
    );
    expect(listed.apiKeys.edges.map((edge) => edge.node.id)).not.toContain(theirKeyId);
    const revoke = expectData(
      await execute(t.app, RevokeKey, { key: mine.keys.ADMIN, variables: { id: theirKeyId } }),
    );
    expect(revoke.revokeApiKey).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(expectData(await execute(t.app, ViewerController, { key: theirs.keys.ADMIN })).viewer.role).toBe(
      'ADMIN',
    );
  });
});

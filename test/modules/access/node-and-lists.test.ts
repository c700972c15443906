import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeKey, makeTenant } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';

const KeysPage = graphql(`
  query KeysPage($first: Int!) {
    apiKeys(first: $first) {
      edges {
        node {
          id
          name
          role
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const NodeById = graphql(`
  query NodeById($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on ApiKey {
        name
      }
      ... on Controller {
        slug
      }
    }
  }
`);

const ViewerControllerId = graphql(`
  query ViewerControllerId {
    viewer {
      controller {
        id
      }
    }
  }
`);

describe('node(id) and lists', () => {
  const t = useTestApp();

  it('issues the same number of SQL statements for a page of 2 and a page of 20', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    for (let index = 0; index < 20; index++) await makeKey(t.database.prisma, controller.id, 'READER');
    const count = async (first: number) =>
      (
        await t.database.counter.measure(async () =>
          expectData(await execute(t.app, KeysPage, { key: keys.ADMIN, variables: { first } })),
        )
      ).count;
    await count(1); // the key's first use also records lastUsedAt
    const small = await count(2);
    const large = await count(20);
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(3);
  });

  it('pages through keys with cursors, newest first, without gaps or repeats', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    for (let index = 0; index < 6; index++) await makeKey(t.database.prisma, controller.id, 'READER');
    const all = expectData(await execute(t.app, KeysPage, { key: keys.ADMIN, variables: { first: 50 } }));
    const first = expectData(await execute(t.app, KeysPage, { key: keys.ADMIN, variables: { first: 4 } }));
    expect(first.apiKeys.pageInfo.hasNextPage).toBe(true);
    const ids = all.apiKeys.edges.map((edge) => edge.node.id);
    expect(first.apiKeys.edges.map((edge) => edge.node.id)).toEqual(ids.slice(0, 4));
    expect(ids).toHaveLength(11);
  });

  it("resolves its own objects by global ID and answers null for another controller's", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    const myController = expectData(await execute(t.app, ViewerControllerId, { key: mine.keys.ADMIN })).viewer
      .controller.id;
    const theirController = expectData(await execute(t.app, ViewerControllerId, { key: theirs.keys.ADMIN }))
      .viewer.controller.id;
    const theirKey = expectData(
      await execute(t.app, KeysPage, { key: theirs.keys.ADMIN, variables: { first: 1 } }),
    ).apiKeys.edges[0]?.node.id;

    const own = expectData(
      await execute(t.app, NodeById, { key: mine.keys.READER, variables: { id: myController } }),
    );
    expect(own.node).toMatchObject({ __typename: 'Controller', slug: mine.controller.slug });
    for (const role of ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const) {
      for (const id of [theirController, theirKey!]) {
        const response = await execute(t.app, NodeById, { key: mine.keys[role], variables: { id } });
        expect(response.body.data?.node ?? null).toBeNull();
        expect(JSON.stringify(response.body)).not.toContain(theirs.controller.slug);
      }
    }
  });
});

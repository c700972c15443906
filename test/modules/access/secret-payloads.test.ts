import { type GraphQLObjectType, isNonNullType } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/modules/access/access.policy.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { inDays } from '../../support/notice-fixtures.js';
import { type TestContext, useTestApp } from '../../support/test-app.js';
import { allowedRoles, callMutation, mutationFields, payloadType, selectEverything } from './schema-walk.js';

const OpenRequest = graphql(`
  mutation OpenRequestForSecret($input: OpenRegulatorRequestInput!) {
    openRegulatorRequest(input: $input) {
      ... on RegulatorRequestPayload {
        request {
          id
        }
      }
    }
  }
`);

const WhoAmI = graphql(`
  query WhoAmIWithNewSecret {
    viewer {
      role
    }
  }
`);

type Keys = Awaited<ReturnType<typeof makeTenant>>['keys'];

/** A valid input for each mutation that returns a secret; a new one fails the test below until added. */
const validInputs: Record<string, (t: TestContext, keys: Keys) => Promise<unknown>> = {
  createApiKey: async () => ({ name: 'new reader', role: 'READER' }),
  issueRegulatorKey: async (t, keys) => {
    const opened = expectData(
      await execute(t.app, OpenRequest, {
        key: keys.ADMIN,
        variables: { input: { authority: 'CNIL', reference: 'secret-walk', noticeKeys: ['any'] } },
      }),
    ).openRegulatorRequest;
    if (!('request' in opened)) throw new Error('the request was not opened');
    return { requestId: opened.request.id, name: 'cnil', expiresAt: inDays(30) };
  },
};

const secretMutations = mutationFields().filter((field) => 'secret' in payloadType(field).getFields());

function everyReadableField(type: GraphQLObjectType): string[] {
  return Object.values(type.getFields())
    .filter((field) => !field.args.some((arg) => isNonNullType(arg.type)))
    .map((field) => field.name)
    .sort();
}

describe('mutations that return a secret', () => {
  const t = useTestApp();

  it('are all known to this test', () => {
    expect(secretMutations.map((field) => field.name).sort()).toEqual(Object.keys(validInputs).sort());
  });

  it.each(
    secretMutations.flatMap((field) => allowedRoles(field).map((role) => [field.name, role, field] as const)),
  )('%s called by %s answers every field of its payload, and the secret works', async (name, role, field) => {
    const { keys } = await makeTenant(t.database.prisma);
    const payload = payloadType(field);
    const selection = `{ __typename ... on ${payload.name} ${selectEverything(payload, 2)} }`;
    const answer = await callMutation(
      t.app,
      field,
      keys[role as Exclude<Role, 'REGULATOR'>],
      await validInputs[name]!(t, keys),
      selection,
    );
    const result = expectData(answer)[name] as Record<string, unknown>;
    expect(result.__typename).toBe(payload.name);
    expect(result.secret).toEqual(expect.any(String));

    const apiKey = result.apiKey as Record<string, unknown> | null;
    expect(apiKey).not.toBeNull();
    const keyType = payload.getFields().apiKey!.type;
    expect(Object.keys(apiKey!).sort()).toEqual(
      ['__typename', ...everyReadableField(keyType as GraphQLObjectType)].sort(),
    );
    expect(apiKey).toMatchObject({ __typename: 'ApiKey', id: expect.any(String), status: 'ACTIVE' });

    const newKey = expectData(await execute(t.app, WhoAmI, { key: result.secret as string }));
    expect(newKey.viewer.role).toBe(apiKey!.role);
  });
});

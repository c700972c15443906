import { createHmac } from 'node:crypto';
import { type GraphQLObjectType, getNamedType, isNonNullType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeGlobalIdOf } from '../../../src/lib/global-id.js';
import type { Role } from '../../../src/modules/access/access.policy.js';
import { signWebhook } from '../../../src/modules/webhook/webhook-signature.js';
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
  createWebhookEndpoint: async () => ({ url: 'https://hooks.example.com/notarium', eventTypes: [] }),
};

/** The record a secret belongs to, its type name, and how its payload proves the secret works. */
interface SecretHolder {
  readonly field: string;
  readonly typename: string;
  readonly state: Record<string, unknown>;
  works(t: TestContext, secret: string, record: Record<string, unknown>): Promise<void>;
}

/** A receiver's check, written independently of the server: HMAC-SHA-256 keyed by the base64 after `whsec_`. */
function receiverAccepts(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
  header: string,
): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return header.split(' ').includes(`v1,${mac}`);
}

const holders: Record<string, SecretHolder> = {
  createApiKey: apiKeyHolder(),
  issueRegulatorKey: apiKeyHolder(),
  createWebhookEndpoint: {
    field: 'endpoint',
    typename: 'WebhookEndpoint',
    state: { disabledAt: null },
    async works(t, secret, record) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const id = decodeGlobalIdOf('WebhookEndpoint', record.id as string);
      expect(id).not.toBeNull();
      const endpoint = await t.database.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: id! } });
      expect(endpoint.secret).toBe(secret);
      const body = '{"type":"test"}';
      const header = signWebhook(endpoint.secret, 'msg_1', 1_700_000_000, body);
      expect(receiverAccepts(secret, 'msg_1', 1_700_000_000, body, header)).toBe(true);
    },
  },
};

function apiKeyHolder(): SecretHolder {
  return {
    field: 'apiKey',
    typename: 'ApiKey',
    state: { status: 'ACTIVE' },
    async works(t, secret, record) {
      const newKey = expectData(await execute(t.app, WhoAmI, { key: secret }));
      expect(newKey.viewer.role).toBe(record.role);
    },
  };
}

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
    expect(Object.keys(holders).sort()).toEqual(Object.keys(validInputs).sort());
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

    const holder = holders[name]!;
    const record = result[holder.field] as Record<string, unknown> | null;
    expect(record).not.toBeNull();
    const recordType = getNamedType(payload.getFields()[holder.field]!.type);
    expect(Object.keys(record!).sort()).toEqual(
      ['__typename', ...everyReadableField(recordType as GraphQLObjectType)].sort(),
    );
    expect(record).toMatchObject({ __typename: holder.typename, id: expect.any(String), ...holder.state });

    await holder.works(t, result.secret as string, record!);
  });
});

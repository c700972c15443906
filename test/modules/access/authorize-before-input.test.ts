import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/modules/access/access.policy.js';
import { makeTenant } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';
import {
  allowedRoles,
  allRoles,
  callMutationWith,
  invalidArguments,
  makeRegulatorKey,
  mutationFields,
} from './schema-walk.js';

describe('the role is checked before the input', () => {
  const t = useTestApp();
  let tenant: Promise<{ controllerId: string; keyOf: Record<Role, string> }> | undefined;
  /** One controller with a key per role, made by the first test that needs it. */
  const sharedTenant = () => {
    tenant ??= makeTenant(t.database.prisma).then(async ({ controller, keys }) => ({
      controllerId: controller.id,
      keyOf: { ...keys, REGULATOR: await makeRegulatorKey(t.database.prisma, controller.id) },
    }));
    return tenant;
  };

  it.each(
    mutationFields().map((field) => [field.name, field] as const),
  )('%s: a role that may not call it gets FORBIDDEN for an invalid input, and nothing is written', async (_name, field) => {
    const { controllerId, keyOf } = await sharedTenant();
    const allowed = allowedRoles(field);
    const denied = allRoles.filter((role) => !allowed.includes(role));
    expect(denied.length).toBeGreaterThan(0);
    // Every query of a REGULATOR key is itself audited; a refused one too.
    const changes = { controllerId, action: { not: 'regulator:query' } };
    const invalid = invalidArguments(field);
    const args = invalid ?? {};

    // The input really is refused: a role that may call the mutation gets no payload for it.
    // A mutation without required arguments has no invalid input: denied roles call it with none.
    if (invalid !== null) {
      const refused = await callMutationWith(t.app, field, keyOf[allowed[0]!], invalid);
      const verdict = refused.body.data?.[field.name] as { __typename: string } | null | undefined;
      expect(verdict?.__typename ?? String(refused.body.errors?.[0]?.extensions?.code)).toMatch(
        /Error$|^BAD_USER_INPUT$/,
      );
    }

    const auditBefore = await t.database.prisma.auditEntry.count({ where: changes });
    for (const role of denied) {
      const answer = await callMutationWith(t.app, field, keyOf[role], args);
      expect(
        answer.body.errors?.map((error) => error.extensions?.code),
        role,
      ).toEqual(['FORBIDDEN']);
      expect(answer.body.data ?? null, role).toBeNull();
    }
    expect(await t.database.prisma.auditEntry.count({ where: changes })).toBe(auditBefore);
  });
});

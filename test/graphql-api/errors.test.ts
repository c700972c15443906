import { describe, expect, it } from 'vitest';
import { graphql } from '../graphql/index.js';
import { errorCode, execute, expectData } from '../support/client.js';
import { makeTenant } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

const CreateKey = graphql(`
  mutation CreateKeyForErrors($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on InputValidationError {
        code
        issues {
          path
          message
        }
      }
    }
  }
`);

const UpdateSettings = graphql(`
  mutation UpdateSettingsForErrors($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
      ... on InputValidationError {
        code
        issues {
          path
          message
        }
      }
    }
  }
`);

const ViewerController = graphql(`
  query ViewerControllerForErrors {
    viewer {
      keyName
      controller {
        slug
      }
    }
  }
`);

describe('error shapes', () => {
  const t = useTestApp();

  it('lists every invalid field with its path, and writes nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const before = await t.database.prisma.apiKey.count();
    const response = await execute(t.app, CreateKey, {
      key: keys.ADMIN,
      variables: { input: { name: '   ', role: 'READER', expiresAt: '2001-01-01T00:00:00Z' } },
    });
    const result = expectData(response).createApiKey;
    expect(result.__typename).toBe('InputValidationError');
    if (result.__typename !== 'InputValidationError') return;
    expect(result.code).toBe('VALIDATION_FAILED');
    expect(result.issues.map((issue) => issue.path.at(-1)).sort()).toEqual(['expiresAt', 'name']);
    expect(await t.database.prisma.apiKey.count()).toBe(before);

    const settings = expectData(
      await execute(t.app, UpdateSettings, {
        key: keys.ADMIN,
        variables: { input: { name: '', contactEmail: 'not-an-email', minimumNoticeDays: -3 } },
      }),
    ).updateControllerSettings;
    if (settings.__typename !== 'InputValidationError') throw new Error(settings.__typename);
    expect(settings.issues.map((issue) => issue.path.at(-1)).sort()).toEqual([
      'contactEmail',
      'minimumNoticeDays',
      'name',
    ]);
    const unchanged = await t.database.prisma.controller.findUniqueOrThrow({ where: { id: controller.id } });
    expect(unchanged.name).toBe(controller.name);
  });

  it('masks unexpected errors, and logs them with the request ID', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await t.database.sql('ALTER TABLE "Controller" RENAME TO "ControllerHidden"');
    try {
      const response = await execute(t.app, ViewerController, {
        key: keys.READER,
        headers: { 'x-request-id': 'masked-1' },
      });
      const error = response.body.errors?.[0];
      expect(error?.message).toBe('Unexpected error. Quote the request ID when reporting it.');
      expect(error?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'masked-1' });
      expect(JSON.stringify(response.body)).not.toMatch(
        /ControllerHidden|prisma|stack|relation|does not exist/i,
      );
      const logged = t.logLines
        .map(
          (line) => JSON.parse(line) as { requestId?: string; message: string; error?: { message: string } },
        )
        .find((line) => line.message === 'unexpected error' && line.requestId === 'masked-1');
      expect(logged?.error?.message).toMatch(/Controller/);
    } finally {
      await t.database.sql('ALTER TABLE "ControllerHidden" RENAME TO "Controller"');
    }
  });

  it('rejects a malformed DateTime as a coded error, not a stack trace', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const response = await execute(t.app, CreateKey, {
      key: keys.ADMIN,
      variables: { input: { name: 'x', role: 'READER', expiresAt: 'tomorrow' } },
    });
    expect(response.body.errors?.[0]?.message).toMatch(/DateTime must be an ISO 8601/);
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+/);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
  });
});

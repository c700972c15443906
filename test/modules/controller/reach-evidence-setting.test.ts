import { describe, expect, it } from 'vitest';
import { createController } from '../../../src/modules/controller/controller.service.js';
import { channels, eventTypes } from '../../../src/modules/notification/notification.validation.js';
import { defaultReachEvidence } from '../../../src/modules/notification/reach.policy.js';
import type { ReachEvidenceInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData } from '../../support/client.js';
import { makeTenant, uniqueSlug } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';

const SetReachEvidence = graphql(`
  mutation SetReachEvidence($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
      ... on UpdateControllerSettingsPayload {
        controller {
          reachEvidence {
            channel
            eventTypes
            custom
          }
        }
      }
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

const ReadReachEvidence = graphql(`
  query ReadReachEvidence {
    viewer {
      controller {
        reachEvidence {
          channel
          eventTypes
          custom
        }
      }
    }
  }
`);

const t = useTestApp();

/** Every channel's rule, event types in enum order: the defaults, with the channels given replaced (and marked custom). */
function rules(custom: Partial<Record<(typeof channels)[number], string[]>> = {}) {
  return channels.map((channel) => ({
    channel,
    eventTypes: eventTypes.filter((type) =>
      (custom[channel] ?? defaultReachEvidence[channel]).includes(type),
    ),
    custom: custom[channel] !== undefined,
  }));
}

async function change(key: string, reachEvidence: ReachEvidenceInput[]) {
  return expectData(await execute(t.app, SetReachEvidence, { key, variables: { input: { reachEvidence } } }))
    .updateControllerSettings;
}

async function read(key: string) {
  return expectData(await execute(t.app, ReadReachEvidence, { key })).viewer.controller.reachEvidence;
}

async function auditChanges(controllerId: string) {
  const entries = await t.database.prisma.auditEntry.findMany({
    where: { controllerId, action: 'controller:update' },
    orderBy: { sequence: 'asc' },
  });
  return entries.map((entry) => (entry.details as { changed: Record<string, unknown> }).changed);
}

describe('reach evidence: a controller setting', () => {
  it('shows the defaults, changes only the channels named, resets with null, and audits each change', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    expect(await read(keys.READER)).toEqual(rules());

    const set = await change(keys.ADMIN, [
      { channel: 'IN_APP', eventTypes: ['DISPLAYED', 'ACKNOWLEDGED'] },
      { channel: 'EMAIL', eventTypes: ['DELIVERED'] },
    ]);
    // Stored and shown in enum order, whatever order they were given in.
    const afterSet = rules({ IN_APP: ['ACKNOWLEDGED', 'DISPLAYED'], EMAIL: ['DELIVERED'] });
    expect(set).toEqual({
      __typename: 'UpdateControllerSettingsPayload',
      controller: { reachEvidence: afterSet },
    });
    expect(await read(keys.AUDITOR)).toEqual(afterSet);
    expect(
      (await t.database.prisma.controller.findUniqueOrThrow({ where: { id: controller.id } })).reachEvidence,
    ).toEqual({ EMAIL: ['DELIVERED'], IN_APP: ['ACKNOWLEDGED', 'DISPLAYED'] });

    // A later change to another channel keeps the earlier ones; null puts EMAIL back to the default.
    await change(keys.ADMIN, [
      { channel: 'PUSH', eventTypes: ['ACKNOWLEDGED'] },
      { channel: 'EMAIL', eventTypes: null },
    ]);
    expect(await read(keys.ADMIN)).toEqual(
      rules({ IN_APP: ['ACKNOWLEDGED', 'DISPLAYED'], PUSH: ['ACKNOWLEDGED'] }),
    );

    // Back to every default: nothing stored.
    await change(keys.ADMIN, [{ channel: 'IN_APP' }, { channel: 'PUSH', eventTypes: null }]);
    expect(await read(keys.ADMIN)).toEqual(rules());
    expect(
      (await t.database.prisma.controller.findUniqueOrThrow({ where: { id: controller.id } })).reachEvidence,
    ).toBeNull();

    expect(await auditChanges(controller.id)).toEqual([
      { reachEvidence: { IN_APP: ['ACKNOWLEDGED', 'DISPLAYED'], EMAIL: ['DELIVERED'] } },
      { reachEvidence: { PUSH: ['ACKNOWLEDGED'], EMAIL: null } },
      { reachEvidence: { IN_APP: null, PUSH: null } },
    ]);
  });

  it('refuses an empty list, repeats, SENT, BOUNCED, FAILED and a channel named twice, and changes nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await change(keys.ADMIN, [{ channel: 'SMS', eventTypes: ['ACKNOWLEDGED'] }]);
    const cases: [ReachEvidenceInput[], { path: string[]; message: RegExp }[]][] = [
      [
        [{ channel: 'EMAIL', eventTypes: [] }],
        [{ path: ['input', 'reachEvidence', '0', 'eventTypes'], message: /at least one/ }],
      ],
      [
        [{ channel: 'EMAIL', eventTypes: ['DELIVERED', 'OPENED', 'DELIVERED'] }],
        [{ path: ['input', 'reachEvidence', '0', 'eventTypes', '2'], message: /repeats DELIVERED/ }],
      ],
      ...(['SENT', 'BOUNCED', 'FAILED'] as const).map(
        (type): [ReachEvidenceInput[], { path: string[]; message: RegExp }[]] => [
          [
            { channel: 'POSTAL', eventTypes: ['DELIVERED'] },
            { channel: 'IN_APP', eventTypes: ['DISPLAYED', type] },
          ],
          [
            {
              path: ['input', 'reachEvidence', '1', 'eventTypes', '1'],
              message: new RegExp(`${type} never shows that a notification reached the person`),
            },
          ],
        ],
      ),
      [
        [
          { channel: 'PUSH', eventTypes: ['DISPLAYED'] },
          { channel: 'PUSH', eventTypes: null },
        ],
        [{ path: ['input', 'reachEvidence', '1', 'channel'], message: /repeats PUSH/ }],
      ],
    ];
    for (const [input, issues] of cases) {
      const refused = await change(keys.ADMIN, input);
      if (refused.__typename !== 'InputValidationError') throw new Error(JSON.stringify(refused));
      expect(refused.code).toBe('VALIDATION_FAILED');
      expect(refused.issues).toEqual(
        issues.map((issue) => ({ path: issue.path, message: expect.stringMatching(issue.message) })),
      );
    }
    // An unknown channel or event type never reaches the service: the schema refuses it.
    const unknown = await execute(t.app, SetReachEvidence, {
      key: keys.ADMIN,
      variables: { input: { reachEvidence: [{ channel: 'FAX' as never, eventTypes: ['DELIVERED'] }] } },
    });
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');

    expect(await read(keys.ADMIN)).toEqual(rules({ SMS: ['ACKNOWLEDGED'] }));
    expect(await auditChanges(controller.id)).toHaveLength(1);
  });

  it('is changed by ADMIN only', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    for (const role of ['EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const) {
      const denied = await execute(t.app, SetReachEvidence, {
        key: keys[role],
        variables: { input: { reachEvidence: [{ channel: 'EMAIL', eventTypes: ['ACKNOWLEDGED'] }] } },
      });
      expect(errorCode(denied)).toBe('FORBIDDEN');
    }
    expect(await read(keys.ADMIN)).toEqual(rules());
  });

  it('keeps both of two concurrent changes to different channels', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await Promise.all([
      change(keys.ADMIN, [{ channel: 'EMAIL', eventTypes: ['ACKNOWLEDGED'] }]),
      change(keys.ADMIN, [{ channel: 'SMS', eventTypes: ['ACKNOWLEDGED'] }]),
      change(keys.ADMIN, [{ channel: 'POSTAL', eventTypes: ['ACKNOWLEDGED'] }]),
    ]);
    expect(await read(keys.ADMIN)).toEqual(
      rules({ EMAIL: ['ACKNOWLEDGED'], SMS: ['ACKNOWLEDGED'], POSTAL: ['ACKNOWLEDGED'] }),
    );
  });

  it('is set at creation (the CLI) in the same form, checked by the same rules', async () => {
    const slug = uniqueSlug();
    const base = { slug, name: 'Reach', legalName: 'Reach Ltd.', contactEmail: 'privacy@reach.example' };
    const created = await createController(t.database.prisma, {
      ...base,
      reachEvidence: { WEB_BANNER: ['DISPLAYED', 'ACKNOWLEDGED'] },
    });
    expect(created.reachEvidence).toEqual({ WEB_BANNER: ['ACKNOWLEDGED', 'DISPLAYED'] });
    await expect(
      createController(t.database.prisma, {
        ...base,
        slug: uniqueSlug(),
        reachEvidence: { EMAIL: ['SENT'], FAX: ['DELIVERED'] } as never,
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        {
          path: ['reachEvidence', 'EMAIL', '0'],
          message: 'SENT never shows that a notification reached the person',
        },
        { path: ['reachEvidence', 'FAX'], message: 'is not a channel' },
      ],
    });
  });
});

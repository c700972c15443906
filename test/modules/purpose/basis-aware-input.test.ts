import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { purposeContent } from '../../support/purpose-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const Create = graphql(`
  mutation CreateBasisAwarePurpose($input: CreatePurposeInput!) {
    createPurpose(input: $input) {
      __typename
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

const Revise = graphql(`
  mutation ReviseBasisAwarePurpose($input: RevisePurposeInput!) {
    revisePurpose(input: $input) {
      __typename
      ... on PurposePayload {
        purpose {
          current {
            number
            legalBasis
            explicitConsent
            basisChangeJustification
          }
        }
      }
      ... on BasisChangeUnjustifiedError {
        previousBasis
        legalBasis
      }
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const Current = graphql(`
  query BasisAwarePurpose($key: String!) {
    purpose(key: $key) {
      current {
        explicitConsent
        basisChangeJustification
        specialCategories {
          category
          explicitConsent
        }
        transfers {
          destination
          explicitConsent
        }
        automatedDecisionMaking {
          logic
          explicitConsent
        }
      }
    }
  }
`);

const consent = { legalBasis: 'CONSENT', legitimateInterest: null } as const;
const health = {
  category: 'health data',
  condition: 'explicit consent (Art. 9(2)(a))',
  explicitConsent: true,
};
const us = { destination: 'US', safeguard: 'explicit consent (Art. 49(1)(a))', explicitConsent: true };
const scoring = {
  logic: 'A model scores applications.',
  significance: 'An application may be declined.',
  explicitConsent: true,
};

describe('explicit consent on purposes', () => {
  const t = useTestApp();

  it('stores the flags of the purpose and of each item, and shows them on the revision', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const created = expectData(
      await execute(t.app, Create, {
        key: keys.EDITOR,
        variables: {
          input: {
            key: 'screening',
            content: purposeContent({
              ...consent,
              explicitConsent: true,
              specialCategories: [health, { category: 'biometric data', condition: 'Art. 9(2)(g)' }],
              transfers: [us, { destination: 'CH', safeguard: 'adequacy decision' }],
              automatedDecisionMaking: scoring,
            }),
          },
        },
      }),
    ).createPurpose;
    expect(created.__typename).toBe('PurposePayload');

    const read = expectData(
      await execute(t.app, Current, { key: keys.READER, variables: { key: 'screening' } }),
    );
    expect(read.purpose?.current).toEqual({
      explicitConsent: true,
      basisChangeJustification: null,
      specialCategories: [
        { category: 'health data', explicitConsent: true },
        { category: 'biometric data', explicitConsent: false },
      ],
      transfers: [
        { destination: 'US', explicitConsent: true },
        { destination: 'CH', explicitConsent: false },
      ],
      automatedDecisionMaking: { logic: 'A model scores applications.', explicitConsent: true },
    });
    const row = await t.database.prisma.purposeRevision.findFirstOrThrow({
      where: { controllerId: controller.id, purpose: { key: 'screening' } },
    });
    expect(row.explicitConsent).toBe(true);
    expect(row.specialCategories).toEqual([
      { ...health },
      { category: 'biometric data', condition: 'Art. 9(2)(g)', explicitConsent: false },
    ]);
    expect(row.automatedDecisionMaking).toEqual(scoring);
  });

  it('refuses an item relying on explicit consent unless the purpose says so, naming the article, writing nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const refused = expectData(
      await execute(t.app, Create, {
        key: keys.EDITOR,
        variables: {
          input: {
            key: 'screening',
            content: purposeContent({
              ...consent,
              specialCategories: [health],
              transfers: [us],
              automatedDecisionMaking: scoring,
            }),
          },
        },
      }),
    ).createPurpose;
    if (refused.__typename !== 'InputValidationError') throw new Error(refused.__typename);
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(
      refused.issues.map((issue) => [
        issue.path.join('.'),
        issue.message.match(/Art\. \d+\(\d\)\([a-z]\)/)?.[0],
      ]),
    ).toEqual([
      ['input.content.specialCategories.0.explicitConsent', 'Art. 9(2)(a)'],
      ['input.content.transfers.0.explicitConsent', 'Art. 49(1)(a)'],
      ['input.content.automatedDecisionMaking.explicitConsent', 'Art. 22(2)(c)'],
    ]);
    for (const issue of refused.issues) expect(issue.message).toContain('the purpose must say so');
    expect(await t.database.prisma.purpose.count({ where: { controllerId: controller.id } })).toBe(0);
  });

  it('refuses explicit consent on a purpose not based on consent', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const refused = expectData(
      await execute(t.app, Create, {
        key: keys.EDITOR,
        variables: {
          input: {
            key: 'screening',
            content: purposeContent({ explicitConsent: true, specialCategories: [health] }),
          },
        },
      }),
    ).createPurpose;
    if (refused.__typename !== 'InputValidationError') throw new Error(refused.__typename);
    expect(refused.issues).toEqual([
      {
        path: ['input', 'content', 'explicitConsent'],
        message:
          'explicit consent (Art. 9(2)(a), 49(1)(a), 22(2)(c)) is consent (Art. 4(11)): it requires the CONSENT legal basis',
      },
    ]);
  });
});

describe('moving a purpose away from consent', () => {
  const t = useTestApp();

  const revise = (apiKey: string, content: Parameters<typeof purposeContent>[0], justification?: string) =>
    execute(t.app, Revise, {
      key: apiKey,
      variables: {
        input: {
          key: 'newsletter',
          content: purposeContent(content),
          basisChangeJustification: justification,
        },
      },
    }).then((result) => expectData(result).revisePurpose);

  async function consentPurpose() {
    const tenant = await makeTenant(t.database.prisma);
    const created = expectData(
      await execute(t.app, Create, {
        key: tenant.keys.EDITOR,
        variables: {
          input: { key: 'newsletter', content: purposeContent({ ...consent, explicitConsent: true }) },
        },
      }),
    ).createPurpose;
    expect(created.__typename).toBe('PurposePayload');
    const revisions = () =>
      t.database.prisma.purposeRevision.count({
        where: { controllerId: tenant.controller.id, purpose: { key: 'newsletter' } },
      });
    return { ...tenant, revisions };
  }

  it('refuses the switch without a justification, with a coded error, writing nothing', async () => {
    const { keys, revisions } = await consentPurpose();
    const contract = { legalBasis: 'CONTRACT', legitimateInterest: null } as const;
    const refused = await revise(keys.EDITOR, contract);
    expect(refused).toMatchObject({
      __typename: 'BasisChangeUnjustifiedError',
      code: 'BASIS_CHANGE_UNJUSTIFIED',
      previousBasis: 'CONSENT',
      legalBasis: 'CONTRACT',
    });
    if (refused.__typename !== 'BasisChangeUnjustifiedError') return;
    expect(refused.message).toContain('EDPB Guidelines 05/2020 on consent, §§ 121–123');

    const blank = await revise(keys.EDITOR, contract, '   ');
    if (blank.__typename !== 'InputValidationError') throw new Error(blank.__typename);
    expect(blank.issues.map((issue) => issue.path.join('.'))).toEqual(['input.basisChangeJustification']);
    const long = await revise(keys.EDITOR, contract, 'x'.repeat(5_001));
    if (long.__typename !== 'InputValidationError') throw new Error(long.__typename);
    expect(long.issues).toEqual([
      { path: ['input', 'basisChangeJustification'], message: 'must be at most 5000 characters' },
    ]);
    expect(await revisions()).toBe(1);
  });

  it('stores the justification with the revision and in its audit entry; later revisions need none', async () => {
    const { controller, keys, revisions } = await consentPurpose();
    const justification = '  The newsletter is part of the paid membership contract.  ';
    const revised = await revise(
      keys.EDITOR,
      { legalBasis: 'CONTRACT', legitimateInterest: null },
      justification,
    );
    expect(revised).toEqual({
      __typename: 'PurposePayload',
      purpose: {
        current: {
          number: 2,
          legalBasis: 'CONTRACT',
          explicitConsent: false,
          basisChangeJustification: justification.trim(),
        },
      },
    });
    const audit = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: { controllerId: controller.id, action: 'purpose:revise' },
    });
    expect(audit.details).toEqual({
      key: 'newsletter',
      revision: 2,
      legalBasis: 'CONTRACT',
      previousLegalBasis: 'CONSENT',
      basisChangeJustification: justification.trim(),
    });

    const next = await revise(keys.EDITOR, { legalBasis: 'LEGAL_OBLIGATION', legitimateInterest: null });
    expect(next).toMatchObject({
      purpose: { current: { number: 3, legalBasis: 'LEGAL_OBLIGATION', basisChangeJustification: null } },
    });
    const back = await revise(keys.EDITOR, consent);
    expect(back).toMatchObject({ purpose: { current: { number: 4, legalBasis: 'CONSENT' } } });
    expect(await revisions()).toBe(4);
  });

  it('refuses a justification where the basis does not move away from consent, writing nothing', async () => {
    const { keys, revisions } = await consentPurpose();
    const staying = await revise(keys.EDITOR, consent, 'We still ask.');
    if (staying.__typename !== 'InputValidationError') throw new Error(staying.__typename);
    expect(staying.issues).toEqual([
      {
        path: ['input', 'basisChangeJustification'],
        message:
          'applies only to a revision that moves the purpose from CONSENT to another basis; this one goes from CONSENT to CONSENT' +
          ' (EDPB Guidelines 05/2020 on consent, §§ 121–123)',
      },
    ]);
    expect(await revisions()).toBe(1);

    expect(
      await revise(keys.EDITOR, { legalBasis: 'CONTRACT', legitimateInterest: null }, 'Contract.'),
    ).toMatchObject({
      __typename: 'PurposePayload',
    });
    const between = await revise(keys.EDITOR, {}, 'From contract to legitimate interests.');
    expect(between).toMatchObject({ __typename: 'InputValidationError', code: 'VALIDATION_FAILED' });
    expect(await revisions()).toBe(2);
  });
});

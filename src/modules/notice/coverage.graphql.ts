import { builder } from '../../graphql/builder.js';
import { PurposeRef } from '../purpose/purpose.graphql.js';

builder.prismaObject('NoticeVersionPurpose', {
  name: 'PurposeCoverage',
  description: 'A published notice version that covers a purpose, with the purpose revision it pinned.',
  authScopes: { role: 'readNotices' },
  fields: (t) => ({
    version: t.relation('version', { description: 'The notice version.' }),
    revision: t.relation('revision', {
      nullable: true,
      description: 'The purpose revision as pinned at publication (legal basis and all).',
    }),
  }),
});

builder.prismaObjectField(PurposeRef, 'coverage', (t) =>
  t.relatedConnection('versions', {
    cursor: 'versionId_purposeId',
    description: 'Published notice versions that cover this purpose, most recently published first.',
    // A regulator reads a purpose its records name, not every notice that covers it.
    authScopes: { role: 'readNotices' },
    query: {
      where: { revisionId: { not: null } },
      orderBy: [{ version: { publishedAt: 'desc' } }, { versionId: 'asc' }],
    },
  }),
);

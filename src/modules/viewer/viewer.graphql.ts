import { builder } from '../../graphql/builder.js';
import type { Viewer } from '../access/access.policy.js';
import { RoleEnum } from '../controller/controller.graphql.js';

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The caller, as identified by its API key.',
  authScopes: { role: 'any' },
  fields: (t) => ({
    keyName: t.exposeString('keyName', { description: 'Name of the API key in use.' }),
    role: t.expose('role', { type: RoleEnum, description: 'Role of the API key in use.' }),
    controller: t.prismaField({
      type: 'Controller',
      description: 'The controller the key belongs to.',
      authScopes: { role: 'readController' },
      resolve: (query, _viewer, _args, context) => context.services.controller.current(query),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: 'Who is calling: key name, role and controller.',
    authScopes: { role: 'any' },
    resolve: (_root, _args, context) => context.viewer,
  }),
}));

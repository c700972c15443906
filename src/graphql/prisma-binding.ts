import type { PrismaClient } from '../generated/prisma/client.js';
import type { Services } from './services.js';

const clients = new WeakMap<Services, PrismaClient>();

/**
 * Binds the database client to a request's services for plugin-prisma's relation loading only.
 * Resolvers never see it: `Context` and `Services` have no database handle, and lint (biome.json)
 * refuses imports of this module and of src/db from resolver files, so every read goes through a
 * viewer-bound service. Keyed by the services object, which Yoga carries unchanged into the
 * context it builds.
 */
export function bindPrismaClient(services: Services, prisma: PrismaClient): Services {
  clients.set(services, prisma);
  return services;
}

/** The client bound to the context's services; throws for a context the app did not create. */
export function prismaClientOf(context: { readonly services: Services }): PrismaClient {
  const client = clients.get(context.services);
  if (client === undefined) throw new Error('No database client is bound to this request.');
  return client;
}

import { defineConfig } from 'prisma/config';

// The Prisma CLI (`prisma migrate deploy` on a machine with internet) reads the
// connection from here. The application itself never reads this file: it selects
// its adapter in src/db/client.ts. `prisma generate` needs no database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});

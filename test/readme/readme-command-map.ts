/**
 * Which test or CI step runs each command of README.md (its fenced `sh` blocks and the command
 * table under "Development"); `readme-commands.test.ts` fails on a README command missing here,
 * on an entry no README command has any more, and on an entry whose test or CI line is gone.
 * Keys are the commands in one line, as that test's failure message prints them.
 */
export type Coverage =
  /** A test file that contains `name`: the command itself, or the name of the test that runs it. */
  | { readonly test: string; readonly name?: string }
  /** A line of `.ci/run`: the command itself, or (with `because`) the equivalent CI runs. */
  | { readonly ci: string; readonly because?: string }
  /** Not run by CI: why. Keep this list short. */
  | { readonly excluded: string };

const benchmark = {
  because:
    'at smoke sizes (that it runs and prints its figures); the figures come from full-size runs by hand, recorded in bench/results.md',
} as const;

const demoAndKeysTest = {
  test: 'test/server/keys-while-running.test.ts',
  name: 'the CLI refuses the data directory with DATA_DIR_LOCKED; the README curl commands manage keys meanwhile',
} as const;
const readmeCli = { test: 'test/readme/readme-cli.test.ts' } as const;
const postgresFromScratch = {
  test: 'test/cli/postgres-first-admin.test.ts',
  name: 'migrate:deploy creates the missing database; controller create and key create --role ADMIN give the first ADMIN key',
} as const;
const importCommands = {
  test: 'test/cli/import-process.test.ts',
  name: 'runs the README commands: exports the key, imports the example file, prints the summary',
} as const;
const compiledServer = {
  test: 'test/server/compiled-server.test.ts',
  name: 'starts from dist, answers /healthz and an authenticated GraphQL request',
} as const;

export const readmeCommandMap: ReadonlyArray<readonly [command: string, coverage: Coverage]> = [
  // Quick start
  [
    'npm install',
    {
      ci: 'npm ci --no-audit --no-fund',
      because: 'the same install, held to package-lock.json',
    },
  ],
  ['npm test', { ci: 'npm test' }],
  ['npm run build', { ci: 'npm run --silent build' }],
  [
    `curl -s http://127.0.0.1:4000/graphql -H 'Authorization: Bearer <key>' -H 'content-type: application/json' -d '{"query":"{ viewer { keyName role controller { slug } } }"}'`,
    demoAndKeysTest,
  ],

  // Running against PostgreSQL
  ['export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/notarium', postgresFromScratch],
  ['npm run migrate:deploy', postgresFromScratch],
  ['npm run build && npm start', compiledServer],
  ['npm run cli -- key create --controller acme --name admin --role ADMIN', postgresFromScratch],

  // Command line
  [
    'npm run cli -- controller create --slug acme --name Acme --legal-name "Acme SE" --contact-email privacy@acme.example',
    readmeCli,
  ],
  [
    'npm run cli -- key create --controller acme --name "web frontend" --role READER --trusted-documents-only',
    readmeCli,
  ],
  [
    'npm run cli -- key create --controller acme --name "campaign mailer" --role NOTIFIER --expires-at 2030-01-01T00:00:00Z',
    readmeCli,
  ],
  ['npm run cli -- key list --controller acme', readmeCli],
  ['npm run cli -- key revoke <key id>', readmeCli],
  ['npm run cli -- verify-version --controller acme privacy-policy 3', readmeCli],
  // A synopsis: deploy, status and check run as `npm run cli -- migrate …` in that test; create
  // and resolve change the repository or need a failed migration (test/db/migrations.test.ts).
  [
    'npm run cli -- migrate deploy | status | check | create <name> [--empty] | resolve --rolled-back <name>',
    {
      ...readmeCli,
      name: 'npm run cli -- migrate status',
    },
  ],
  ['npm run cli -- help', readmeCli],
  ['export NOTARIUM_API_KEY=<key>', importCommands],
  [
    'npm run cli -- import notifications examples/import/notifications.csv --url http://127.0.0.1:4000/graphql',
    importCommands,
  ],
  [
    `curl -s http://127.0.0.1:4000/graphql -H "Authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' -d '{"query":"mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { secret apiKey { id name role expiresAt } } ... on Error { code message } } }", "variables":{"input":{"name":"web frontend","role":"READER","expiresAt":"2030-01-01T00:00:00Z"}}}'`,
    demoAndKeysTest,
  ],
  [
    `curl -s http://127.0.0.1:4000/graphql -H "Authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' -d '{"query":"{ apiKeys(first: 50) { edges { node { id name role status prefix } } } }"}'`,
    demoAndKeysTest,
  ],
  [
    `curl -s http://127.0.0.1:4000/graphql -H "Authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' -d '{"query":"mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { ... on RevokeApiKeyPayload { apiKey { name status revokedAt } } ... on Error { code message } } }", "variables":{"input":{"id":"<key id>"}}}'`,
    demoAndKeysTest,
  ],

  // Development
  [
    'npm run dev',
    {
      test: 'test/server/main-process.test.ts',
      name: 'serves on the embedded database, logs JSON lines, and exits cleanly on SIGTERM',
    },
  ],
  ['npm run codegen', { ci: 'npm run --silent codegen' }],
  ['npm run lint', { ci: 'npx biome check .', because: 'the lint script is `biome check .`' }],
  [
    'npm run format',
    {
      excluded: 'rewrites the working tree; CI runs the same check without writing (npm run lint)',
    },
  ],
  ['npm run typecheck', { ci: 'npx tsc --noEmit -p .', because: 'the typecheck script is `tsc --noEmit`' }],
  ['npm run migrate:create -- <name>', readmeCli],
  ['npm run migrate:check', { ci: 'npm run --silent migrate:check' }],
  ['npm run bench:notice-read', { ci: 'npm run bench:notice-read', ...benchmark }],
  ['npm run bench:ingest', { ci: 'npm run bench:ingest', ...benchmark }],
  ['npm run bench:bundle-export', { ci: 'npm run bench:bundle-export', ...benchmark }],
  ['npm run bench:proof-lookup', { ci: 'npm run bench:proof-lookup', ...benchmark }],
  ['npm run bench:eligibility', { ci: 'npm run bench:eligibility', ...benchmark }],
  ['npm run bench:hostile-requests', { ci: 'npm run bench:hostile-requests', ...benchmark }],
  ['npm run bench:startup', { ci: 'npm run bench:startup', ...benchmark }],
  ['npm run bench:survivors', { ci: 'npm run bench:survivors', ...benchmark }],
  ['bash .ci/run', { excluded: 'CI itself (it runs this check)' }],
];

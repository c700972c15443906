import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// `yaml` comes with the development tools (graphql-codegen, vite); the test only reads with it.
import { parse } from 'yaml';
import { repoRoot } from '../support/run-process.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly name: string | null;
  readonly instructions: Instruction[];
}

/** The Dockerfile's instructions by stage: continuation lines joined, comments dropped. */
function dockerfileStages(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      stages.push({ name: /\sAS\s+(\S+)/i.exec(line)?.[1] ?? null, instructions: [instruction] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const stages = dockerfileStages(dockerfile);
const runtime = stages.at(-1) as Stage;
const build = stages.find((stage) => stage.name === 'build');
const all = (stage: Stage, keyword: string) =>
  stage.instructions
    .filter((instruction) => instruction.keyword === keyword)
    .map((instruction) => instruction.args);

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, on Node 22 bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    expect(build).toBeDefined();
    const buildRuns = all(build as Stage, 'RUN').join('\n');
    expect(buildRuns).toMatch(/npm ci\b/);
    expect(buildRuns).toMatch(/npm run generate/);
    expect(buildRuns).toMatch(/npm run build/);
  });

  it('installs production dependencies only in the final stage and copies the compiled code from the build', () => {
    const runs = all(runtime, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(runs).not.toMatch(/npm (ci|install)(?![^&]*--omit=dev)/);
    expect(runs).not.toMatch(/npm run (build|generate)|prisma generate|tsc|tsx/);
    const copies = all(runtime, 'COPY');
    expect(copies).toContain('--from=build /app/dist ./dist');
    // Nothing but compiled JavaScript, the migrations and the package files: no sources.
    expect(copies.filter((copy) => /\bsrc\b|node_modules|\.ts\b/.test(copy))).toEqual([]);
  });

  it('runs as a non-root user, in production, listening on every interface, checked on /readyz', () => {
    const users = all(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const env = all(runtime, 'ENV').join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    const healthchecks = all(runtime, 'HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    expect(healthchecks[0]).toContain('/readyz');
    expect(all(runtime, 'CMD').at(-1)).toBe('["node", "dist/main.js"]');
  });

  it('keeps dependencies, builds, databases and secrets out of the build context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.env', '.git']) expect(ignored).toContain(entry);
  });
});

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}

describe('compose.yaml', () => {
  const compose = parse(readFileSync(join(repoRoot, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const { services } = compose;

  it('has PostgreSQL, Redis, a one-shot migration and the API, started in that order', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'redis']);
    expect(services.postgres?.healthcheck).toBeDefined();
    expect(services.redis?.healthcheck).toBeDefined();
    expect(services.migrate?.command).toEqual(['node', 'dist/cli/main.js', 'migrate', 'deploy']);
    expect(services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services.api?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.api?.depends_on?.redis?.condition).toBe('service_healthy');
    expect(services.api?.image).toBe(services.migrate?.image);
  });

  it('gives the API its database, Redis and subject-reference secret, with no secret written in', () => {
    for (const name of ['api', 'migrate'] as const) {
      const environment = services[name]?.environment ?? {};
      expect(environment.DATABASE_URL).toMatch(/^postgresql:\/\/.*@postgres:5432\//);
      expect(environment.SUBJECT_REF_SECRET).toMatch(/^\$\{SUBJECT_REF_SECRET:\?/);
      expect(environment.NODE_ENV).toBe('production');
    }
    expect(services.api?.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(services.api?.environment?.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
    expect(services.postgres?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
  });
});

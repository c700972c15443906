import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';

describe('checked-in SDL', () => {
  it('matches the schema the code builds (run `npm run codegen` after changing it)', () => {
    const checkedIn = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn.trim()).toBe(printSchema(schema).trim());
  });
});

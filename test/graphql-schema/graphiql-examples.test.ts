import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exampleTabs } from '../../src/graphql/graphiql/examples.js';
import { schema } from '../../src/graphql/schema.js';

describe('the operations GraphiQL opens with', () => {
  it.each(exampleTabs.map((tab) => [tab.query.split('\n')[0], tab]))('%s', (_title, tab) => {
    expect(validate(schema, parse(tab.query)).map((error) => error.message)).toEqual([]);
    // Each tab says which key role it needs, in its first comment and in its headers.
    expect(tab.query).toMatch(/^# .*Needs an? [A-Z]+ key|^# .*REGULATOR key|^# .*every key/);
    expect(JSON.parse(tab.headers)).toEqual({ Authorization: expect.stringMatching(/^Bearer <\w+ key>$/) });
    expect(JSON.parse(tab.variables)).toBeTypeOf('object');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.js';

const t = useTestApp();

/** The first ```text block of the Metrics section of docs/operations.md: the sample output. */
function documentedSample(): string[] {
  const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Metrics'), doc.indexOf('## Tracing'));
  const block = /```text\n([\s\S]*?)```/.exec(section);
  expect(block, 'docs/operations.md: no sample output under "## Metrics"').not.toBeNull();
  return block![1]!.split('\n').filter((line) => line.startsWith('# HELP ') || line.startsWith('# TYPE '));
}

describe('the metrics sample in docs/operations.md', () => {
  it('shows the help and type lines the server serves', async () => {
    const documented = documentedSample();
    expect(documented.length).toBeGreaterThan(10);
    const response = await t.app.fetch(new Request('http://notarium.test/metrics'));
    expect(response.status).toBe(200);
    const served = new Set((await response.text()).split('\n'));
    // The sample comes from the embedded database; on PostgreSQL the pool gauges stand in for it.
    const embeddedOnly = (line: string) => line.includes('notarium_db_statements_in_flight');
    const missing = documented.filter(
      (line) => !served.has(line) && (t.database.kind === 'embedded' || !embeddedOnly(line)),
    );
    expect(missing).toEqual([]);
  });
});

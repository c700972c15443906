import type { SeededDemo } from './seed.js';

/** What the first start prints on standard error: the demo's keys, once, and a first request. */
export function demoAnnouncement(demo: SeededDemo, graphqlUrl: string): string {
  const { admin, reader, regulator } = demo.keys;
  return [
    '',
    `Notarium: created the demo controller "${demo.controllerSlug}" (notice "privacy-policy", subjects demo-user-0001 to demo-user-3000,`,
    `campaign "Privacy policy 4 announcement"). Its keys, shown once:`,
    '',
    `  ADMIN      ${admin}`,
    `  READER     ${reader}   (what a frontend uses)`,
    `  REGULATOR  ${regulator}   (a regulator request about demo-user-0002, 90 days)`,
    '',
    `Try: curl -s ${graphqlUrl} -H 'Authorization: Bearer ${reader}' -H 'content-type: application/json' \\`,
    `       -d '{"query":"{ notice(key: \\"privacy-policy\\") { currentVersion(locale: \\"de\\") { number text { title } } upcomingVersion { number effectiveFrom } } }"}'`,
    'More: docs/api-guide.md',
    '',
    '',
  ].join('\n');
}

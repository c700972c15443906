// After `npm ci --omit=dev`: removes what the lock file marks "devOptional" — packages the
// development tools need that production packages name only as optional peers (the `prisma` CLI
// and `typescript`, optional peers of @prisma/client), which npm installs anyway. The runtime
// needs neither: the Prisma client is generated and compiled at build time. Checks that nothing
// marked "dev" is installed. Usage (in the directory holding node_modules): node prune-dev-optional.mjs
import { existsSync, readFileSync, rmSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const removed = [];
const devInstalled = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.startsWith('node_modules/') || !existsSync(path)) continue;
  if (entry.dev) devInstalled.push(path);
  else if (entry.devOptional) {
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
}
if (devInstalled.length > 0) {
  console.error(`development-only packages are installed: ${devInstalled.slice(0, 10).join(', ')}`);
  process.exit(1);
}
console.log(`removed ${removed.length} development-only optional peers`);

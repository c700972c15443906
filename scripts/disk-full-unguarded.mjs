// Preloaded by scripts/disk-full.ts (node --import) to show what happens where the free-space
// guard cannot help — another process takes the space between its check and a write: the guard
// is told the disk always has room, so PGlite itself runs out of space.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const statfsSync = fs.statfsSync;
fs.statfsSync = (path, options) => ({ ...statfsSync(path, options), bavail: Number.MAX_SAFE_INTEGER });
syncBuiltinESMExports();

// `npm run build`: compiles src/ with tsc (tsconfig.build.json) and copies the files the compiled
// server reads at run time beside it: the trusted GraphQL documents. Usage: node scripts/build.mjs [outDir]
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = process.argv[2] ?? join(root, 'dist');
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const assets = ['graphql/trusted-documents', 'modules/consent-record/schemas'];
for (const asset of assets) cpSync(join(root, 'src', asset), join(outDir, asset), { recursive: true });

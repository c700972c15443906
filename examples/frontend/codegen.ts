import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { getOperationAST, parse } from 'graphql';

/**
 * Typed documents for a frontend, from the checked-in schema and trusted documents (docs/frontend.md).
 * Run from the repository root: npx graphql-codegen --config examples/frontend/codegen.ts
 */
const trustedDirectory = 'src/graphql/trusted-documents/';

const operationName = (text: string) => getOperationAST(parse(text))?.name?.value ?? '';

/** The server's id of each trusted document (`sha256:` + SHA-256 of the file), by operation name. */
const documentIds = new Map(
  readdirSync(trustedDirectory)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => {
      const text = readFileSync(`${trustedDirectory}${file}`, 'utf8');
      return [operationName(text), `sha256:${createHash('sha256').update(text).digest('hex')}`] as const;
    }),
);

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: [`${trustedDirectory}*.graphql`],
  generates: {
    'examples/frontend/generated/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: {
          mode: 'embedHashInDocument',
          // Each document carries the id the server knows it by; any other document stops codegen.
          hashAlgorithm: (operation: string) => {
            const id = documentIds.get(operationName(operation));
            if (id === undefined) throw new Error(`Not a trusted document:\n${operation}`);
            return id;
          },
        },
      },
      config: {
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', ID: 'string', Locale: 'string' },
      },
    },
  },
};

export default config;

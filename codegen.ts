/**
 * Typed operations for the clients in test/e2e (`npm run codegen`; `npm run codegen:check` fails
 * when the committed output is stale). Reads the committed schema file, not a running server.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/schema.graphql',
  documents: 'schema/operations/*.graphql',
  generates: {
    'test/e2e/generated/graphql.ts': {
      // typescript-operations 6 emits the enums and inputs it needs itself: adding 'typescript' duplicates them.
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        // Amounts and instants travel as strings; never let a client type them as numbers.
        scalars: {
          Decimal: { input: 'string', output: 'string' },
          DateTime: { input: 'string', output: 'string' },
          ID: { input: 'string', output: 'string' },
        },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
      },
    },
  },
};

export default config;

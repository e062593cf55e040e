import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/graphql/schema.js';
import { SCHEMA_FILE } from '../../../scripts/print-schema.js';

// Pothos builds the schema with graphql's CommonJS build (how Node loads it); vitest would give
// this file the ESM build, and graphql refuses to print a schema from another copy of itself.
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const printed = `${graphql.printSchema(graphql.lexicographicSortSchema(schema))}\n`;

// CI clones the repository with ../shared beside it; run from the repository root.
const CONTRACT_CHECK = process.env['CONTRACT_CHECK'] ?? join(process.cwd(), '..', 'shared', 'tools', 'contract-check.mjs');

describe('the served schema', () => {
  it('matches the committed schema/schema.graphql (run `npm run schema:print` after changing the schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printed);
  });

  it.skipIf(!existsSync(CONTRACT_CHECK))('covers the whole API contract', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jetledger-schema-')), 'schema.graphql');
    writeFileSync(file, printed);
    const report = execFileSync('node', [CONTRACT_CHECK, file], { encoding: 'utf8' });
    expect(report.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  });

  it('types amounts as Decimal and every mutation defaults to DECIDED consistency', () => {
    const mutation = schema.getMutationType()!;
    for (const field of Object.values(mutation.getFields())) {
      expect(field.args.find((a) => a.name === 'consistency')?.defaultValue, field.name).toBe('DECIDED');
    }
    for (const name of ['DepositInput', 'WithdrawInput', 'TransferInput']) {
      const input = schema.getType(name) as import('graphql').GraphQLInputObjectType;
      expect(String(input.getFields()['amount']!.type)).toBe('Decimal!');
    }
  });
});

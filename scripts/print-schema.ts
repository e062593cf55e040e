/**
 * Writes schema/schema.graphql from the Pothos schema (`npm run schema:print`). The file is
 * committed so clients and codegen read it without starting the service; a unit test fails
 * when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/graphql/schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));

const printedSchema = (): string => `${printSchema(lexicographicSortSchema(schema))}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}

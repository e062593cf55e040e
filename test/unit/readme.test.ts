/** The README's GraphiQL examples must run when pasted: each one parses and validates against the served schema. */
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';

const readme = readFileSync('README.md', 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] as string);

describe('README GraphiQL examples', () => {
  it('are there', () => expect(examples.length).toBeGreaterThanOrEqual(8));

  it.each(examples.map((source) => [source.split('\n')[0], source]))('%s validates against the schema', (_, source) => {
    expect(validate(schema, parse(source)).map((e) => e.message)).toEqual([]);
  });
});

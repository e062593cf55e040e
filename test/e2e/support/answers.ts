/** What every answer to a hostile request must look like, over HTTP and graphql-ws. */
import { expect } from 'vitest';

export type Answer = Readonly<{ transport: string; status?: number; text: string }>;

/** JSON, no 5xx, every error coded, no internals, and either data or errors. */
export function expectCodedAnswer(answer: Answer, what: string): Array<string> {
  const context = `${what} → ${answer.transport} ${answer.status ?? ''}: ${answer.text.slice(0, 400)}`;
  if (answer.status !== undefined) expect(answer.status, context).toBeLessThan(500);
  let body: { data?: unknown; errors?: Array<{ extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    throw new Error(`not JSON: ${context}`);
  }
  const errors = body.errors ?? [];
  const codes = errors.map((e) => e.extensions?.code);
  expect(codes.every((c) => typeof c === 'string' && c.length > 0), context).toBe(true);
  expect(errors.length > 0 || (body.data !== undefined && body.data !== null), context).toBe(true);
  expect(answer.text, context).not.toMatch(/"originalError"|"stack"/);
  // Requests carry strings of up to 200 kB: an answer that long would be an echo.
  expect(answer.text.length, context).toBeLessThan(10_000);
  return codes as string[];
}

import { builder } from './builder.js';

export type PageInfoShape = Readonly<{
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}>;

export type Edge<T> = Readonly<{ node: T; cursor: string }>;
export type Connection<T> = Readonly<{ edges: Edge<T>[]; pageInfo: PageInfoShape }>;

/** A forward-only Relay connection: `hasPreviousPage` says whether the page started after a cursor. */
export function connection<T>(items: readonly T[], hasNextPage: boolean, cursorOf: (item: T) => string, after: unknown): Connection<T> {
  const edges = items.map((node) => ({ node, cursor: cursorOf(node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: after !== null && after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

export const PageInfoRef = builder.objectRef<PageInfoShape>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

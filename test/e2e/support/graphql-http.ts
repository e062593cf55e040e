/** GraphQL over plain HTTP with fetch, as any client would send it. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export type GraphQLError = { message: string; path?: ReadonlyArray<string | number>; extensions?: { code?: string } & Record<string, unknown> };
export type GraphQLResult<T> = { status: number; data: T | null | undefined; errors: GraphQLError[] | undefined };

export async function gql<T, V extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<T, V> | string,
  variables?: V,
  token?: string,
): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GraphQLError[] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** The data of an answer that must have no errors; the errors otherwise, in the failure message. */
export async function gqlOk<T, V extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<T, V> | string,
  variables?: V,
  token?: string,
): Promise<T> {
  const result = await gql(url, document, variables, token);
  if (result.errors?.length || result.data == null) {
    throw new Error(`GraphQL errors (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result.data)}`);
  }
  return result.data;
}

export const codesOf = (result: { errors?: GraphQLError[] | undefined }): Array<string | undefined> =>
  (result.errors ?? []).map((e) => e.extensions?.code);

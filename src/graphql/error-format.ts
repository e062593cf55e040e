import { GraphQLError, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ErrorCode } from './errors.js';
import { redactMessage, redactReason } from './redact.js';

/**
 * One place decides what a client sees of an error, whatever produced it and whichever transport
 * carries it (HTTP, SSE, graphql-ws): a code on every error, a message that quotes nothing the
 * client sent, no originalError or stack unless `debug` asks for them.
 */
export type ErrorFormatOptions = Readonly<{ debug: boolean }>;

type Extensions = Record<string, unknown> & { http?: { spec?: boolean; status?: number; headers?: Record<string, string> } };

/** graphql-js and plugins that answer without a code: which code their message means. */
const UNCODED: ReadonlyArray<[RegExp, ErrorCode]> = [
  [/^Syntax Error: /, 'GRAPHQL_PARSE_FAILED'],
  [/^(Must provide an operation\.|Must provide operation name|Unknown operation named|Unable to identify operation)/, 'OPERATION_RESOLUTION_FAILURE'],
  [/^Required CSRF header/, 'CSRF_HEADER_REQUIRED'],
];

/** Codes that refuse a well-formed GraphQL request as a whole: 200 for application/json, 4xx otherwise. */
const REQUEST_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'DEPTH_LIMIT_EXCEEDED',
  'ALIAS_LIMIT_EXCEEDED',
  'DIRECTIVE_LIMIT_EXCEEDED',
  'COST_LIMIT_EXCEEDED',
  'TOKEN_LIMIT_EXCEEDED',
  'RATE_LIMITED',
]);

function codeOf(error: GraphQLError): string {
  const code = error.extensions?.['code'];
  if (typeof code === 'string' && code.length > 0) return code;
  for (const [pattern, mapped] of UNCODED) if (pattern.test(error.message)) return mapped;
  // A field error without a code got past masking: treat it as the unexpected failure it is.
  return error.path ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
}

/** How the HTTP status is chosen (yoga reads `extensions.http`; it never reaches the client). */
function httpOf(code: string, error: GraphQLError, http: Extensions['http']): Extensions['http'] {
  if (REQUEST_CODES.has(code) || (code === 'BAD_USER_INPUT' && !error.path)) {
    return { ...http, spec: true, status: http?.status ?? 400 };
  }
  // A body that is not JSON or lacks a query is no GraphQL request at all: 400 whatever the Accept.
  if (code === 'BAD_REQUEST') return { ...http, spec: false, status: http?.status ?? 400 };
  return http;
}

export function publicError(error: GraphQLError, { debug }: ErrorFormatOptions): GraphQLError {
  const code = codeOf(error);
  const { originalError, stack, unexpected: _unexpected, http, ...rest } = (error.extensions ?? {}) as Extensions;
  const extensions: Extensions = { ...rest, code };
  const httpExtension = httpOf(code, error, http);
  if (httpExtension) extensions.http = httpExtension;
  if (debug) {
    if (originalError !== undefined) extensions['originalError'] = originalError;
    if (stack !== undefined) extensions['stack'] = stack;
  }
  return createGraphQLError(redactMessage(error.message), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}

export function publicErrors(errors: readonly GraphQLError[], options: ErrorFormatOptions): GraphQLError[] {
  return errors.map((error) => publicError(error instanceof GraphQLError ? error : createGraphQLError(String((error as Error)?.message ?? error)), options));
}

export function publicResult<R extends ExecutionResult>(result: R, options: ErrorFormatOptions): R {
  return result.errors?.length ? { ...result, errors: publicErrors(result.errors, options) } : result;
}

/** For graphql-ws, which sends errors as they are: the public form, without yoga's `http` hints. */
export function formattedErrors(errors: readonly GraphQLError[], options: ErrorFormatOptions): GraphQLFormattedError[] {
  return publicErrors(errors, options).map((error) => {
    const { http: _http, ...extensions } = error.extensions as Extensions;
    return { ...error.toJSON(), extensions };
  });
}

export function formattedResult(result: ExecutionResult, options: ErrorFormatOptions): FormattedExecutionResult {
  const { errors, ...rest } = result;
  return errors?.length ? { ...rest, errors: formattedErrors(errors, options) } : (rest as FormattedExecutionResult);
}

/**
 * Literal arguments are checked during validation (graphql-js's ValuesOfCorrectTypeRule), which
 * yoga codes GRAPHQL_VALIDATION_FAILED and which quotes the literal: these are input errors.
 */
const ARGUMENT_VALUE = [
  /^Expected value of type "/,
  /^Field "\w+\.\w+" of required type "[^"]*" was not provided\./,
  /^Field "[\s\S]*" is not defined by type "\w+"\./,
  /^(?:Enum "\w+"|\w+) cannot represent /,
  /^Value "[\s\S]*" does not exist in "\w+" enum\./,
  /^OneOf Input Object "\w+" must specify exactly one key\./,
  /^Field "\w+\.\w+" must be non-null\./,
];

function argumentError(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  const coded = (error.extensions?.['code'] as string | undefined) === 'BAD_USER_INPUT';
  if (coded || !ARGUMENT_VALUE.some((pattern) => pattern.test(error.message))) return error;
  const typeMatch = /^Expected value of type "([\w![\]]+)"/.exec(error.message);
  const reason =
    typeMatch && original && (original as GraphQLError).extensions?.['code'] === 'BAD_USER_INPUT'
      ? `Expected value of type "${typeMatch[1]}": ${original.message}`
      : redactReason(error.message);
  return createGraphQLError(reason.charAt(0).toUpperCase() + reason.slice(1), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code: 'BAD_USER_INPUT', http: { spec: true, status: 400 } },
  });
}

/**
 * Codes for errors at each stage, and the public form of every answer over HTTP and SSE.
 * (graphql-ws formats its answers in ws.ts with the same functions.)
 */
export function useErrorFormat(options: ErrorFormatOptions): Plugin {
  return {
    onParse: () => ({ result, replaceParseResult }) => {
      if (result instanceof GraphQLError && !result.extensions?.['code']) {
        replaceParseResult(publicError(createGraphQLError(result.message, { source: result.source, positions: result.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }), options));
      }
    },
    onValidate: () => ({ valid, result, setResult }) => {
      if (!valid) setResult(result.map((error) => (error instanceof GraphQLError ? argumentError(error) : error)));
    },
    onResultProcess: ({ result, setResult }) => {
      if (isAsyncIterable(result)) {
        setResult(mapAsync(result, (item) => publicResult(item as ExecutionResult, options)));
      } else if (Array.isArray(result)) {
        setResult(result.map((item) => publicResult(item, options)));
      } else {
        setResult(publicResult(result, options));
      }
    },
  };
}

/**
 * A POST whose content type no parser takes (text/plain, say) got a bare 415 with an empty body:
 * answer it like every other refusal, as JSON with a code.
 */
export function useUnsupportedMediaType(): Plugin {
  return {
    onRequestParse: ({ requestParser }) => {
      if (requestParser) return;
      throw createGraphQLError('Unsupported media type: send application/json', {
        extensions: { code: 'BAD_REQUEST', http: { status: 415 } },
      });
    },
  };
}

function mapAsync<T, U>(source: AsyncIterable<T>, map: (item: T) => U): AsyncIterableIterator<U> {
  const iterator = source[Symbol.asyncIterator]();
  return {
    next: async () => {
      const next = await iterator.next();
      return next.done ? next : { done: false, value: map(next.value) };
    },
    return: async (value?: unknown) => (await iterator.return?.(value)) ?? { done: true, value: undefined },
    throw: async (error?: unknown) => (iterator.throw ? iterator.throw(error) : Promise.reject(error)) as Promise<IteratorResult<U>>,
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncIterableIterator<U>;
}

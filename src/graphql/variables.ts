import {
  coerceInputValue,
  getOperationAST,
  type GraphQLError,
  type GraphQLSchema,
  isInputType,
  isNonNullType,
  type DocumentNode,
  typeFromAST,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestError } from './errors.js';
import { redactReason } from './redact.js';

const MAX_ERRORS = 10;

type Args = Readonly<{ schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: unknown }>;

const printPath = (path: ReadonlyArray<string | number>): string =>
  path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');

/**
 * Coerces the variables before graphql-js does, to answer its refusals in our words: each one
 * BAD_USER_INPUT, naming the variable and the path inside it, never quoting the value sent.
 * graphql-js's own messages quote the value whole, and its built-in scalars leave the code out.
 * Valid variables pass untouched; graphql-js then coerces them again as usual.
 */
export function variableErrors({ schema, document, operationName, variableValues }: Args): GraphQLError[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return []; // execution answers that with its own (coded) error
  const inputs = (typeof variableValues === 'object' && variableValues !== null ? variableValues : {}) as Record<string, unknown>;
  const errors: GraphQLError[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    if (errors.length >= MAX_ERRORS) break;
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) continue; // validation already refused the document
    const typeName = String(type);
    if (!Object.hasOwn(inputs, name)) {
      if (!definition.defaultValue && isNonNullType(type)) {
        errors.push(requestError('BAD_USER_INPUT', `Variable "$${name}" of required type "${typeName}" was not provided.`, { field: name }));
      }
      continue;
    }
    const value = inputs[name];
    if (value === null && isNonNullType(type)) {
      errors.push(requestError('BAD_USER_INPUT', `Variable "$${name}" of non-null type "${typeName}" must not be null.`, { field: name }));
      continue;
    }
    coerceInputValue(value, type, (path, _invalid, error) => {
      if (errors.length >= MAX_ERRORS) return;
      const field = `${name}${printPath(path)}`;
      // Our scalars and rules throw coded errors in our own words; graphql-js's are redacted.
      const reason = error.extensions?.['code'] === 'BAD_USER_INPUT' ? error.message : redactReason(error.message);
      errors.push(requestError('BAD_USER_INPUT', `Variable "$${name}" got an invalid value at "${field}": ${reason}`, { field }));
    });
  }
  return errors;
}

/** Runs `variableErrors` before execute and subscribe, over HTTP, SSE and graphql-ws alike. */
export function useVariableErrors(): Plugin {
  const check = ({ args, setResultAndStopExecution }: { args: Args; setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void }) => {
    const errors = variableErrors(args);
    if (errors.length > 0) setResultAndStopExecution({ errors });
  };
  return { onExecute: check, onSubscribe: check };
}

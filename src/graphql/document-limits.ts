import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestError, type ErrorCode } from './errors.js';

/**
 * What one document may ask for. Armor multiplies cost by literal `first` values: 100 wallets
 * with balances and transfers cost about 10k, while 100 wallets x 100 transactions each (about
 * 1M) is refused. It counts selected fields, not argument values: a submitCommands batch costs
 * the same (~15) at any size.
 *
 * Tokens bound the work of parsing and validating, before the other limits can look. A batch sent
 * in variables needs ~30; written inline, 1,000 transfers with every field set need 24,021, so the
 * limit is 25,000. Measured here: validating a hostile 25,000-token document takes ~150 ms (~60 ms
 * at 2,000), and what a document may make the server do (depth, aliases, cost) is bounded as before.
 */
export const DOCUMENT_LIMITS = { depth: 12, aliases: 20, directives: 20, cost: 25_000, tokens: 25_000 } as const;

// Armor's own errors read "Syntax Error: ..." and carry no code; clients need to tell them apart.
const text = (error: GraphQLError): string => error.message.replace(/^Syntax Error: /, '');

/** Validation limits report into the validation result, like any other validation error. */
const report = (code: ErrorCode) => [
  (context: ValidationContext | null, error: GraphQLError): void => context?.reportError(requestError(code, text(error))),
];

export function useDocumentLimits(): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: DOCUMENT_LIMITS.depth, propagateOnRejection: false, onReject: report('DEPTH_LIMIT_EXCEEDED') },
    maxAliases: { n: DOCUMENT_LIMITS.aliases, propagateOnRejection: false, onReject: report('ALIAS_LIMIT_EXCEEDED') },
    maxDirectives: { n: DOCUMENT_LIMITS.directives, propagateOnRejection: false, onReject: report('DIRECTIVE_LIMIT_EXCEEDED') },
    costLimit: { maxCost: DOCUMENT_LIMITS.cost, propagateOnRejection: false, onReject: report('COST_LIMIT_EXCEEDED') },
    // The token limit counts while parsing: throwing stops the parser at once.
    maxTokens: {
      n: DOCUMENT_LIMITS.tokens,
      propagateOnRejection: false,
      onReject: [
        (_context, error) => {
          throw requestError('TOKEN_LIMIT_EXCEEDED', text(error));
        },
      ],
    },
  }) as Plugin;
}

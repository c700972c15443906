import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, type ParseOptions, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface ParserLimits {
  /** Lexical tokens in one document; the parser stops at the first token over the limit. */
  readonly maxTokens: number;
  /** Directives in one operation, fragments counted where they are spread. */
  readonly maxDirectives: number;
}

export const defaultParserLimits: ParserLimits = { maxTokens: 5_000, maxDirectives: 50 };

function parseFailed(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/**
 * graphql-js parses recursively: a deeply nested list or object literal overflows the stack
 * before any limit is reached. The overflow is caught and answered like any syntax error.
 */
export function limitedParse(limits: ParserLimits) {
  return (source: string | Source, options?: ParseOptions) => {
    try {
      const parser = new MaxTokensParserWLexer(source, { ...options, n: limits.maxTokens });
      return parser.parseDocument();
    } catch (error) {
      if (error instanceof RangeError) {
        throw parseFailed('Syntax Error: the document nests too deeply.', 'QUERY_TOO_COMPLEX');
      }
      if (error instanceof GraphQLError && /Token limit of \d+ exceeded/.test(error.message)) {
        throw parseFailed(
          `Syntax Error: the document exceeds ${limits.maxTokens} tokens.`,
          'TOO_MANY_TOKENS',
        );
      }
      throw error;
    }
  };
}

/**
 * The parser and validation guards of GraphQL Armor: a token limit applied while lexing, a
 * directive limit, and — in production — no "Did you mean …" suggestions, which would map the
 * schema while introspection is off.
 */
export function parserLimits(limits: ParserLimits, production: boolean): Plugin {
  const parse = limitedParse(limits);
  const suggestions = production ? blockFieldSuggestionsPlugin({ mask: '' }) : null;
  return {
    onParse({ setParseFn }) {
      setParseFn(parse);
    },
    onValidate(payload) {
      payload.addValidationRule(
        maxDirectivesRule({
          n: limits.maxDirectives,
          propagateOnRejection: false,
          onReject: [
            (context, error) =>
              context?.reportError(
                new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
                  extensions: { code: 'TOO_MANY_DIRECTIVES' },
                }),
              ),
          ],
        }),
      );
      return suggestions?.onValidate?.(payload);
    },
  };
}

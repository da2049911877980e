import type { TokenUsage } from '../agents/agent-event.js';
import type { ModelPrice } from '../config/spend-fields.js';

/**
 * Where a run's dollars come from: the agent's own report, the price table (the model found), or
 * the table's `"*"` fallback (the model unknown: the figure is a guess, and flagged as one).
 * @public
 */
export const PRICE_SOURCES = ['reported', 'table', 'fallback'] as const;
/** @public */
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** The fallback entry's key in `[pricing]`. @public */
export const FALLBACK_PRICE_KEY = '*';

/**
 * The price of a model: its own entry, else the longest key it starts with ("claude-sonnet" prices
 * "claude-sonnet-4-5-20250929"), else the `"*"` fallback.
 * @public
 */
export function priceOf(
  prices: Readonly<Record<string, ModelPrice>>,
  model: string | undefined,
): { readonly price: ModelPrice; readonly source: 'table' | 'fallback' } {
  if (model !== undefined) {
    const exact = prices[model];
    if (exact !== undefined && model !== FALLBACK_PRICE_KEY) return { price: exact, source: 'table' };
    const prefix = Object.keys(prices)
      .filter((key) => key !== FALLBACK_PRICE_KEY && model.startsWith(key))
      .sort((a, b) => b.length - a.length)[0];
    const found = prefix === undefined ? undefined : prices[prefix];
    if (found !== undefined) return { price: found, source: 'table' };
  }
  return { price: prices[FALLBACK_PRICE_KEY] ?? { input: 0, cached_input: 0, output: 0 }, source: 'fallback' };
}

/**
 * The cost in USD of token counts at a price. `cachedIsPartOfInput`: Codex counts cached tokens
 * inside `inputTokens`; Claude and the Anthropic API count them apart (see TokenUsage).
 * @public
 */
export function costOfUsage(price: ModelPrice, usage: TokenUsage, cachedIsPartOfInput: boolean): number {
  const uncached = cachedIsPartOfInput ? Math.max(0, usage.inputTokens - usage.cachedInputTokens) : usage.inputTokens;
  const perToken =
    uncached * price.input +
    usage.cachedInputTokens * price.cached_input +
    usage.cacheWriteTokens * (price.cache_write ?? price.input) +
    usage.outputTokens * price.output;
  return perToken / 1_000_000;
}

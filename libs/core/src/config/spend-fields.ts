import type { Field } from './schema.js';

/** One model's prices, in USD per million tokens. @public */
export interface ModelPrice {
  readonly input: number;
  /** Input tokens read from the prompt cache. */
  readonly cached_input: number;
  readonly output: number;
  /** Input tokens written to the prompt cache (Claude); unset: the input price. */
  readonly cache_write?: number | undefined;
}

/**
 * The prices shipped with Harness (list prices, USD per million tokens, late 2026). `"*"` prices
 * a model that matches no key; a run priced by it is flagged `fallback`.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  '*': { input: 3, cached_input: 0.3, output: 15 },
  'claude-opus': { input: 5, cached_input: 0.5, output: 25, cache_write: 6.25 },
  'claude-sonnet': { input: 3, cached_input: 0.3, output: 15, cache_write: 3.75 },
  'claude-haiku': { input: 1, cached_input: 0.1, output: 5, cache_write: 1.25 },
  opus: { input: 5, cached_input: 0.5, output: 25, cache_write: 6.25 },
  sonnet: { input: 3, cached_input: 0.3, output: 15, cache_write: 3.75 },
  haiku: { input: 1, cached_input: 0.1, output: 5, cache_write: 1.25 },
  'gpt-5': { input: 1.25, cached_input: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cached_input: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cached_input: 0.005, output: 0.4 },
  'gpt-5-codex': { input: 1.25, cached_input: 0.125, output: 10 },
  'o4-mini': { input: 1.1, cached_input: 0.275, output: 4.4 },
});

const PRICE_KEYS = ['input', 'cached_input', 'output', 'cache_write'] as const;

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** `[pricing."<model>"]` tables: the shipped prices, with the file's entries added or replacing them. */
export function priceTable(
  defaults: Readonly<Record<string, ModelPrice>>,
): Field<Readonly<Record<string, ModelPrice>>> {
  return {
    parse(value, path, ctx) {
      if (value === undefined) return defaults;
      if (!isTable(value)) {
        ctx.problems.push({ path, message: 'must be a table of models, e.g. [pricing."gpt-5"]' });
        return defaults;
      }
      const out: Record<string, ModelPrice> = { ...defaults };
      for (const [model, entry] of Object.entries(value)) {
        const at = `${path}."${model}"`;
        if (!isTable(entry)) {
          ctx.problems.push({ path: at, message: 'must be a table with input, cached_input and output' });
          continue;
        }
        const price: Record<string, number> = {};
        let isValid = true;
        for (const key of Object.keys(entry))
          if (!(PRICE_KEYS as readonly string[]).includes(key)) {
            ctx.problems.push({ path: `${at}.${key}`, message: `unknown key (known: ${PRICE_KEYS.join(', ')})` });
            isValid = false;
          }
        for (const key of PRICE_KEYS) {
          const v = entry[key];
          if (v === undefined && key === 'cache_write') continue;
          if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
            ctx.problems.push({
              path: `${at}.${key}`,
              message: 'must be a number of USD per million tokens, 0 or more',
            });
            isValid = false;
            continue;
          }
          price[key] = v;
        }
        if (isValid)
          out[model] = {
            input: price['input'] ?? 0,
            cached_input: price['cached_input'] ?? 0,
            output: price['output'] ?? 0,
            ...(price['cache_write'] === undefined ? {} : { cache_write: price['cache_write'] }),
          };
      }
      return Object.freeze(out);
    },
  };
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM", 24-hour. */
export function timeOfDay(fallback: string): Field<string> {
  return {
    parse(value, path, ctx) {
      if (value === undefined) return fallback;
      if (typeof value === 'string' && TIME_OF_DAY.test(value)) return value;
      ctx.problems.push({ path, message: 'must be a time of day "HH:MM" (24-hour), e.g. "00:00" or "06:30"' });
      return fallback;
    },
  };
}

/** Whether the runtime knows an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name. */
export function timeZone(fallback: string): Field<string> {
  return {
    parse(value, path, ctx) {
      if (value === undefined) return fallback;
      if (typeof value === 'string' && value !== '' && isTimeZone(value)) return value;
      ctx.problems.push({ path, message: 'must be an IANA time zone, e.g. "UTC" or "Europe/Paris"' });
      return fallback;
    },
  };
}

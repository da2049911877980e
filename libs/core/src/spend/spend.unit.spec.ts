import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../config/spend-fields.js';
import { spendDayOf } from './budget-day.js';
import { costOfUsage, priceOf } from './pricing.js';

describe('priceOf', () => {
  it('finds a model exactly, by its longest known prefix, or else the "*" fallback', () => {
    expect(priceOf(DEFAULT_PRICES, 'gpt-5-mini')).toEqual({ price: DEFAULT_PRICES['gpt-5-mini'], source: 'table' });
    expect(priceOf(DEFAULT_PRICES, 'gpt-5-mini-2026-08-01').price).toBe(DEFAULT_PRICES['gpt-5-mini']);
    expect(priceOf(DEFAULT_PRICES, 'claude-sonnet-4-5-20250929').price).toBe(DEFAULT_PRICES['claude-sonnet']);
    expect(priceOf(DEFAULT_PRICES, 'mystery-1')).toEqual({ price: DEFAULT_PRICES['*'], source: 'fallback' });
    expect(priceOf(DEFAULT_PRICES, undefined).source).toBe('fallback');
    expect(priceOf(DEFAULT_PRICES, '*').source).toBe('fallback');
  });
});

describe('costOfUsage', () => {
  const price = { input: 1.25, cached_input: 0.125, output: 10 };
  const usage = { inputTokens: 1_000_000, cachedInputTokens: 400_000, cacheWriteTokens: 0, outputTokens: 100_000 };

  it('Codex: cached tokens are part of the input, priced at the cached rate', () => {
    // 600k × 1.25 + 400k × 0.125 + 100k × 10, per million.
    expect(costOfUsage(price, usage, true)).toBeCloseTo(0.75 + 0.05 + 1, 10);
  });

  it('Claude: cached reads and cache writes come on top of the input', () => {
    const claude = { input: 3, cached_input: 0.3, output: 15, cache_write: 3.75 };
    const tokens = { inputTokens: 1000, cachedInputTokens: 10_000, cacheWriteTokens: 2000, outputTokens: 500 };
    expect(costOfUsage(claude, tokens, false)).toBeCloseTo((3000 + 3000 + 7500 + 7500) / 1_000_000, 12);
  });
});

describe('spendDayOf', () => {
  it('UTC midnight: the day of the date, ending at the next midnight', () => {
    const day = spendDayOf(new Date('2026-12-06T23:59:00Z'), { startsAt: '00:00', timeZone: 'UTC' });
    expect(day).toEqual({
      day: '2026-12-06',
      start: new Date('2026-12-06T00:00:00Z'),
      end: new Date('2026-12-07T00:00:00Z'),
    });
  });

  it('a boundary at 06:30: before it, the instant belongs to the previous day', () => {
    const day = spendDayOf(new Date('2026-12-06T06:29:00Z'), { startsAt: '06:30', timeZone: 'UTC' });
    expect(day.day).toBe('2026-12-05');
    expect(day.end).toEqual(new Date('2026-12-06T06:30:00Z'));
  });

  it('a time zone: midnight in Paris is 23:00 UTC in winter; the day across DST is 23 hours', () => {
    const winter = spendDayOf(new Date('2026-12-06T23:30:00Z'), { startsAt: '00:00', timeZone: 'Europe/Paris' });
    expect(winter).toEqual({
      day: '2026-12-07',
      start: new Date('2026-12-06T23:00:00Z'),
      end: new Date('2026-12-07T23:00:00Z'),
    });
    const dst = spendDayOf(new Date('2026-03-29T12:00:00Z'), { startsAt: '00:00', timeZone: 'Europe/Paris' });
    expect(dst.start).toEqual(new Date('2026-03-28T23:00:00Z'));
    expect(dst.end).toEqual(new Date('2026-03-29T22:00:00Z'));
  });
});

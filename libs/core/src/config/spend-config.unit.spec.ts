import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve-config.js';
import { DEFAULT_PRICES } from './spend-fields.js';

function resolve(toml: string) {
  return resolveConfig({ file: { path: '/etc/harness.toml', text: toml }, env: {}, homeDir: '/h', cwd: '/' });
}

describe('[limits] and [pricing]', () => {
  it('defaults: no limit, days from 00:00 UTC, the shipped prices', () => {
    const result = resolve('');
    if (!result.ok) throw result.error;
    expect(result.value.limits).toEqual({
      task_output_mb: 10,
      task_max_usd: undefined,
      task_max_turns: undefined,
      daily_usd: undefined,
      setup: undefined,
      setup_secret_env: undefined,
      dependency_dirs: undefined,
      day_starts_at: '00:00',
      time_zone: 'UTC',
    });
    expect(result.value.pricing).toEqual(DEFAULT_PRICES);
  });

  it('reads limits, a project daily limit, and adds or replaces prices', () => {
    const result = resolve(
      [
        '[limits]',
        'task_max_usd = 2.5',
        'task_max_turns = 40',
        'daily_usd = 20',
        'day_starts_at = "06:30"',
        'time_zone = "Europe/Paris"',
        '[pricing."my-model"]',
        'input = 2',
        'cached_input = 0.2',
        'output = 8',
        '[pricing.gpt-5]',
        'input = 1',
        'cached_input = 0.1',
        'output = 9',
        '[[projects]]',
        'name = "app"',
        'root = "/repos/app"',
        'daily_usd = 4',
      ].join('\n'),
    );
    if (!result.ok) throw result.error;
    expect(result.value.limits).toMatchObject({ task_max_usd: 2.5, task_max_turns: 40, daily_usd: 20 });
    expect(result.value.projects[0]?.daily_usd).toBe(4);
    expect(result.value.pricing['my-model']).toEqual({ input: 2, cached_input: 0.2, output: 8 });
    expect(result.value.pricing['gpt-5']).toEqual({ input: 1, cached_input: 0.1, output: 9 });
    expect(result.value.pricing['sonnet']).toEqual(DEFAULT_PRICES['sonnet']);
  });

  it('names every wrong value by its path', () => {
    const result = resolve(
      [
        '[limits]',
        'task_max_usd = 0',
        'task_max_turns = 2.5',
        'day_starts_at = "24:00"',
        'time_zone = "Mars/Olympus"',
        '[pricing.bad]',
        'input = -1',
        'output = "cheap"',
        'extra = 1',
      ].join('\n'),
    );
    expect(result.ok ? [] : result.error.problems).toEqual([
      { path: 'limits.task_max_usd', message: 'must be a positive number' },
      { path: 'limits.task_max_turns', message: 'must be a positive integer' },
      { path: 'limits.day_starts_at', message: 'must be a time of day "HH:MM" (24-hour), e.g. "00:00" or "06:30"' },
      { path: 'limits.time_zone', message: 'must be an IANA time zone, e.g. "UTC" or "Europe/Paris"' },
      { path: 'pricing."bad".extra', message: 'unknown key (known: input, cached_input, output, cache_write)' },
      { path: 'pricing."bad".input', message: 'must be a number of USD per million tokens, 0 or more' },
      { path: 'pricing."bad".cached_input', message: 'must be a number of USD per million tokens, 0 or more' },
      { path: 'pricing."bad".output', message: 'must be a number of USD per million tokens, 0 or more' },
    ]);
  });
});

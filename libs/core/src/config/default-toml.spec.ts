import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config.schema.js';
import { resolveConfig } from './resolve-config.js';
import type { Field } from './schema.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const shippedPath = join(repoRoot, 'config', 'default.toml');
const shipped = readFileSync(shippedPath, 'utf8');

/** Dotted paths of every leaf key in the schema (`projects.name` for the array of tables). */
function leafKeys(field: Field<unknown>, prefix = ''): string[] {
  if (field.shape === undefined || field.sensitive === true) return [prefix];
  // A table of named tables is shown with one example name.
  if (field.isMap === true) return leafKeys({ ...field, isMap: false }, `${prefix}.myagent`);
  return Object.entries(field.shape).flatMap(([key, inner]) =>
    leafKeys(inner, prefix === '' ? key : `${prefix}.${key}`),
  );
}

/** The shipped file with every commented-out key and table header switched on. */
function uncommented(text: string): Record<string, unknown> {
  const lines = text.split('\n').map((line) => {
    const match = /^# ((?:\[{1,2}[a-z_.]+\]{1,2})|(?:[A-Za-z_]+ = .*))$/.exec(line);
    return match?.[1] ?? line;
  });
  return parse(lines.join('\n'));
}

function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (Array.isArray(node)) node = node[0] as unknown;
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

// Keys that are secrets read only from the environment, so the file cannot show them.
const ENV_ONLY = new Set(['agents.anthropic_api.api_key', 'github.token']);

describe('config/default.toml', () => {
  it('is a valid configuration as shipped', () => {
    const result = resolveConfig({ file: { path: shippedPath, text: shipped }, env: {}, homeDir: '/h', cwd: '/' });
    expect(result.ok ? [] : result.error.problems).toEqual([]);
  });

  it('lists every key with its default', () => {
    const defaults = resolveConfig({ env: {}, homeDir: '/h', cwd: '/' });
    if (!defaults.ok) throw defaults.error;
    const documented = uncommented(shipped);
    const missing: string[] = [];
    const wrongDefault: string[] = [];
    for (const key of leafKeys(configSchema)) {
      if (ENV_ONLY.has(key)) continue;
      const shown = valueAt(documented, key);
      if (shown === undefined) {
        missing.push(key);
        continue;
      }
      const actual = valueAt(defaults.value, key);
      const isComparable =
        actual !== undefined && !key.startsWith('projects.') && !key.endsWith('.env') && !key.endsWith('_dir');
      if (isComparable && JSON.stringify(shown) !== JSON.stringify(actual))
        wrongDefault.push(`${key}: file ${JSON.stringify(shown)}, code ${JSON.stringify(actual)}`);
    }
    expect(missing).toEqual([]);
    expect(wrongDefault).toEqual([]);
  });

  it('every key is in the configuration reference (docs/configuration.md)', () => {
    const reference = readFileSync(join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    const undocumented = leafKeys(configSchema).filter(
      (key) => !reference.includes(`\`${key.split('.').pop() ?? key}\``),
    );
    expect(undocumented).toEqual([]);
  });
});

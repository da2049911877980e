import { stringify as stringifyToml } from 'smol-toml';
import { configSchema, type HarnessConfig } from './config.schema.js';
import type { Field } from './schema.js';

/** Shown in place of a secret that is set. */
export const REDACTED = '***';

/**
 * A copy of the configuration that is safe to print or log: every secret (tokens, API keys, agent
 * `env` values) is replaced by "***"; unset secrets stay absent.
 * @public
 */
export function redactConfig(config: HarnessConfig): unknown {
  return redact(configSchema, config);
}

function redact(field: Field<unknown>, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (field.sensitive === true) {
    if (typeof value === 'string') return REDACTED;
    return Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED]));
  }
  const shape = field.shape;
  if (shape === undefined) return value;
  const redactTable = (table: unknown): unknown =>
    Object.fromEntries(
      Object.entries(table as Record<string, unknown>).map(([k, v]) => {
        const inner = shape[k];
        return [k, inner === undefined ? v : redact(inner, v)];
      }),
    );
  if (field.isList === true) return (value as unknown[]).map(redactTable);
  if (field.isMap === true)
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactTable(v)]));
  return redactTable(value);
}

/**
 * The configuration as TOML, secrets redacted, unset optional keys left out: what `config show`
 * prints, and a valid config file in its own right (apart from the redacted secrets).
 * @public
 */
export function formatConfigToml(config: HarnessConfig): string {
  const plain = JSON.parse(JSON.stringify(redactConfig(config))) as object;
  return stringifyToml(plain);
}

/**
 * A small declarative schema for the TOML configuration. One declaration per key gives its type,
 * its default, its validation message, whether it is a secret (redacted when shown) and which
 * environment variable may set it. Parsing never stops at the first problem: every problem is
 * collected with its TOML path so a user can fix a file in one go.
 */

/** One thing wrong with the configuration, located by its TOML path. @public */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** What a field needs besides its raw value. */
export interface ParseContext {
  readonly problems: ConfigProblem[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Home directory used to expand a leading `~`. */
  readonly homeDir: string;
  /** Directory that relative paths in the file are resolved against. */
  readonly baseDir: string;
}

export interface Field<T> {
  /** `value` is `undefined` when the key is absent. Invalid values are reported and replaced by the default. */
  parse(value: unknown, path: string, ctx: ParseContext): T;
  /** True for secrets: shown as "***" by `config show`. */
  readonly sensitive?: boolean;
  /** A table (or list of tables) whose keys are listed in `shape`, for redaction and docs. */
  readonly shape?: Shape;
  readonly isList?: boolean;
  /** A table of named tables (`[agents.custom.<name>]`), each with the keys of `shape`. */
  readonly isMap?: boolean;
}

export type Shape = Readonly<Record<string, Field<unknown>>>;
export type Infer<F> = F extends Field<infer T> ? T : never;
export type InferShape<S extends Shape> = { readonly [K in keyof S]: Infer<S[K]> };

export function report(ctx: ParseContext, path: string, message: string): void {
  ctx.problems.push({ path, message });
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A field whose value is present, checked by `accept`, which returns an error message or the value. */
function scalar<T>(fallback: T, accept: (value: unknown) => { value: T } | { error: string }): Field<T> {
  return {
    parse(value, path, ctx) {
      if (value === undefined) return fallback;
      const outcome = accept(value);
      if ('error' in outcome) {
        report(ctx, path, outcome.error);
        return fallback;
      }
      return outcome.value;
    },
  };
}

export function string(fallback: string): Field<string> {
  return scalar(fallback, (v) => (typeof v === 'string' ? { value: v } : { error: 'must be a string' }));
}

export function nonEmptyString(fallback: string): Field<string> {
  return scalar(fallback, (v) =>
    typeof v === 'string' && v.trim() !== '' ? { value: v } : { error: 'must be a non-empty string' },
  );
}

export function boolean(fallback: boolean): Field<boolean> {
  return scalar(fallback, (v) => (typeof v === 'boolean' ? { value: v } : { error: 'must be true or false' }));
}

export function oneOf<const V extends string>(values: readonly V[], fallback: V): Field<V> {
  const allowed = values.map((v) => `"${v}"`).join(', ');
  return scalar<V>(fallback, (v) =>
    typeof v === 'string' && (values as readonly string[]).includes(v)
      ? { value: v as V }
      : { error: `must be one of ${allowed}` },
  );
}

export function positiveInt(fallback: number): Field<number> {
  return scalar(fallback, (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? { value: v } : { error: 'must be a positive integer' },
  );
}

export function nonNegativeInt(fallback: number): Field<number> {
  return scalar(fallback, (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
      ? { value: v }
      : { error: 'must be a non-negative integer' },
  );
}

export function positiveNumber(fallback: number): Field<number> {
  return scalar(fallback, (v) =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? { value: v } : { error: 'must be a positive number' },
  );
}

export function stringList(fallback: readonly string[] = []): Field<readonly string[]> {
  return {
    parse(value, path, ctx) {
      if (value === undefined) return fallback;
      if (!Array.isArray(value)) {
        report(ctx, path, 'must be an array of strings');
        return fallback;
      }
      const items: string[] = [];
      value.forEach((item: unknown, i) => {
        if (typeof item === 'string') items.push(item);
        else report(ctx, `${path}[${String(i)}]`, 'must be a string');
      });
      return items;
    },
  };
}

/** A table of string values, e.g. extra environment variables. Values may be secrets. */
export function stringMap(options: { sensitive?: boolean } = {}): Field<Readonly<Record<string, string>>> {
  return {
    sensitive: options.sensitive ?? false,
    parse(value, path, ctx) {
      if (value === undefined) return {};
      if (!isTable(value)) {
        report(ctx, path, 'must be a table of strings');
        return {};
      }
      const out: Record<string, string> = {};
      for (const [key, item] of Object.entries(value)) {
        if (typeof item === 'string') out[key] = item;
        else report(ctx, `${path}.${key}`, 'must be a string');
      }
      return out;
    },
  };
}

/** Expands a leading `~` and resolves a relative path against the config file's directory. */
export function expandPath(raw: string, ctx: Pick<ParseContext, 'homeDir' | 'baseDir'>): string {
  let p = raw;
  if (p === '~') p = ctx.homeDir;
  else if (p.startsWith('~/')) p = joinPath(ctx.homeDir, p.slice(2));
  if (!p.startsWith('/')) p = joinPath(ctx.baseDir, p);
  return normalizePath(p);
}

function joinPath(a: string, b: string): string {
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** A filesystem path: `~` expanded, relative paths resolved against the config file's directory. */
export function path(fallback: string): Field<string> {
  return {
    parse(value, p, ctx) {
      const raw = value === undefined ? fallback : value;
      if (typeof raw !== 'string' || raw.trim() === '') {
        report(ctx, p, 'must be a non-empty path string');
        return expandPath(fallback, ctx);
      }
      return expandPath(raw, ctx);
    },
  };
}

/** A list of filesystem paths, each expanded as `path` does. */
export function pathList(): Field<readonly string[]> {
  return {
    parse(value, p, ctx) {
      if (value === undefined) return [];
      if (!Array.isArray(value)) {
        report(ctx, p, 'must be an array of path strings');
        return [];
      }
      return value.flatMap((item: unknown, i) => {
        if (typeof item === 'string' && item.trim() !== '') return [expandPath(item, ctx)];
        report(ctx, `${p}[${String(i)}]`, 'must be a non-empty path string');
        return [];
      });
    },
  };
}

/** A program to run: a bare name is looked up on PATH later; anything with a slash is a path. */
export function command(fallback: string): Field<string> {
  return {
    parse(value, p, ctx) {
      const raw = value === undefined ? fallback : value;
      if (typeof raw !== 'string' || raw.trim() === '') {
        report(ctx, p, 'must be a non-empty string');
        return fallback;
      }
      return raw.includes('/') ? expandPath(raw, ctx) : raw;
    },
  };
}

/** A command line as an array (`["opencode", "acp"]`): the program first, looked up as `command` is. */
export function commandLine(fallback: readonly string[]): Field<readonly string[]> {
  return {
    parse(value, p, ctx) {
      if (value === undefined) return fallback;
      if (!Array.isArray(value) || value.length === 0 || value.some((part) => typeof part !== 'string')) {
        report(ctx, p, 'must be a non-empty array of strings, the program first (["my-agent", "--acp"])');
        return fallback;
      }
      const [program = '', ...args] = value as string[];
      if (program.trim() === '') {
        report(ctx, `${p}[0]`, 'must name a program');
        return fallback;
      }
      return [program.includes('/') ? expandPath(program, ctx) : program, ...args];
    },
  };
}

/** Makes a field optional: absent stays `undefined` instead of taking a default. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return {
    ...field,
    parse(value, path, ctx) {
      return value === undefined ? undefined : field.parse(value, path, ctx);
    },
  };
}

/** Makes a field required: absence is a problem. */
export function required<T>(field: Field<T>): Field<T> {
  return {
    ...field,
    parse(value, path, ctx) {
      if (value === undefined) report(ctx, path, 'is required');
      return field.parse(value, path, ctx);
    },
  };
}

/**
 * A secret string. It may come from the file (when `inFile`) or from the environment variable
 * `env`, which wins. A secret that is only accepted from the environment is refused in the file,
 * so tokens do not end up committed next to the config. `check` says what is wrong with the value
 * in use (never quoting it), e.g. a token too weak to guard anything.
 */
export function secret(options: {
  env: string;
  inFile: boolean;
  check?: (value: string) => string | undefined;
}): Field<string | undefined> {
  return {
    sensitive: true,
    parse(value, path, ctx) {
      if (value !== undefined && !options.inFile) {
        report(
          ctx,
          path,
          `is a secret read only from the ${options.env} environment variable; remove it from the file`,
        );
      } else if (value !== undefined && (typeof value !== 'string' || value === '')) {
        report(ctx, path, 'must be a non-empty string');
      }
      const fromEnv = ctx.env[options.env];
      const fromFile = options.inFile && typeof value === 'string' && value !== '' ? value : undefined;
      const used = fromEnv !== undefined && fromEnv !== '' ? fromEnv : fromFile;
      const problem = used === undefined ? undefined : options.check?.(used);
      if (problem !== undefined)
        report(ctx, path, `${problem}${used === fromEnv ? ` (the value of ${options.env})` : ''}`);
      return used;
    },
  };
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = known.find((k) => editDistance(k, key) <= 2);
  return near === undefined ? 'unknown key' : `unknown key (did you mean "${near}"?)`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

function parseTable<S extends Shape>(shape: S, value: unknown, path: string, ctx: ParseContext): InferShape<S> {
  const raw = value === undefined ? {} : value;
  const prefix = path === '' ? '' : `${path}.`;
  if (!isTable(raw)) {
    report(ctx, path, 'must be a table');
    return parseTable(shape, {}, path, ctx);
  }
  const known = Object.keys(shape);
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) report(ctx, `${prefix}${key}`, unknownKeyMessage(key, known));
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    out[key] = field.parse(raw[key], `${prefix}${key}`, ctx);
  }
  return out as InferShape<S>;
}

/** A TOML table with a fixed set of keys; unknown keys are reported. */
export function table<S extends Shape>(shape: S): Field<InferShape<S>> {
  return { shape, parse: (value, path, ctx) => parseTable(shape, value, path, ctx) };
}

/** An array of tables (`[[projects]]`). */
export function tableList<S extends Shape>(shape: S): Field<readonly InferShape<S>[]> {
  return {
    shape,
    isList: true,
    parse(value, path, ctx) {
      if (value === undefined) return [];
      if (!Array.isArray(value)) {
        report(ctx, path, `must be an array of tables ([[${path}]])`);
        return [];
      }
      return value.map((item: unknown, i) => parseTable(shape, item, `${path}[${String(i)}]`, ctx));
    },
  };
}

/**
 * A table of named tables (`[agents.custom.<name>]`): each name must match `name.pattern` (it
 * becomes an identifier elsewhere), and each table has the keys of `shape`.
 */
export function tableMap<S extends Shape>(
  shape: S,
  name: { readonly pattern: RegExp; readonly rule: string; readonly reserved?: readonly string[] },
): Field<Readonly<Record<string, InferShape<S>>>> {
  return {
    shape,
    isMap: true,
    parse(value, path, ctx) {
      if (value === undefined) return {};
      if (!isTable(value)) {
        report(ctx, path, 'must be a table of tables');
        return {};
      }
      const out: Record<string, InferShape<S>> = {};
      for (const [key, item] of Object.entries(value)) {
        if (!name.pattern.test(key)) {
          report(ctx, `${path}.${key}`, `is not a valid name: ${name.rule}`);
          continue;
        }
        if (name.reserved?.includes(key) === true) {
          report(ctx, `${path}.${key}`, `is a name Harness already uses (${name.reserved.join(', ')})`);
          continue;
        }
        out[key] = parseTable(shape, item, `${path}.${key}`, ctx);
      }
      return out;
    },
  };
}

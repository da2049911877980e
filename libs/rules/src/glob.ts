import { posix } from 'node:path';
import { err, ok, type Result } from '@agent-harness/core';

/*
 * A small glob matcher for rule `paths:`. Node 20's `path.matchesGlob` is experimental (it prints an
 * ExperimentalWarning on first use) and its dialect may still change, so rules use this one:
 *
 *   `*`      any characters except `/`           `?`      one character except `/`
 *   `**`     any number of whole path segments   `{a,b}`  either alternative (may nest)
 *   `[abc]`  `[a-z]`  `[!a]`  one character of (or not of) a class
 *
 * Patterns are matched against whole project-relative paths with `/` separators, case-sensitively.
 * A pattern without `/` matches only at the top (`*.ts` is not `src/a.ts`; write `**\/*.ts`).
 * Dotfiles are ordinary names. A leading `./` or `/` is ignored; `..` segments and `\` are errors.
 */

const MAX_PATTERN_LENGTH = 1000;
const CACHE_LIMIT = 1000;
const cache = new Map<string, Result<RegExp, string>>();

/** The pattern compiled to an anchored RegExp, or why it is not a usable glob. @public */
export function compileGlob(pattern: string): Result<RegExp, string> {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = translate(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** Why `pattern` is not a usable glob, or undefined when it is. @public */
export function globProblem(pattern: string): string | undefined {
  const compiled = compileGlob(pattern);
  return compiled.ok ? undefined : compiled.error;
}

/** Whether the project-relative `file` matches `pattern`; false for invalid patterns and paths. @public */
export function matchesGlob(file: string, pattern: string): boolean {
  const relative = normalizeRelativePath(file);
  const compiled = compileGlob(pattern);
  return relative !== undefined && compiled.ok && compiled.value.test(relative);
}

/**
 * `file` as a clean relative path (`./src//a.ts` → `src/a.ts`), or undefined when it is empty,
 * absolute or climbs out of its root with `..`.
 * @public
 */
export function normalizeRelativePath(file: string): string | undefined {
  if (file === '' || file.includes('\0') || posix.isAbsolute(file)) return undefined;
  const normalized = posix.normalize(file).replace(/\/+$/, '');
  if (normalized === '.' || normalized === '..' || normalized.startsWith('../')) return undefined;
  return normalized;
}

function translate(raw: string): Result<RegExp, string> {
  if (raw.length > MAX_PATTERN_LENGTH) return err(`glob is longer than ${String(MAX_PATTERN_LENGTH)} characters`);
  if (raw.includes('\\')) return err(`glob ${JSON.stringify(raw)} contains "\\": use "/" between path segments`);
  if (raw.includes('\0')) return err('glob contains a NUL character');
  const pattern = raw.replace(/^(\.\/|\/)+/, '');
  if (pattern === '') return err(`glob ${JSON.stringify(raw)} is empty`);
  if (pattern.split(/[/{},]/).includes('..')) return err(`glob ${JSON.stringify(raw)} climbs out with ".."`);

  let source = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    const atSegmentStart = i === 0 || '/{,'.includes(pattern.charAt(i - 1));
    if (char === '*' && pattern.charAt(i + 1) === '*' && atSegmentStart && isSegmentEnd(pattern, i + 2, depth)) {
      if (pattern.charAt(i + 2) === '/') {
        source += '(?:[^/]+/)*';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) return err(`glob ${JSON.stringify(raw)} has an unclosed "["`);
      const klass = characterClass(pattern.slice(i + 1, end));
      if (klass === undefined) return err(`glob ${JSON.stringify(raw)} has a "/" inside "[...]"`);
      source += klass;
      i = end;
    } else if (char === '{') {
      depth += 1;
      source += '(?:';
    } else if (char === '}' && depth > 0) {
      depth -= 1;
      source += ')';
    } else if (char === '}') {
      return err(`glob ${JSON.stringify(raw)} has a "}" without "{"`);
    } else if (char === ',' && depth > 0) {
      source += '|';
    } else {
      source += char.replace(/[.+^$()|[\]{}]/g, '\\$&');
    }
  }
  if (depth > 0) return err(`glob ${JSON.stringify(raw)} has an unclosed "{"`);
  try {
    return ok(new RegExp(`^${source}$`));
  } catch {
    // Only a character class can get here, e.g. the reversed range `[z-a]`.
    return err(`glob ${JSON.stringify(raw)} has an invalid "[...]" class`);
  }
}

/** `**` is a globstar only when it fills a whole segment (or a whole brace alternative). */
function isSegmentEnd(pattern: string, index: number, depth: number): boolean {
  const next = pattern.charAt(index);
  return next === '' || next === '/' || (depth > 0 && (next === ',' || next === '}'));
}

/** The inside of `[...]` as a RegExp class, or undefined when it would match `/`. */
function characterClass(inside: string): string | undefined {
  if (inside.includes('/')) return undefined;
  const negated = inside.startsWith('!') || inside.startsWith('^');
  const members = (negated ? inside.slice(1) : inside).replace(/[\\\]^[]/g, '\\$&');
  return negated ? `[^/${members}]` : `[${members}]`;
}

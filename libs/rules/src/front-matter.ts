import { err, ok, type Result } from '@agent-harness/core';
import { globProblem } from './glob.js';

/*
 * The front-matter of a rule file: a strict reader for the one key rules use, not a YAML parser.
 *
 *   ---                              ---                          ---
 *   paths:                           paths: ["src/**", 'lib/*']   paths: "**\/*.rs"
 *     - "src/**\/*.{ts,tsx}"         ---                          ---
 *     - lib/**
 *   ---
 *
 * Items may be double-quoted, single-quoted or plain. Blank lines and `#` comment lines are skipped.
 * Any other key is reported (and its indented lines skipped) without failing the file; a malformed
 * `paths` or an unclosed block fails it, since guessing a rule's scope would be worse than skipping it.
 */

/** A problem on one line of a rule file. @public */
export interface LineProblem {
  readonly line: number;
  readonly message: string;
}

/** @public */
export interface FrontMatter {
  readonly paths: string[];
  /** Non-fatal findings, e.g. keys this reader does not know. */
  readonly warnings: LineProblem[];
  /** The text after the closing `---`, and the 1-based line it starts on. */
  readonly body: string;
  readonly bodyLine: number;
}

const FENCE = /^---[ \t]*$/;
const KEY_LINE = /^([A-Za-z_][\w-]*)[ \t]*:(.*)$/;
const LIST_ITEM = /^[ \t]+-[ \t]*(.*)$/;

/** Splits `text` (LF line ends) into its front-matter and body. @public */
export function readFrontMatter(text: string): Result<FrontMatter, LineProblem> {
  const lines = text.split('\n');
  if (!FENCE.test(lines[0] ?? '')) return ok({ paths: [], warnings: [], body: text, bodyLine: 1 });
  const close = lines.findIndex((line, index) => index > 0 && FENCE.test(line));
  if (close === -1) return err({ line: 1, message: 'front-matter opened with "---" is never closed' });

  let paths: string[] | undefined;
  const warnings: LineProblem[] = [];
  let index = 1;
  while (index < close) {
    const line = lines[index] ?? '';
    const lineNo = index + 1;
    index += 1;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const key = KEY_LINE.exec(line);
    if (key === null) return err({ line: lineNo, message: `front-matter line is not "key: value": ${clip(line)}` });
    const [, name = '', rest = ''] = key;
    // The key's indented lines (its block list), up to the next key.
    const block: NumberedLine[] = [];
    for (; index < close && /^([ \t]|$)/.test(lines[index] ?? ''); index += 1) {
      const text = lines[index] ?? '';
      if (text.trim() !== '' && !text.trim().startsWith('#')) block.push({ line: index + 1, text });
    }
    if (name !== 'paths') {
      warnings.push({ line: lineNo, message: `front-matter key "${name}" is not used by Harness and was ignored` });
      continue;
    }
    if (paths !== undefined) return err({ line: lineNo, message: 'front-matter has "paths" twice' });
    const parsed = readPaths(rest.trim(), lineNo, block);
    if (!parsed.ok) return parsed;
    paths = parsed.value;
  }
  return ok({ paths: paths ?? [], warnings, body: lines.slice(close + 1).join('\n'), bodyLine: close + 2 });
}

interface NumberedLine {
  readonly line: number;
  readonly text: string;
}

function readPaths(inline: string, line: number, blockLines: readonly NumberedLine[]): Result<string[], LineProblem> {
  let values: Result<string[], string>;
  let at = line;
  if (inline === '' || inline.startsWith('#')) {
    const items: string[] = [];
    for (const block of blockLines) {
      const item = LIST_ITEM.exec(block.text);
      if (item === null)
        return err({ line: block.line, message: `expected a "- glob" list item: ${clip(block.text)}` });
      const value = scalar(item[1] ?? '');
      if (!value.ok) return err({ line: block.line, message: value.error });
      items.push(value.value);
    }
    values = ok(items);
  } else if (blockLines.length > 0) {
    at = blockLines[0]?.line ?? line;
    values = err('"paths" has both an inline value and indented lines');
  } else if (inline.startsWith('[')) {
    values = flowList(inline);
  } else {
    const value = scalar(inline);
    values = value.ok ? ok([value.value]) : value;
  }
  if (!values.ok) return err({ line: at, message: values.error });
  for (const glob of values.value) {
    const problem = globProblem(glob);
    if (problem !== undefined) return err({ line, message: `paths: ${problem}` });
  }
  return ok(values.value);
}

/** `[a, "b", 'c']`, where plain items may hold commas inside braces (`**\/*.{ts,tsx}`). */
function flowList(text: string): Result<string[], string> {
  const inner = text.replace(/\]\s+#[^\]]*$/, ']').trim();
  if (!inner.endsWith(']')) return err(`"paths: [" is not closed on its line: ${clip(text)}`);
  const body = inner.slice(1, -1);
  const items: string[] = [];
  let i = 0;
  while (i < body.length) {
    while (i < body.length && /\s/.test(body.charAt(i))) i += 1;
    if (i >= body.length) break;
    let end = i;
    let depth = 0;
    const quote = body.charAt(i);
    if (quote === '"' || quote === "'") {
      end = closingQuote(body, i);
    } else {
      while (end < body.length && !(body.charAt(end) === ',' && depth === 0)) {
        if (body.charAt(end) === '{') depth += 1;
        if (body.charAt(end) === '}') depth -= 1;
        end += 1;
      }
    }
    const value = scalar(body.slice(i, end));
    if (!value.ok) return value;
    items.push(value.value);
    i = end;
    while (i < body.length && /\s/.test(body.charAt(i))) i += 1;
    if (i < body.length && body.charAt(i) !== ',')
      return err(`unexpected text after an item in "paths": ${clip(text)}`);
    i += 1;
  }
  return ok(items);
}

/** The index just past the quoted item starting at `start` (its end, when it is never closed). */
function closingQuote(text: string, start: number): number {
  const quote = text.charAt(start);
  let end = start + 1;
  while (end < text.length) {
    const char = text.charAt(end);
    const escaped = quote === '"' ? char === '\\' : char === "'" && text.charAt(end + 1) === "'";
    if (escaped) end += 2;
    else if (char === quote) return end + 1;
    else end += 1;
  }
  return end;
}

/** One item: `"double"` (with `\"` and `\\`), `'single'` (with `''`), or plain text. */
function scalar(raw: string): Result<string, string> {
  const text = raw.trim();
  let value: string;
  if (text.startsWith('"')) {
    const match = /^"((?:[^"\\]|\\["\\])*)"\s*(#.*)?$/.exec(text);
    if (match === null) return err(`badly quoted item: ${clip(text)}`);
    value = (match[1] ?? '').replace(/\\(["\\])/g, '$1');
  } else if (text.startsWith("'")) {
    const match = /^'((?:[^']|'')*)'\s*(#.*)?$/.exec(text);
    if (match === null) return err(`badly quoted item: ${clip(text)}`);
    value = (match[1] ?? '').replace(/''/g, "'");
  } else {
    value = text.replace(/\s+#.*$/, '').trim();
  }
  if (value === '') return err('empty item in "paths"');
  return ok(value);
}

function clip(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

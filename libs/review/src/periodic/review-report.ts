import { createHash } from 'node:crypto';
import { confinedRelativePath } from '@agent-harness/core';

/** How bad a finding is, worst first. @public */
export const FINDING_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** @public */
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** One problem a periodic whole-repo review found. @public */
export interface ReviewFinding {
  /** The agent's id when it gave a usable one, else `findingId(project, file, title)`. */
  readonly id: string;
  readonly severity: FindingSeverity;
  readonly title: string;
  /** Relative to the project root. */
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly description: string;
  readonly suggestion?: string | undefined;
}

/** A review as read from an agent's answer. @public */
export interface ReviewReport {
  readonly summary: string;
  readonly findings: readonly ReviewFinding[];
}

/** What the parser kept and what it left out. @public */
export interface ParsedReviewReport extends ReviewReport {
  /** Findings past `REVIEW_LIMITS.findings`, left out. */
  readonly dropped: number;
  /** Findings that repeated an earlier one (same id, or same file and title), left out. */
  readonly duplicates: number;
}

/** Where the review's JSON starts and ends in the answer. @public */
export const REVIEW_JSON_START = 'REVIEW_JSON_START';
/** @public */
export const REVIEW_JSON_END = 'REVIEW_JSON_END';

/**
 * The most a parsed review keeps: longer texts are cut (ending in `…`), findings past the count are
 * left out, a JSON block past `jsonChars` is refused whole.
 * @public
 */
export const REVIEW_LIMITS = {
  findings: 100,
  summary: 4000,
  title: 200,
  description: 4000,
  suggestion: 4000,
  jsonChars: 512 * 1024,
} as const;

/** An id an agent may give a finding: short, plain, no spaces (anything else gets the hash id). */
const GIVEN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * The stable id of a finding: the same project, file and title (case and spacing aside) give the
 * same id in every review, so an issue that stays is recognisable.
 * @public
 */
export function findingId(project: string, file: string | undefined, title: string): string {
  const key = [project, file ?? '', title.trim().replace(/\s+/g, ' ').toLowerCase()].join('\0');
  return `F-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16)}`;
}

/** `text` cut to `max` UTF-16 units (never half a surrogate pair), ending in `…` when cut. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** Marker pairs tried at most: a hostile answer full of markers costs no more than this. */
const MAX_BLOCK_CANDIDATES = 20;

function unfenced(body: string): string {
  const fenced = /^```[a-z]*\s*\n([\s\S]*?)\n?```$/i.exec(body);
  return fenced?.[1] ?? body;
}

/**
 * The texts between a `REVIEW_JSON_START` and a later `REVIEW_JSON_END`, fences stripped: the last
 * end first, and for it the nearest start first, so a marker quoted inside the JSON's strings does
 * not hide the block around it.
 */
function jsonBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (
    let end = text.lastIndexOf(REVIEW_JSON_END);
    end !== -1;
    end = end === 0 ? -1 : text.lastIndexOf(REVIEW_JSON_END, end - 1)
  ) {
    for (
      let start = text.lastIndexOf(REVIEW_JSON_START, end - REVIEW_JSON_START.length);
      start !== -1;
      start = start === 0 ? -1 : text.lastIndexOf(REVIEW_JSON_START, start - 1)
    ) {
      blocks.push(unfenced(text.slice(start + REVIEW_JSON_START.length, end).trim()));
      if (blocks.length >= MAX_BLOCK_CANDIDATES) return blocks;
    }
  }
  return blocks;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Options of `parseReviewReport`. @public */
export interface ParseReviewOptions {
  /** The project the review is of: part of every generated finding id. */
  readonly project: string;
  /** The project's root: an absolute `file` under it is read as relative to it. */
  readonly projectRoot?: string | undefined;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function optionalText(raw: Record<string, unknown>, field: string, where: string): Parsed<string | undefined> {
  const value = raw[field];
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'string') return { ok: false, error: `${where}.${field} must be a string` };
  const trimmed = value.trim();
  return { ok: true, value: trimmed === '' ? undefined : trimmed };
}

function requiredText(raw: Record<string, unknown>, field: string, where: string): Parsed<string> {
  const value = optionalText(raw, field, where);
  if (!value.ok) return value;
  if (value.value === undefined) return { ok: false, error: `${where}.${field} is missing or empty` };
  return { ok: true, value: value.value };
}

function relativeFile(file: string, where: string, projectRoot: string | undefined): Parsed<string> {
  const root = projectRoot?.replace(/\/+$/, '');
  const local = root !== undefined && root !== '' && file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
  const confined = confinedRelativePath(local);
  if (!confined.ok) return { ok: false, error: `${where}.file ${JSON.stringify(bounded(file, 80))} ${confined.error}` };
  return { ok: true, value: confined.value };
}

/** One finding read strictly: every problem is an error naming the field, nothing is guessed. */
function readFinding(raw: unknown, where: string, options: ParseReviewOptions): Parsed<ReviewFinding> {
  if (!isRecord(raw)) return { ok: false, error: `${where} must be an object` };
  const severity = raw['severity'];
  const level = typeof severity === 'string' ? severity.trim().toLowerCase() : undefined;
  if (level === undefined || !(FINDING_SEVERITIES as readonly string[]).includes(level))
    return {
      ok: false,
      error: `${where}.severity must be one of ${FINDING_SEVERITIES.join(', ')}, not ${severity === undefined ? 'nothing' : bounded(JSON.stringify(severity), 40)}`,
    };
  const title = requiredText(raw, 'title', where);
  if (!title.ok) return title;
  const description = requiredText(raw, 'description', where);
  if (!description.ok) return description;
  const suggestion = optionalText(raw, 'suggestion', where);
  if (!suggestion.ok) return suggestion;
  const givenFile = optionalText(raw, 'file', where);
  if (!givenFile.ok) return givenFile;
  let file: string | undefined;
  if (givenFile.value !== undefined) {
    const relative = relativeFile(givenFile.value, where, options.projectRoot);
    if (!relative.ok) return relative;
    file = relative.value;
  }
  const line = raw['line'];
  if (line !== undefined && line !== null && !(typeof line === 'number' && Number.isSafeInteger(line) && line > 0))
    return { ok: false, error: `${where}.line must be a whole number ≥ 1` };
  const givenId = raw['id'];
  if (givenId !== undefined && givenId !== null && typeof givenId !== 'string')
    return { ok: false, error: `${where}.id must be a string` };
  const cutTitle = bounded(title.value, REVIEW_LIMITS.title);
  return {
    ok: true,
    value: {
      id: typeof givenId === 'string' && GIVEN_ID.test(givenId) ? givenId : findingId(options.project, file, cutTitle),
      severity: level as FindingSeverity,
      title: cutTitle,
      file,
      line: typeof line === 'number' ? line : undefined,
      description: bounded(description.value, REVIEW_LIMITS.description),
      suggestion: suggestion.value === undefined ? undefined : bounded(suggestion.value, REVIEW_LIMITS.suggestion),
    },
  };
}

/**
 * Reads the review at the end of an agent's answer: the JSON between the last
 * `REVIEW_JSON_START` and `REVIEW_JSON_END`. Hostile output is assumed: a missing block, broken
 * JSON, a finding with a severity outside critical|high|medium|low or a bad field fails the whole
 * review (a failed review is never "no findings"); texts are cut to `REVIEW_LIMITS`, findings past
 * the count are left out, and repeated findings are kept once (a repeated agent id gets the hash id
 * instead; a repeated hash id is the same issue twice).
 * @public
 */
export function parseReviewReport(text: string, options: ParseReviewOptions): Parsed<ParsedReviewReport> {
  const blocks = jsonBlocks(text);
  if (blocks.length === 0)
    return {
      ok: false,
      error: `no review found: the answer has no ${REVIEW_JSON_START} … ${REVIEW_JSON_END} block`,
    };
  let parsed: unknown;
  let firstError: string | undefined;
  for (const json of blocks) {
    if (json.length > REVIEW_LIMITS.jsonChars) {
      firstError ??= `the review JSON is longer than ${String(REVIEW_LIMITS.jsonChars)} characters`;
      continue;
    }
    try {
      parsed = JSON.parse(json);
      firstError = undefined;
      break;
    } catch (error) {
      firstError ??= `the review is not valid JSON (${error instanceof Error ? error.message : 'parse error'})`;
    }
  }
  if (firstError !== undefined) return { ok: false, error: firstError };
  if (!isRecord(parsed)) return { ok: false, error: 'the review must be a JSON object {summary, findings}' };
  const summary = parsed['summary'];
  if (typeof summary !== 'string') return { ok: false, error: 'the review has no summary (a string)' };
  const rawFindings = parsed['findings'] ?? [];
  if (!Array.isArray(rawFindings)) return { ok: false, error: 'the review findings must be an array' };
  const findings: ReviewFinding[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const kept = rawFindings.slice(0, REVIEW_LIMITS.findings);
  for (const [index, raw] of kept.entries()) {
    const finding = readFinding(raw, `findings[${String(index)}]`, options);
    if (!finding.ok) return finding;
    let { id } = finding.value;
    if (seen.has(id)) id = findingId(options.project, finding.value.file, finding.value.title);
    if (seen.has(id)) {
      duplicates += 1;
      continue;
    }
    seen.add(id);
    findings.push({ ...finding.value, id });
  }
  return {
    ok: true,
    value: {
      summary: bounded(summary.trim(), REVIEW_LIMITS.summary),
      findings,
      dropped: rawFindings.length - kept.length,
      duplicates,
    },
  };
}

/** Critical first, then high, medium, low; the agent's order within a severity. @public */
export function bySeverity(findings: readonly ReviewFinding[]): ReviewFinding[] {
  const rank = (f: ReviewFinding): number => FINDING_SEVERITIES.indexOf(f.severity);
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => rank(a.finding) - rank(b.finding) || a.index - b.index)
    .map(({ finding }) => finding);
}

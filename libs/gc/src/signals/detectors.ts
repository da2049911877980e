import { MAX_FILTER_HOOKS } from '@agent-harness/observe';
import type { Signal, SignalEvidence } from '../gc.types.js';
import { GC_HOOKS, addTo, type DetectionContext } from './detection-context.js';
import { MAX_EXAMPLES, examples, makeSignal } from './signal.js';

/**
 * One detector per signal type except `warn_escalation` (see warn-escalation.ts). Each counts in
 * the store (`countBy`), reads only small bounded pages for examples, and skips events without a
 * project. Counts come from at most `MAX_GROUPS` groups per statement, most frequent first: groups
 * past that are the rarest, far below any threshold.
 */

/** Warnings with signals of their own: `rule_scan`/`rule_check` (linter_violations), `slow_operation` (slow_sessions). */
const NOT_REPEATED_WARNINGS: ReadonlySet<string> = new Set([...GC_HOOKS, 'rule_scan', 'rule_check', 'slow_operation']);
/** Blocks with a signal of their own: a critical or high `rule_check` is a linter violation. */
const NOT_CHRONIC_BLOCKS: ReadonlySet<string> = new Set([...GC_HOOKS, 'rule_check']);
/** Whole tasks carry the task's duration: slow tasks are not slow operations. */
const NOT_OPERATIONS: ReadonlySet<string> = new Set([...GC_HOOKS, 'task_implemented', 'task_failed']);
/** Rows read for the files of a linter signal and for the longest slow operation. */
const SAMPLE_ROWS = 200;
/** Files listed by a linter signal. */
const MAX_FILES = 20;

function evidence(
  count: number,
  extra: { files?: readonly string[]; examples?: readonly string[] | undefined; metrics?: Record<string, number> },
): SignalEvidence {
  return {
    count,
    ...(extra.files === undefined || extra.files.length === 0 ? {} : { files: extra.files }),
    ...(extra.examples === undefined ? {} : { examples: extra.examples }),
    ...(extra.metrics === undefined ? {} : { metrics: extra.metrics }),
  };
}

const times = (count: number, what: string): string => `${String(count)}× ${what}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `repeated_warn`: the same warning (its reason, else its hook) at least `repeatedWarnMin` times. */
export async function detectRepeatedWarnings(ctx: DetectionContext): Promise<Signal[]> {
  const { store, window, thresholds } = ctx;
  const warnings = { ...window, decision: 'warn' as const };
  const hooks = (await store.countBy(warnings, ['hook']))
    .map((group) => group.hook)
    .filter((hook): hook is string => hook !== null && !NOT_REPEATED_WARNINGS.has(hook));
  // Per project, per key: the count and where it came from (hook → count).
  const folded = new Map<string, Map<string, { count: number; hooks: Map<string, number> }>>();
  for (const chunk of chunks(hooks, MAX_FILTER_HOOKS)) {
    for (const group of await store.countBy({ ...warnings, hooks: chunk }, ['project', 'hook', 'reason'])) {
      if (group.project === null || group.hook === null) continue;
      const key = group.reason ?? group.hook;
      const keys = folded.get(group.project) ?? new Map<string, { count: number; hooks: Map<string, number> }>();
      folded.set(group.project, keys);
      const entry = keys.get(key) ?? { count: 0, hooks: new Map<string, number>() };
      keys.set(key, entry);
      entry.count += group.count;
      addTo(entry.hooks, group.hook, group.count);
    }
  }
  const signals: Signal[] = [];
  for (const [project, keys] of folded)
    for (const [key, entry] of keys) {
      if (entry.count < thresholds.repeatedWarnMin) continue;
      const from = [...entry.hooks].sort((a, b) => b[1] - a[1]).map(([hook, n]) => times(n, `hook ${hook}`));
      signals.push(
        makeSignal('repeated_warn', project, key, evidence(entry.count, { examples: examples(from) }), ctx.detectedAt),
      );
    }
  return signals;
}

/** `chronic_block`: one hook blocking at least `chronicBlockMin` times; examples: its top reasons and tools. */
export async function detectChronicBlocks(ctx: DetectionContext): Promise<Signal[]> {
  const { store, window, thresholds } = ctx;
  const blocks = { ...window, decision: 'block' as const };
  const signals: Signal[] = [];
  for (const group of await store.countBy(blocks, ['project', 'hook'])) {
    const { project, hook, count } = group;
    if (project === null || hook === null || NOT_CHRONIC_BLOCKS.has(hook) || count < thresholds.chronicBlockMin)
      continue;
    const top = await store.countBy({ ...blocks, project, hook }, ['reason', 'tool'], MAX_EXAMPLES);
    const texts = top.map((g) =>
      times(g.count, [g.reason ?? '(no reason)', ...(g.tool === null ? [] : [`tool ${g.tool}`])].join(' · ')),
    );
    signals.push(
      makeSignal('chronic_block', project, hook, evidence(count, { examples: examples(texts) }), ctx.detectedAt),
    );
  }
  return signals;
}

/** `hot_files`: one file (`file_edit` detail) edited at least `hotFileEditsMin` times; one signal per file. */
export async function detectHotFiles(ctx: DetectionContext): Promise<Signal[]> {
  const { store, window, thresholds } = ctx;
  const signals: Signal[] = [];
  for (const { project, detail, count } of await store.countBy({ ...window, hook: 'file_edit' }, [
    'project',
    'detail',
  ])) {
    if (project === null || detail === null || count < thresholds.hotFileEditsMin) continue;
    signals.push(makeSignal('hot_files', project, detail, evidence(count, { files: [detail] }), ctx.detectedAt));
  }
  return signals;
}

/**
 * `slow_sessions`: at least `slowOpCountMin` operations slower than `slowOpThresholdMs` in a
 * project (one signal, key `slow`); examples: the slowest kinds (hook and tool); `maxDurationMs`:
 * the longest of the newest `SAMPLE_ROWS` slow operations.
 */
export async function detectSlowSessions(ctx: DetectionContext): Promise<Signal[]> {
  const { store, window, thresholds } = ctx;
  const slow = { ...window, minDurationMs: thresholds.slowOpThresholdMs + 1 };
  const perProject = new Map<string, number>();
  for (const { project, hook, count } of await store.countBy(slow, ['project', 'hook']))
    if (project !== null && hook !== null && !NOT_OPERATIONS.has(hook)) addTo(perProject, project, count);
  const signals: Signal[] = [];
  for (const [project, count] of perProject) {
    if (count < thresholds.slowOpCountMin) continue;
    const kinds = (await store.countBy({ ...slow, project }, ['hook', 'tool'], MAX_EXAMPLES + NOT_OPERATIONS.size))
      .filter((g) => g.hook !== null && !NOT_OPERATIONS.has(g.hook))
      .map((g) => times(g.count, `${g.hook ?? ''}${g.tool === null ? '' : `: ${g.tool}`}`));
    const sample = await store.query({ ...slow, project, limit: SAMPLE_ROWS });
    const maxDurationMs = sample.reduce(
      (max, e) => (NOT_OPERATIONS.has(e.hook) ? max : Math.max(max, e.durationMs ?? 0)),
      0,
    );
    signals.push(
      makeSignal(
        'slow_sessions',
        project,
        'slow',
        evidence(count, {
          examples: examples(kinds),
          metrics: { maxDurationMs, thresholdMs: thresholds.slowOpThresholdMs },
        }),
        ctx.detectedAt,
      ),
    );
  }
  return signals;
}

/** The file of a `rule_check` detail (`file:line`, or just `file`). */
function fileOf(detail: string): string {
  return detail.replace(/:\d+$/, '');
}

/**
 * `linter_violations`: one rule (`rule_check` tool) violated at least `violationMin` times; files:
 * the distinct files of the newest `SAMPLE_ROWS` violations (at most 20); examples: its top messages.
 */
export async function detectLinterViolations(ctx: DetectionContext): Promise<Signal[]> {
  const { store, window, thresholds } = ctx;
  const checks = { ...window, hook: 'rule_check' };
  const signals: Signal[] = [];
  for (const { project, tool, count } of await store.countBy(checks, ['project', 'tool'])) {
    if (project === null || tool === null || count < thresholds.violationMin) continue;
    const rule = { ...checks, project, tool };
    const files = new Set<string>();
    for (const event of await store.query({ ...rule, limit: SAMPLE_ROWS })) {
      if (event.detail !== undefined && event.detail !== '') files.add(fileOf(event.detail));
      if (files.size >= MAX_FILES) break;
    }
    const messages = (await store.countBy(rule, ['reason'], MAX_EXAMPLES))
      .filter((g) => g.reason !== null)
      .map((g) => times(g.count, g.reason ?? ''));
    signals.push(
      makeSignal(
        'linter_violations',
        project,
        tool,
        evidence(count, { files: [...files].sort(), examples: examples(messages) }),
        ctx.detectedAt,
      ),
    );
  }
  return signals;
}

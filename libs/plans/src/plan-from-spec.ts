import { checkPlan } from './check-plan.js';
import { PLAN_LIMITS, type ExecPlan, type Milestone, type PlanStep } from './exec-plan.types.js';
import { isPlanId } from './plan-id.js';
import { invalid, oneLine, requireString } from './plan-text.js';

/** @public */
export interface PlanFromSpecOptions {
  /** A fresh plan id (`newPlanId()`). */
  readonly id: string;
  /** The project's name. */
  readonly project: string;
  readonly now: Date;
}

/** The sections of a spec a plan is filled from. */
type SectionKind = 'milestones' | 'steps' | 'validation' | 'tests' | 'checks';

/** Headings (lower case, without numbering, trailing colon or a parenthesised aside) naming a section. */
const SECTION_HEADINGS: Readonly<Record<string, SectionKind>> = {
  milestones: 'milestones',
  progress: 'milestones',
  deliverables: 'milestones',
  phases: 'milestones',
  steps: 'steps',
  'concrete steps': 'steps',
  'implementation steps': 'steps',
  'implementation plan': 'steps',
  'plan of work': 'steps',
  tasks: 'steps',
  todo: 'steps',
  'to do': 'steps',
  validation: 'validation',
  'validation and acceptance': 'validation',
  'acceptance criteria': 'validation',
  acceptance: 'validation',
  verification: 'validation',
  'definition of done': 'validation',
  tests: 'tests',
  testing: 'tests',
  'test plan': 'tests',
  checks: 'checks',
};

const HEADING = /^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const LIST_ITEM = /^( *)(?:[-*+]|\d{1,9}[.)])\s+(.*)$/;
const CHECKBOX = /^\[([ xX])\]\s+(.*)$/;
const FENCE = /^ {0,3}(```|~~~)/;
/** A backticked token that names a file: a path with a slash, or a name with an extension. */
const CODE_SPAN = /`([^`\s]+)`/g;
const PATH_LIKE = /^[\w@.~/-]+$/;
const HAS_EXTENSION = /\.[A-Za-z][A-Za-z0-9]{0,7}$/;

function sectionOf(heading: string): SectionKind | undefined {
  const normalized = heading
    .toLowerCase()
    .replace(/[*_`]/g, '')
    .replace(/^\d+[.)]?\s*/, '')
    .replace(/\s*\(.*\)\s*$/, '')
    .replace(/[:.]\s*$/, '')
    .trim();
  return SECTION_HEADINGS[normalized];
}

function looksLikeFile(token: string): boolean {
  return PATH_LIKE.test(token) && !token.startsWith('-') && (token.includes('/') || HAS_EXTENSION.test(token));
}

/** The files a step names in backticks, in order, each once. */
function filesIn(text: string): string[] {
  const files: string[] = [];
  for (const match of text.matchAll(CODE_SPAN)) {
    const token = match[1];
    if (token !== undefined && looksLikeFile(token) && !files.includes(token)) files.push(token);
  }
  return files;
}

interface SpecItem {
  readonly line: number;
  text: string;
  readonly checked: boolean;
  readonly indent: number;
  readonly files: string[];
}

interface Section {
  readonly kind: SectionKind | undefined;
  readonly level: number;
  readonly items: SpecItem[];
}

/** How a validation item is filed: an explicit `Test:`/`Check:`, else by whether it speaks of tests. */
function validationKind(text: string): { kind: 'tests' | 'checks'; text: string } {
  const prefixed = /^(test|check)s?:\s*(.*)$/i.exec(text);
  if (prefixed?.[1] !== undefined && prefixed[2] !== undefined && prefixed[2] !== '')
    return { kind: prefixed[1].toLowerCase() === 'test' ? 'tests' : 'checks', text: prefixed[2] };
  return { kind: /\btest(s|ing)?\b/i.test(text) ? 'tests' : 'checks', text };
}

/**
 * A plan from a spec written in Markdown. The purpose is the first heading (that does not name a
 * section), else "Untitled Plan". Milestones are the list items under a heading such as
 * "Milestones" or "Progress" (`- [x] …` comes in completed); concrete steps those under "Steps"
 * (files from their nested `` `path` `` items and backticked paths); tests and checks those under
 * "Validation", "Acceptance criteria", "Tests" or "Checks". Without a milestones section, top-level
 * checkbox items elsewhere are the milestones. Code blocks are skipped. The plan is a draft.
 * INVALID_ARGUMENT for a spec or an item over the bounds of `PLAN_LIMITS`, naming the line.
 * @public
 */
export function planFromSpec(markdown: string, options: PlanFromSpecOptions): ExecPlan {
  const spec = requireString('spec', markdown);
  if (spec.length > PLAN_LIMITS.specChars)
    invalid('spec', `at most ${String(PLAN_LIMITS.specChars)} characters, not ${String(spec.length)}`);
  if (!isPlanId(options.id)) invalid('id', '12 lowercase hex characters');
  const project = oneLine('project', options.project, PLAN_LIMITS.projectChars);

  let purpose: { text: string; line: number } | undefined;
  const sections: Section[] = [];
  const loose: SpecItem[] = [];
  let section: Section | undefined;
  let current: SpecItem | undefined;
  let baseIndent: number | undefined;
  let fence: string | undefined;

  const lines = spec.replace(/\r\n?/g, '\n').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\t/g, '    ');
    const fenceMark = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (fenceMark === fence) fence = undefined;
      continue;
    }
    if (fenceMark !== undefined) {
      fence = fenceMark;
      current = undefined;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading?.[1] !== undefined && heading[2] !== undefined) {
      current = undefined;
      baseIndent = undefined;
      const level = heading[1].length;
      const kind = sectionOf(heading[2]);
      if (kind !== undefined) {
        section = { kind, level, items: [] };
        sections.push(section);
      } else {
        if (purpose === undefined && heading[2] !== '') purpose = { text: heading[2], line: i + 1 };
        // A deeper heading inside a section (a milestone group) keeps the section going.
        if (section !== undefined && level <= section.level) section = undefined;
      }
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item?.[1] !== undefined && item[2] !== undefined) {
      const indent = item[1].length;
      const box = CHECKBOX.exec(item[2]);
      const text = (box?.[2] ?? item[2]).trim();
      baseIndent ??= indent;
      if (indent > baseIndent + 1 && current !== undefined) {
        // A nested item: a file of the step above it, else a detail that is not an item of its own.
        const file = /^`([^`]+)`$/.exec(text)?.[1];
        if (file !== undefined && looksLikeFile(file) && !current.files.includes(file)) current.files.push(file);
        continue;
      }
      current = { line: i + 1, text, checked: box?.[1] !== undefined && box[1] !== ' ', indent, files: [] };
      if (section !== undefined) section.items.push(current);
      else if (box !== null && indent <= 1) loose.push(current);
      else current = undefined;
      continue;
    }
    if (line.trim() === '') {
      current = undefined;
    } else if (current !== undefined && /^ {2,}\S/.test(line)) {
      // A continuation line of the item above.
      current.text = `${current.text} ${line.trim()}`;
    } else {
      current = undefined;
    }
  }

  const itemsOf = (kind: SectionKind): SpecItem[] =>
    sections.filter((s) => s.kind === kind).flatMap((s) => s.items.filter((it) => it.text !== ''));
  const lineText = (item: SpecItem, what: string): string =>
    oneLine(`spec (line ${String(item.line)}, ${what})`, item.text.replace(/\s+/g, ' '));
  const bounded = <T>(items: readonly T[], max: number, what: string): readonly T[] => {
    if (items.length > max) invalid('spec', `more than ${String(max)} ${what} (the most a plan holds)`);
    return items;
  };

  const now = options.now.toISOString();
  const hasMilestoneSection = sections.some((s) => s.kind === 'milestones');
  const milestoneItems = hasMilestoneSection ? itemsOf('milestones') : loose.filter((it) => it.text !== '');
  const progress: Milestone[] = bounded(milestoneItems, PLAN_LIMITS.milestones, 'milestones').map((item) => ({
    description: lineText(item, 'a milestone'),
    completed: item.checked,
    ...(item.checked ? { completedAt: now } : {}),
  }));
  const concreteSteps: PlanStep[] = bounded(itemsOf('steps'), PLAN_LIMITS.steps, 'steps').map((item) => {
    const files = [...item.files, ...filesIn(item.text).filter((f) => !item.files.includes(f))];
    return {
      description: lineText(item, 'a step'),
      files: bounded(files, PLAN_LIMITS.filesPerStep, `files in the step of line ${String(item.line)}`).map((file) =>
        oneLine(`spec (line ${String(item.line)}, a file)`, file, PLAN_LIMITS.filePathChars),
      ),
      completed: item.checked,
    };
  });
  const tests: string[] = itemsOf('tests').map((item) => lineText(item, 'a test'));
  const checks: string[] = itemsOf('checks').map((item) => lineText(item, 'a check'));
  for (const item of itemsOf('validation')) {
    const { kind, text } = validationKind(lineText(item, 'a validation item'));
    (kind === 'tests' ? tests : checks).push(text);
  }

  return checkPlan({
    id: options.id,
    purpose:
      purpose === undefined
        ? 'Untitled Plan'
        : oneLine(`spec (line ${String(purpose.line)}, the purpose)`, purpose.text, PLAN_LIMITS.purposeChars),
    project,
    status: 'draft',
    progress,
    concreteSteps,
    decisionLog: [],
    surprises: [],
    validation: {
      tests: bounded(tests, PLAN_LIMITS.tests, 'tests'),
      checks: bounded(checks, PLAN_LIMITS.checks, 'checks'),
    },
    taskLinks: [],
    createdAt: now,
    updatedAt: now,
    version: 0,
  });
}

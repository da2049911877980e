import { checkPlan, planStatus } from './check-plan.js';
import { PLAN_LIMITS, type ExecPlan, type PlanStatus } from './exec-plan.types.js';
import { invalid, requireString } from './plan-text.js';

const NONE = '_None._';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** A note (rationale, evidence) as a block quote: every line kept, even one that looks like a heading. */
const quoted = (text: string): string[] => text.split('\n').map((line) => (line === '' ? '>' : `> ${line}`));

/**
 * The plan as a Markdown document (the `exec-plan-<id>.md` file): a header with id, status,
 * project, times and version, then Progress, Concrete Steps, Decision Log, Surprises, Validation
 * and Linked Tasks. `planFromMarkdown` reads it back to the same plan.
 * @public
 */
export function planToMarkdown(plan: ExecPlan): string {
  const out: string[] = [
    `# ExecPlan: ${plan.purpose}`,
    '',
    `- **ID**: ${plan.id}`,
    `- **Status**: ${plan.status}`,
    `- **Project**: ${plan.project}`,
    `- **Created**: ${plan.createdAt}`,
    `- **Updated**: ${plan.updatedAt}`,
    `- **Version**: ${String(plan.version)}`,
  ];
  const section = (title: string, body: string[]): void => {
    out.push('', `## ${title}`, '', ...(body.length === 0 ? [NONE] : body));
  };
  section(
    'Progress',
    plan.progress.map((m) =>
      m.completed
        ? `- [x] ${m.description}${m.completedAt === undefined ? '' : ` <!-- completed ${m.completedAt} -->`}`
        : `- [ ] ${m.description}`,
    ),
  );
  section(
    'Concrete Steps',
    plan.concreteSteps.flatMap((s, i) => [
      `${String(i + 1)}. [${s.completed ? 'x' : ' '}] ${s.description}`,
      ...s.files.map((f) => `   - \`${f}\``),
    ]),
  );
  section(
    'Decision Log',
    plan.decisionLog.flatMap((d, i) => [
      ...(i === 0 ? [] : ['']),
      `### ${d.decision} (${d.timestamp})`,
      '',
      ...quoted(d.rationale),
    ]),
  );
  section(
    'Surprises',
    plan.surprises.flatMap((s, i) => [
      ...(i === 0 ? [] : ['']),
      `### ${s.description} (${s.timestamp})`,
      '',
      ...quoted(s.evidence),
    ]),
  );
  section('Validation', [
    ...plan.validation.tests.map((t) => `- [ ] Test: ${t}`),
    ...plan.validation.checks.map((c) => `- [ ] Check: ${c}`),
  ]);
  section(
    'Linked Tasks',
    plan.taskLinks.map(
      (l) =>
        `- \`${l.taskId}\` → milestone ${String(l.milestone)}, linked ${l.linkedAt}` +
        (l.outcome === undefined ? '' : `, ${l.outcome} ${l.endedAt ?? ''}`),
    ),
  );
  return `${out.join('\n')}\n`;
}

type SectionName = 'progress' | 'steps' | 'decisions' | 'surprises' | 'validation' | 'links' | 'other';

const SECTIONS: Readonly<Record<string, SectionName>> = {
  progress: 'progress',
  milestones: 'progress',
  'concrete steps': 'steps',
  steps: 'steps',
  'decision log': 'decisions',
  decisions: 'decisions',
  surprises: 'surprises',
  validation: 'validation',
  'linked tasks': 'links',
};

const HEADER = /^[-*] \*\*([A-Za-z ]+)\*\*:\s*(.*)$/;
const MILESTONE = /^[-*] (?:\[([ xX])\] )?(.*)$/;
const COMPLETED_AT = /^(.*) <!-- completed (\S+) -->$/;
const STEP = /^(?:\d{1,9}[.)]|[-*]) (?:\[([ xX])\] )?(.*)$/;
const STEP_FILE = /^ {2,}[-*] `(.*)`$/;
const ENTRY_HEADING = /^### (.*)$/;
const TIMED = /^(.*) \(([^()\s]+)\)$/;
const VALIDATION = /^[-*] (?:\[[ xX]\] )?(test|check): (.*)$/i;
const LINK = /^[-*] `([^`]+)` (?:→|->) milestone (\d{1,9}), linked (\S+?)(?:, (\w+) (\S+))?$/;

interface Entry {
  readonly title: string;
  readonly timestamp: string | undefined;
  readonly lines: string[];
}

/**
 * Reads a plan file written by `planToMarkdown`, or edited by hand: milestones as `- [ ] …`,
 * steps as `1. [ ] …` with `` - `file` `` lines, decisions and surprises as `### text (time)` with
 * a quoted or plain note, `- Test: …`/`- Check: …`. Status comes back as written. The header's ID
 * is required; a line in a list section that is not understood is an error naming it (an edit is
 * never dropped quietly). INVALID_ARGUMENT for anything malformed or over the bounds of `PLAN_LIMITS`.
 * @public
 */
export function planFromMarkdown(text: string): ExecPlan {
  const markdown = requireString('plan file', text);
  if (markdown.length > PLAN_LIMITS.markdownChars)
    invalid('plan file', `at most ${String(PLAN_LIMITS.markdownChars)} characters, not ${String(markdown.length)}`);
  const header = new Map<string, string>();
  let purpose: string | undefined;
  let section: SectionName | undefined;
  const progress: { description: string; completed: boolean; completedAt?: string }[] = [];
  const steps: { description: string; files: string[]; completed: boolean }[] = [];
  const decisions: Entry[] = [];
  const surprises: Entry[] = [];
  const tests: string[] = [];
  const checks: string[] = [];
  const links: Record<string, unknown>[] = [];
  let entry: Entry | undefined;

  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    const where = `plan file (line ${String(i + 1)})`;
    if (line.startsWith('## ')) {
      section = SECTIONS[line.slice(3).trim().toLowerCase()] ?? 'other';
      entry = undefined;
      continue;
    }
    if (section === undefined) {
      if (purpose === undefined && line.startsWith('# '))
        purpose = line
          .slice(2)
          .replace(/^ExecPlan:\s*/, '')
          .trim();
      const field = HEADER.exec(line);
      if (field?.[1] !== undefined && field[2] !== undefined)
        header.set(field[1].trim().toLowerCase(), field[2].trim());
      continue;
    }
    if (section === 'other') continue;
    if (section === 'decisions' || section === 'surprises') {
      const heading = ENTRY_HEADING.exec(line)?.[1];
      if (heading !== undefined) {
        const timed = TIMED.exec(heading);
        const isTimed = timed?.[2] !== undefined && ISO_INSTANT.test(timed[2]);
        entry = { title: isTimed ? (timed[1] ?? '') : heading, timestamp: isTimed ? timed[2] : undefined, lines: [] };
        (section === 'decisions' ? decisions : surprises).push(entry);
      } else if (entry !== undefined) {
        entry.lines.push(line.startsWith('>') ? line.replace(/^> ?/, '') : line);
      } else if (line !== '' && line !== NONE) {
        invalid(where, `a ${section === 'decisions' ? 'decision' : 'surprise'} starts with "### <text> (<time>)"`);
      }
      continue;
    }
    if (line === '' || line === NONE) continue;
    switch (section) {
      case 'progress': {
        const m = MILESTONE.exec(line);
        if (m?.[2] === undefined) invalid(where, 'a milestone is "- [ ] <text>" or "- [x] <text>"');
        const completed = m[1] !== undefined && m[1] !== ' ';
        const at = completed ? COMPLETED_AT.exec(m[2]) : null;
        progress.push(
          at?.[1] !== undefined && at[2] !== undefined
            ? { description: at[1], completed, completedAt: at[2] }
            : { description: m[2], completed },
        );
        break;
      }
      case 'steps': {
        const file = STEP_FILE.exec(line)?.[1];
        const last = steps.at(-1);
        if (file !== undefined && last !== undefined) {
          last.files.push(file);
          break;
        }
        const s = STEP.exec(line);
        if (s?.[2] === undefined) invalid(where, 'a step is "1. [ ] <text>", its files "   - `<path>`"');
        steps.push({ description: s[2], files: [], completed: s[1] !== undefined && s[1] !== ' ' });
        break;
      }
      case 'validation': {
        const v = VALIDATION.exec(line);
        if (v?.[1] === undefined || v[2] === undefined)
          invalid(where, 'a validation item is "- Test: …" or "- Check: …"');
        (v[1].toLowerCase() === 'test' ? tests : checks).push(v[2]);
        break;
      }
      case 'links': {
        const l = LINK.exec(line);
        if (l?.[1] === undefined || l[2] === undefined || l[3] === undefined)
          invalid(where, 'a linked task is "- `<task id>` → milestone <n>, linked <time>[, <outcome> <time>]"');
        links.push({
          taskId: l[1],
          milestone: Number(l[2]),
          linkedAt: l[3],
          ...(l[4] === undefined ? {} : { outcome: l[4], endedAt: l[5] }),
        });
        break;
      }
      default:
        return invalid(where, 'not understood');
    }
  }

  const id = header.get('id');
  if (id === undefined) invalid('plan file', 'no "- **ID**: <id>" line in its header');
  const status: PlanStatus = planStatus('plan file status', (header.get('status') ?? 'draft').toLowerCase());
  const updatedAt = header.get('updated');
  const noteOf = (e: Entry): string => e.lines.join('\n');
  return checkPlan(
    {
      id,
      purpose: purpose === undefined || purpose === '' ? 'Untitled Plan' : purpose,
      project: header.get('project'),
      status,
      progress,
      concreteSteps: steps,
      decisionLog: decisions.map((d) => ({
        decision: d.title,
        rationale: noteOf(d),
        timestamp: d.timestamp ?? updatedAt,
      })),
      surprises: surprises.map((s) => ({
        description: s.title,
        evidence: noteOf(s),
        timestamp: s.timestamp ?? updatedAt,
      })),
      validation: { tests, checks },
      taskLinks: links,
      createdAt: header.get('created'),
      updatedAt,
      version: header.has('version') ? Number(header.get('version')) : 0,
    },
    'plan file',
  );
}

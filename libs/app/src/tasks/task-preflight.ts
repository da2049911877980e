import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { parseRuleScanSummary, type EventStore } from '@agent-harness/observe';
import { classifyTask } from '@agent-harness/pipeline';
import { projectOf } from '../input/project-input.js';
import { defineOperation } from '../operation.js';
import { scannedProject, type ProjectPorts } from '../project-ports.js';
import type { RulesService } from '../rules/rules-service.js';
import { PreflightInput, TaskClassifyInput } from './task-inputs.js';

/** Source languages by file extension: what `task_classify` names from the files a text mentions. */
const LANGUAGES: Readonly<Record<string, string>> = {
  ts: 'typescript',
  tsx: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  py: 'python',
  rs: 'rust',
  go: 'go',
  java: 'java',
  kt: 'kotlin',
  rb: 'ruby',
  cs: 'csharp',
  cpp: 'cpp',
  c: 'c',
  h: 'c',
  swift: 'swift',
  php: 'php',
};
/** Words that ask only to look: such a task needs no write access. */
const READ_ONLY_ASK = /^\s*(review|explain|analy[sz]e|describe|summari[sz]e|audit|investigate|list|find|why)\b/i;
/** Words that need the network: installing, upgrading or fetching something. */
const NETWORK_WORDS = /\b(install|upgrade|bump|download|fetch|curl|wget|npm i|pip install|cargo add|https?:\/\/)/i;
/** A word that names a file: a path with an extension, or a file name (as the classifier reads them). */
const FILE_WORD = /^(?:[\w.-]+\/)*[\w-]+\.\w{1,8}$/;
/** The most files a preflight checks for. */
const MAX_FILES = 50;
/** Rules listed as constraints: the serious ones. */
const CONSTRAINT_SEVERITIES = new Set(['critical', 'high']);

/** The ports of the classify and preflight operations. */
export interface PreflightPorts extends ProjectPorts {
  readonly rules: Pick<RulesService, 'loadRules'>;
  readonly events: Pick<EventStore, 'latest'>;
}

/** The file-like words of a text, in order, once each. */
function fileWords(text: string): string[] {
  const words = text
    .slice(0, 20_000)
    .split(/[\s`'"(),;:<>[\]{}]+/)
    .map((w) => w.replace(/[.!?]+$/, ''));
  return [...new Set(words.filter((w) => w.length <= 300 && FILE_WORD.test(w)))];
}

/** The original's `TaskClassification`, from the same heuristic that routes tasks (`classifyTask`). */
function classification(text: string) {
  const title = text.split('\n', 1)[0] ?? '';
  const { complexity, reasons } = classifyTask({ title, text });
  const languages = fileWords(text).flatMap((w) => LANGUAGES[w.split('.').pop() ?? ''] ?? []);
  const counts = new Map<string, number>();
  for (const language of languages) counts.set(language, (counts.get(language) ?? 0) + 1);
  const language = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return {
    complexity,
    language,
    requires_write: !READ_ONLY_ASK.test(text),
    requires_network: NETWORK_WORDS.test(text),
    reasons,
  };
}

/**
 * The files a text names that exist in the project, relative to its root. A name is read as
 * relative to the root only, component by component without following any link: one that leads
 * outside (`..`, an absolute path) or through a link is left out, so no path of the text makes the
 * server look anywhere but inside the project.
 */
async function filesInProject(root: string, text: string): Promise<string[]> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw new AppError('NOT_FOUND', `the project's root ${root} is not there any more`);
  }
  const found: string[] = [];
  for (const word of fileWords(text).slice(0, MAX_FILES)) {
    const parts = word.split('/');
    if (isAbsolute(word) || parts.includes('..') || parts.includes('')) continue;
    if (await plainFileAt(realRoot, parts)) found.push(word);
  }
  return found;
}

/** Whether `parts` under `root` lead to a regular file through directories only (no link, no device). */
async function plainFileAt(root: string, parts: readonly string[]): Promise<boolean> {
  let path = root;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    try {
      const entry = await lstat(path);
      const last = index === parts.length - 1;
      if (last ? !entry.isFile() : !entry.isDirectory()) return false;
    } catch {
      // Not there: a file the task would create, or a word that only looks like a file.
      return false;
    }
  }
  return true;
}

export const taskClassify = defineOperation({
  name: 'task_classify',
  summary: 'How Harness would rate a task: complexity (simple or complex), language, write and network needs',
  input: TaskClassifyInput,
  execute(_ports: object, input) {
    return Promise.resolve(classification(input.prompt));
  },
});

export const preflight = defineOperation({
  name: 'preflight',
  summary: "What a task would meet in a project: its serious rules, the files it names, the latest scan's violations",
  input: PreflightInput,
  async execute(ports: PreflightPorts, input) {
    const project = await scannedProject(ports, projectOf(input));
    const [catalogue, scan] = await Promise.all([
      ports.rules.loadRules(project),
      ports.events.latest({ hook: 'rule_scan', project: project.name }),
    ]);
    const summary = parseRuleScanSummary(scan?.detail);
    return {
      project: project.name,
      constraints: catalogue.rules
        .filter((r) => CONSTRAINT_SEVERITIES.has(r.severity))
        .map((r) => ({ id: r.id, title: r.title, severity: r.severity })),
      affected_files: await filesInProject(project.root, input.task_description),
      baseline_violations:
        summary === undefined ? null : Object.values(summary.violations).reduce((sum, n) => sum + n, 0),
      baseline_scan_timestamp: scan?.ts ?? null,
      baseline_scan_source: scan === undefined ? null : 'rule_scan',
      baseline_scan_session_id: scan?.sessionId ?? null,
      recommended_complexity: classification(input.task_description).complexity,
    };
  },
});

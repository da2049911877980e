// @ts-check
/* global document, window */
// One task: its detail (GET /tasks/:id), cancel and retry, and its whole event stream (GET
// /tasks/:id/stream): status history, the change (its diff stat, then the whole diff file by file,
// cut when long, with the raw diff to download), validation runs, review verdicts and the agents'
// live output.
import { apiBlob, apiJson, errorText, postJson, readServerEvents } from './api.js';
import { TERMINAL, cut, externalLink, gradeBadge, h, replace, statusBadge, time } from './dom.js';
import { listHash } from './task-list.js';

/** Agent events the page keeps; the oldest go first (the stream stays in the API). */
const MAX_AGENT_LINES = 1500;
/** Lines of one file's diff shown open; a longer one starts closed. */
const OPEN_DIFF_LINES = 400;
/** Lines of one file's diff shown at all: a longer file is cut (the raw diff has it whole). */
const MAX_FILE_LINES = 2000;
/** Characters of the whole diff shown: the files past it are left out (the raw diff has them). */
const MAX_DIFF_CHARS = 200_000;
/** Finished tasks that can be submitted again. */
const RETRYABLE = new Set(['failed', 'cancelled']);

/**
 * What the validation and review panels' notes are made from: the stream's status changes and
 * runs, and the detail's review outcome.
 * @typedef {{
 *   status: string | undefined,
 *   visited: Set<string>,
 *   checks: number,
 *   isLastCheckEmpty: boolean,
 *   hasNothingToRun: boolean,
 *   verdicts: number,
 *   reviewOutcome: string | null,
 * }} PanelFacts
 */

/**
 * @param {HTMLElement} view
 * @param {import('./app.js').ViewContext} context
 * @param {string} id
 */
export function taskView(view, context, id) {
  const header = h('section', { class: 'task-head', id: 'task-head' }, h('p', { class: 'muted' }, 'Loading…'));
  const history = h('ol', { class: 'history', id: 'task-history' });
  const diff = h('div', { id: 'task-diff' }, h('p', { class: 'muted' }, 'No commit yet.'));
  const patch = h('div', { id: 'task-patch' }, h('p', { class: 'muted' }, 'No commit yet.'));
  const download = h(
    'button',
    { type: 'button', id: 'download-diff', class: 'secondary', hidden: true },
    'Download raw diff',
  );
  download.addEventListener('click', () => void downloadDiff(id, download, context));
  const validationNote = h('p', { class: 'muted', id: 'validation-state' }, 'Loading…');
  const validationRuns = h('div', {});
  const reviewNote = h('p', { class: 'muted', id: 'review-state' }, 'Loading…');
  const reviewRounds = h('div', {});
  // Scrolls by itself: focusable, and named, so a keyboard can reach and read it.
  const stream = h('ol', { class: 'stream', id: 'task-stream', tabindex: '0', 'aria-label': 'Agent stream' });
  replace(
    view,
    h('p', {}, h('a', { href: listHash() }, '← all tasks')),
    header,
    h('div', { class: 'columns' }, panel('History', history), panel('Diff stat', diff)),
    panel('Diff', patch, download),
    panel('Validation', h('div', { id: 'task-validation' }, validationNote, validationRuns)),
    panel('Review', h('div', { id: 'task-review' }, reviewNote, reviewRounds)),
    panel('Agent stream', stream),
  );

  /** @type {PanelFacts} */
  const facts = {
    status: undefined,
    visited: new Set(),
    checks: 0,
    isLastCheckEmpty: false,
    hasNothingToRun: false,
    verdicts: 0,
    reviewOutcome: null,
  };
  const showNotes = () => {
    showNote(validationNote, validationState(facts));
    showNote(reviewNote, reviewState(facts));
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let detailTimer;
  const loadDetail = () => {
    clearTimeout(detailTimer);
    detailTimer = setTimeout(() => {
      apiJson(`/tasks/${encodeURIComponent(id)}`, { signal: context.signal }).then(
        (task) => {
          renderHeader(header, task, context, loadDetail);
          facts.reviewOutcome = task.review_outcome;
          showNotes();
        },
        (error) => {
          if (context.signal.aborted) return;
          replace(header, h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)));
        },
      );
    }, 100);
  };
  context.signal.addEventListener('abort', () => clearTimeout(detailTimer));
  loadDetail();

  void readServerEvents(`/tasks/${encodeURIComponent(id)}/stream`, {
    signal: context.signal,
    onEvent: (frame) => {
      if (frame.data === '') return false;
      /** @type {{ seq: number, kind: string, at: string, data: any }} */
      const event = JSON.parse(frame.data);
      switch (event.kind) {
        case 'status':
          history.append(historyEntry(event.at, event.data));
          facts.status = event.data.to;
          facts.visited.add(event.data.to);
          showNotes();
          loadDetail();
          break;
        case 'log':
          if (event.data.diff_stat !== undefined) replace(diff, diffStat(event.data.diff_stat));
          // Each commit's event holds the whole change so far: the latest replaces the last.
          if (typeof event.data.patch === 'string') {
            replace(patch, patchFiles(event.data.patch));
            download.hidden = false;
          }
          // The validation step says so when there was nothing to run (no event follows).
          if (/^validation: nothing to run/.test(String(event.data.message))) {
            facts.hasNothingToRun = true;
            showNotes();
          }
          appendLine(stream, h('li', { class: 'line-log' }, tag('harness'), String(event.data.message)));
          break;
        case 'agent':
          appendLine(stream, agentLine(event.data));
          break;
        case 'output_truncated':
          appendLine(stream, h('li', { class: 'line-log' }, tag('harness'), String(event.data.message)));
          break;
        case 'validation':
          // Workspace setup and before_remove hooks are shown too, but are no validation.
          if (event.data.stage === undefined || event.data.stage === 'pre_push') {
            facts.checks++;
            facts.isLastCheckEmpty = event.data.source === 'none' || event.data.outcomes.length === 0;
          }
          validationRuns.append(validationRun(event.data));
          showNotes();
          break;
        case 'review':
          facts.verdicts++;
          reviewRounds.append(reviewVerdict(event.data));
          showNotes();
          break;
        case 'end':
          facts.status = event.data.status;
          showNotes();
          loadDetail();
          return true;
        default:
          break;
      }
      return false;
    },
  });
}

/**
 * @param {string} title
 * @param {HTMLElement} content
 * @param {HTMLElement} [action] a button beside the title
 */
function panel(title, content, action) {
  return h('section', { class: 'panel' }, h('div', { class: 'panel-head' }, h('h2', {}, title), action), content);
}

const NO_CHECKS = 'No checks were configured or detected.';

/**
 * A panel's note (empty: the runs shown say it all), with its state for styling and tests.
 * @param {HTMLElement} note
 * @param {{ state: string, text: string }} what
 */
function showNote(note, what) {
  note.textContent = what.text;
  note.dataset['state'] = what.state;
  note.hidden = what.text === '';
}

/**
 * What the validation panel says besides its runs: running now, nothing configured, not reached.
 * @param {PanelFacts} f
 */
function validationState(f) {
  if (f.status === undefined) return { state: 'loading', text: 'Loading…' };
  if (f.status === 'validating') return { state: 'running', text: 'Validating…' };
  if (f.checks > 0) return f.isLastCheckEmpty ? { state: 'none', text: NO_CHECKS } : { state: 'ran', text: '' };
  if (f.hasNothingToRun) return { state: 'none', text: NO_CHECKS };
  if (f.visited.has('validating'))
    return f.status === 'cancelled'
      ? { state: 'cancelled', text: 'Cancelled during validation.' }
      : { state: 'unknown', text: 'No validation result was recorded.' };
  if (f.status === 'failed') return { state: 'not-reached', text: 'Not reached: the task failed before validation.' };
  if (f.status === 'cancelled')
    return { state: 'not-reached', text: 'Not reached: the task was cancelled before validation.' };
  if (f.status === 'done') return { state: 'none', text: 'No validation ran for this task.' };
  return { state: 'pending', text: 'Not run yet: validation runs once the agent has finished.' };
}

/**
 * What the review panel says besides its verdicts: reviewing now, turned off, skipped, not reached.
 * @param {PanelFacts} f
 */
function reviewState(f) {
  if (f.status === undefined) return { state: 'loading', text: 'Loading…' };
  if (f.status === 'reviewing') return { state: 'running', text: 'Reviewing…' };
  if (f.verdicts > 0) return { state: 'ran', text: '' };
  if (f.reviewOutcome === 'disabled')
    return { state: 'disabled', text: 'Review is turned off ([agents.review] enabled = false).' };
  if (f.reviewOutcome === 'skipped')
    return { state: 'skipped', text: 'Skipped: no agent other than the implementer could review it.' };
  if (f.reviewOutcome === 'not_needed') return { state: 'none', text: 'Nothing to review: the task changed nothing.' };
  if (f.visited.has('reviewing'))
    return f.status === 'cancelled'
      ? { state: 'cancelled', text: 'Cancelled during review.' }
      : { state: 'unknown', text: 'No review verdict was recorded.' };
  if (f.status === 'failed') return { state: 'not-reached', text: 'Not reached: the task failed before review.' };
  if (f.status === 'cancelled')
    return { state: 'not-reached', text: 'Not reached: the task was cancelled before review.' };
  if (f.status === 'done') return { state: 'none', text: 'No review ran for this task.' };
  return { state: 'pending', text: 'Not reviewed yet: the review runs after validation and the commit.' };
}

/** @param {string} text */
function tag(text) {
  return h('span', { class: 'tag' }, text);
}

/**
 * @param {HTMLElement} stream
 * @param {HTMLElement} line
 */
function appendLine(stream, line) {
  stream.append(line);
  while (stream.childElementCount > MAX_AGENT_LINES) stream.firstElementChild?.remove();
}

/**
 * The task's header: what it is, where it stands, what it produced; Cancel while it runs, Retry
 * once it failed or was cancelled.
 * @param {HTMLElement} header
 * @param {any} task
 * @param {import('./app.js').ViewContext} context
 * @param {() => void} reload
 */
function renderHeader(header, task, context, reload) {
  /** @type {[string, import('./dom.js').Child][]} */
  const facts = [
    ['Status', statusBadge(task.status)],
    ['Project', task.project],
    [
      'Kind',
      task.issue !== null ? `issue #${String(task.issue)}` : task.pr !== null ? `PR #${String(task.pr)}` : task.kind,
    ],
    ['Agent', task.agent ?? '–'],
    ['Attempt', String(task.attempt)],
    ['Branch', task.branch ?? '–'],
    ['Commit', task.commit === null ? '–' : String(task.commit).slice(0, 12)],
    ['Pull request', externalLink(task.pr_url) ?? '–'],
    ['Grade', h('span', {}, gradeBadge(task.grade), task.score === null ? '' : ` score ${String(task.score)}`)],
    ['Review', task.review_outcome ?? '–'],
    ['Tokens', `${String(task.tokens.input)} in / ${String(task.tokens.output)} out`],
    ['Cost', task.cost_usd === null ? '–' : `$${Number(task.cost_usd).toFixed(4)}`],
    // A spent daily limit holds it: it starts when the day turns (it never fails for that).
    [
      'Waiting',
      task.waiting === null || task.waiting === undefined
        ? '–'
        : h('span', { id: 'task-waiting' }, 'budget until ', time(task.waiting.until)),
    ],
    ['Created', time(task.created_at)],
    ['Finished', time(task.finished_at)],
  ];
  const cancel = TERMINAL.has(task.status)
    ? null
    : h('button', { type: 'button', class: 'danger', id: 'cancel-task' }, 'Cancel task');
  cancel?.addEventListener('click', () => {
    cancel.disabled = true;
    postJson(`/tasks/${encodeURIComponent(task.id)}/cancel`, {}).then(
      () => {
        context.notify(`Cancelled task ${String(task.id).slice(0, 8)}.`);
        reload();
      },
      (/** @type {unknown} */ error) => {
        cancel.disabled = false;
        context.notify(errorText(error), true);
      },
    );
  });
  const retry = RETRYABLE.has(task.status) ? h('button', { type: 'button', id: 'retry-task' }, 'Retry task') : null;
  retry?.addEventListener('click', () => {
    retry.disabled = true;
    postJson('/tasks', retryRequest(task)).then(
      (/** @type {import('@agent-harness/core').CreateTaskResponse} */ answer) => {
        const said =
          answer.existing === true
            ? `An unfinished task already does this work: ${answer.task_id.slice(0, 8)}.`
            : `Retried as task ${answer.task_id.slice(0, 8)} (${answer.status}).`;
        // Said once the new page is up: the router clears the notice when it opens a page.
        window.addEventListener('hashchange', () => context.notify(said), { once: true });
        window.location.hash = `#/tasks/${answer.task_id}`;
      },
      (/** @type {unknown} */ error) => {
        retry.disabled = false;
        context.notify(errorText(error), true);
      },
    );
  });
  replace(
    header,
    h('h1', { id: 'task-title' }, task.title),
    h('p', { class: 'mono muted' }, task.id),
    h(
      'dl',
      { class: 'facts' },
      facts.flatMap(([name, value]) => [h('dt', {}, name), h('dd', { 'data-fact': name.toLowerCase() }, value)]),
    ),
    task.error === null
      ? null
      : h(
          'p',
          { class: 'error', id: 'task-error' },
          task.failure_class === null ? '' : `${task.failure_class}: `,
          task.error,
        ),
    cancel,
    retry,
    task.prompt === null
      ? null
      : h('details', {}, h('summary', {}, 'Prompt'), h('pre', { id: 'task-prompt', tabindex: '0' }, task.prompt)),
  );
}

/**
 * The same work again (`POST /tasks`): project, what to do and how. An issue task's retry works on
 * the last task's branch: the server sees to that.
 * @param {import('@agent-harness/core').TaskDetail} task
 */
function retryRequest(task) {
  /** @type {import('@agent-harness/core').CreateTaskRequest} */
  const work =
    task.issue !== null ? { issue: task.issue } : task.pr !== null ? { pr: task.pr } : { prompt: task.prompt ?? '' };
  return {
    project: task.project,
    ...work,
    ...(task.description === null ? {} : { description: task.description }),
    ...(task.requested_agent === null ? {} : { agent: task.requested_agent }),
    ...(task.model === null ? {} : { model: task.model }),
  };
}

/**
 * Saves the task's raw diff (`GET /tasks/:id/diff`): fetched with the token (a plain link would be
 * refused without it), then handed to the browser as a file.
 * @param {string} id
 * @param {HTMLButtonElement} button
 * @param {import('./app.js').ViewContext} context
 */
async function downloadDiff(id, button, context) {
  button.disabled = true;
  try {
    const blob = await apiBlob(`/tasks/${encodeURIComponent(id)}/diff`, { signal: context.signal });
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: `harness-${id.slice(0, 8)}.diff`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy once started.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    if (!context.signal.aborted) context.notify(errorText(error), true);
  } finally {
    button.disabled = false;
  }
}

/**
 * @param {string} at
 * @param {import('@agent-harness/core').StatusEventData} data
 */
function historyEntry(at, data) {
  return h(
    'li',
    {},
    time(at),
    ' ',
    data.from === null ? '' : `${data.from} → `,
    statusBadge(data.to),
    data.reason === undefined ? '' : h('span', { class: 'muted' }, ` ${cut(data.reason, 300)}`),
  );
}

/**
 * @param {import('@agent-harness/core').DiffStatJson} stat
 */
function diffStat(stat) {
  const rows = stat.files.map((file) =>
    h(
      'tr',
      {},
      h('td', { class: 'mono' }, file.path),
      h('td', { class: 'plus' }, file.insertions === null ? 'bin' : `+${String(file.insertions)}`),
      h('td', { class: 'minus' }, file.deletions === null ? '' : `-${String(file.deletions)}`),
    ),
  );
  return [
    h(
      'p',
      { id: 'diff-total' },
      `${String(stat.files_changed)} file${stat.files_changed === 1 ? '' : 's'} changed, `,
      h('span', { class: 'plus' }, `+${String(stat.insertions)}`),
      ' ',
      h('span', { class: 'minus' }, `-${String(stat.deletions)}`),
    ),
    h('table', { class: 'diffstat' }, h('tbody', {}, rows)),
    stat.files.length < stat.files_changed
      ? h('p', { class: 'muted' }, `and ${String(stat.files_changed - stat.files.length)} more`)
      : null,
  ];
}

/**
 * A change (`git diff --stat --patch`) file by file: one closable section per file, its lines
 * marked added, removed or hunk header. Text only: the diff is the agent's, never markup.
 * @param {string} text
 */
function patchFiles(text) {
  const files = text.split(/^(?=diff --git )/m).filter((part) => part.startsWith('diff --git '));
  if (files.length === 0) return h('p', { class: 'muted' }, 'No change.');
  // A browser slows down on a huge diff: files past the budget are left to the raw diff.
  let budget = MAX_DIFF_CHARS;
  const shown = files.filter((file, index) => {
    budget -= file.length;
    return index === 0 || budget >= 0;
  });
  const left = files.length - shown.length;
  return [
    ...shown.map(patchFile),
    left === 0
      ? null
      : h(
          'p',
          { class: 'note', id: 'diff-cut-note' },
          `${String(left)} more file${left === 1 ? '' : 's'} not shown: the diff is over ${String(MAX_DIFF_CHARS / 1000)} KB. Download the raw diff to read it all.`,
        ),
  ];
}

/**
 * One file of a change: its name, then its lines (at most MAX_FILE_LINES, with a note past them).
 * @param {string} file
 * @param {number} index
 */
function patchFile(file, index) {
  const all = file.replace(/\n$/, '').split('\n');
  const lines = all.slice(0, MAX_FILE_LINES + 1);
  const hidden = all.length - lines.length;
  const name = /^diff --git a\/(.*) b\//.exec(lines[0] ?? '')?.[1] ?? lines[0] ?? '';
  const marked = lines.slice(1).map((line) =>
    h(
      'span',
      {
        class: line.startsWith('@@')
          ? 'hunk'
          : line.startsWith('+') && !line.startsWith('+++')
            ? 'plus'
            : line.startsWith('-') && !line.startsWith('---')
              ? 'minus'
              : '',
      },
      `${line}\n`,
    ),
  );
  const details = h(
    'details',
    { class: 'patch', 'data-file': name },
    h('summary', { class: 'mono' }, name),
    h('pre', { tabindex: '0', 'aria-label': `diff of ${name}` }, marked),
    hidden === 0
      ? null
      : h(
          'p',
          { class: 'note', 'data-cut': String(hidden) },
          `${hidden.toLocaleString()} more line${hidden === 1 ? '' : 's'} of this file not shown. Download the raw diff to read it all.`,
        ),
  );
  details.open = index < 20 && all.length <= OPEN_DIFF_LINES;
  return details;
}

/**
 * @param {import('@agent-harness/core').ValidationEventData} run
 */
function validationRun(run) {
  // Cut short by a cancel of the task: neither passed nor failed.
  const result = run.ok ? 'passed' : run.cancelled === true ? 'cancelled' : 'failed';
  /** @type {Record<string, string>} */
  const stages = { pre_push: 'pre_push checks', setup: 'workspace setup', before_remove: 'before_remove_hook' };
  const title =
    run.stage !== undefined && stages[run.stage] !== undefined
      ? stages[run.stage]
      : run.retry === undefined || run.retry === 0
        ? 'validation'
        : `validation, retry ${String(run.retry)}`;
  return h(
    'div',
    { class: `run ${run.ok ? 'ok' : result}`, 'data-validation': result },
    h('h3', {}, `${title}: ${result}`, h('span', { class: 'muted' }, ` (${run.source})`)),
    run.outcomes.length === 0 ? h('p', { class: 'muted' }, NO_CHECKS) : null,
    run.outcomes.map((o) =>
      h(
        'details',
        {},
        h(
          'summary',
          {},
          h('code', {}, o.command),
          ` → ${o.cancelled === true ? 'cancelled' : o.timedOut ? 'timed out' : `exit ${String(o.exitCode)}`} in ${(o.durationMs / 1000).toFixed(1)} s`,
        ),
        h('pre', { tabindex: '0' }, o.output === '' ? '(no output)' : o.output),
      ),
    ),
  );
}

/**
 * @param {import('@agent-harness/core').ReviewEventData} verdict
 */
function reviewVerdict(verdict) {
  const approved = verdict.verdict === 'approve';
  return h(
    'div',
    { class: `run ${approved ? 'ok' : 'failed'}`, 'data-verdict': verdict.verdict },
    h('h3', {}, `Round ${String(verdict.round)} (${verdict.reviewer}): ${approved ? 'approved' : 'changes requested'}`),
    h('p', {}, verdict.summary),
    verdict.issues.length === 0
      ? null
      : h(
          'ul',
          {},
          verdict.issues.map((issue) =>
            h(
              'li',
              {},
              h(
                'span',
                {
                  class: `severity severity-${['high', 'medium', 'low'].includes(issue.severity) ? issue.severity : 'low'}`,
                },
                issue.severity,
              ),
              ' ',
              h('code', {}, issue.line === null ? issue.file : `${issue.file}:${String(issue.line)}`),
              ' ',
              issue.message,
            ),
          ),
        ),
  );
}

/**
 * One agent event as a line of the stream.
 * @param {any} event
 */
function agentLine(event) {
  const who = tag(`${String(event.role)} · ${String(event.agent)}`);
  /**
   * @param {string} kind
   * @param {...import('./dom.js').Child} rest
   */
  const line = (kind, ...rest) => h('li', { class: `line-${kind}` }, who, ...rest);
  switch (event.type) {
    case 'session_started':
      return line(
        'meta',
        `session ${String(event.sessionId)}${event.model === undefined ? '' : ` (${String(event.model)})`}`,
      );
    case 'text':
      return line('text', h('span', { class: 'text' }, String(event.text)));
    case 'tool_call':
      return line(
        'tool',
        h('b', {}, String(event.name)),
        ' ',
        h('code', {}, cut(JSON.stringify(event.input) ?? '', 400)),
      );
    case 'tool_result':
      return line(
        event.ok === true ? 'meta' : 'error',
        event.ok === true ? '✓ ' : '✗ ',
        h('code', {}, cut(String(event.output), 600)),
      );
    case 'file_change':
      return line(
        'tool',
        'files: ',
        (Array.isArray(event.changes) ? event.changes : [])
          .map((/** @type {any} */ c) => `${String(c.kind)} ${String(c.path)}`)
          .join(', '),
      );
    case 'usage':
      return line('meta', `tokens ${String(event.inputTokens)} in / ${String(event.outputTokens)} out`);
    case 'rate_limited':
      return line('error', `rate limited: ${String(event.message)}`);
    case 'error':
      return line('error', String(event.message));
    case 'completed':
      return line(
        event.ok === true ? 'meta' : 'error',
        `finished: ${String(event.reason)}`,
        event.message === undefined ? '' : ` – ${String(event.message)}`,
      );
    default:
      return line('meta', String(event.type));
  }
}

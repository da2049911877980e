// @ts-check
// One task: its detail (GET /tasks/:id), cancel, and its whole event stream (GET /tasks/:id/stream):
// status history, the change (its diff stat, then the whole diff file by file), validation runs,
// review verdicts and the agents' live output.
import { ApiError, apiJson, postJson, readServerEvents } from './api.js';
import { TERMINAL, cut, externalLink, gradeBadge, h, replace, statusBadge, time } from './dom.js';

/** Agent events the page keeps; the oldest go first (the stream stays in the API). */
const MAX_AGENT_LINES = 1500;
/** Lines of one file's diff shown open; a longer one starts closed. */
const OPEN_DIFF_LINES = 400;

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
  const validation = h('div', { id: 'task-validation' }, h('p', { class: 'muted' }, 'No validation yet.'));
  const review = h('div', { id: 'task-review' }, h('p', { class: 'muted' }, 'No review yet.'));
  const stream = h('ol', { class: 'stream', id: 'task-stream' });
  replace(
    view,
    h('p', {}, h('a', { href: '#/' }, '← all tasks')),
    header,
    h('div', { class: 'columns' }, panel('History', history), panel('Diff stat', diff)),
    panel('Diff', patch),
    panel('Validation', validation),
    panel('Review', review),
    panel('Agent stream', stream),
  );

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let detailTimer;
  const loadDetail = () => {
    clearTimeout(detailTimer);
    detailTimer = setTimeout(() => {
      apiJson(`/tasks/${encodeURIComponent(id)}`, { signal: context.signal }).then(
        (task) => renderHeader(header, task, context, loadDetail),
        (error) => {
          if (context.signal.aborted) return;
          replace(header, h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)));
        },
      );
    }, 100);
  };
  context.signal.addEventListener('abort', () => clearTimeout(detailTimer));
  loadDetail();

  let hasValidation = false;
  let hasReview = false;
  void readServerEvents(`/tasks/${encodeURIComponent(id)}/stream`, {
    signal: context.signal,
    onEvent: (frame) => {
      if (frame.data === '') return false;
      /** @type {{ seq: number, kind: string, at: string, data: any }} */
      const event = JSON.parse(frame.data);
      switch (event.kind) {
        case 'status':
          history.append(historyEntry(event.at, event.data));
          loadDetail();
          break;
        case 'log':
          if (event.data.diff_stat !== undefined) replace(diff, diffStat(event.data.diff_stat));
          // Each commit's event holds the whole change so far: the latest replaces the last.
          if (typeof event.data.patch === 'string') replace(patch, patchFiles(event.data.patch));
          appendLine(stream, h('li', { class: 'line-log' }, tag('harness'), String(event.data.message)));
          break;
        case 'agent':
          appendLine(stream, agentLine(event.data));
          break;
        case 'output_truncated':
          appendLine(stream, h('li', { class: 'line-log' }, tag('harness'), String(event.data.message)));
          break;
        case 'validation':
          if (!hasValidation) replace(validation);
          hasValidation = true;
          validation.append(validationRun(event.data));
          break;
        case 'review':
          if (!hasReview) replace(review);
          hasReview = true;
          review.append(reviewVerdict(event.data));
          break;
        case 'end':
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
 */
function panel(title, content) {
  return h('section', { class: 'panel' }, h('h2', {}, title), content);
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
 * The task's header: what it is, where it stands, what it produced; Cancel while it runs.
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
        context.notify(error instanceof ApiError ? `${error.code}: ${error.message}` : String(error), true);
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
    task.prompt === null
      ? null
      : h('details', {}, h('summary', {}, 'Prompt'), h('pre', { id: 'task-prompt' }, task.prompt)),
  );
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
  return files.map((file, index) => {
    const lines = file.replace(/\n$/, '').split('\n');
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
    );
    details.open = index < 20 && lines.length <= OPEN_DIFF_LINES;
    return details;
  });
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
    run.outcomes.length === 0 ? h('p', { class: 'muted' }, 'No command to run.') : null,
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
        h('pre', {}, o.output === '' ? '(no output)' : o.output),
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

// @ts-check
/* global document, window */
// One task: its detail (GET /tasks/:id), cancel and retry, approve or reject a step held for a
// person, a follow-up on its branch, and its whole event stream (GET /tasks/:id/stream): status
// history, the change (its diff stat, then the whole diff file by file, cut when long, with the raw
// diff to download), validation runs, review verdicts and the agents' live output.
import { ApiError, apiBlob, apiJson, errorText, postJson, readServerEvents } from './api.js';
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
/** Tasks that take a follow-up (`POST /tasks/:id/follow-up`), once their branch is published. */
const FOLLOWS_UP = new Set(['waiting_ci', 'done', 'failed']);
/** Statuses a run ends in without the task being over: validation and review are behind them. */
const WAITING = new Set(['waiting_ci', 'awaiting_approval']);
/** The steps `[approvals] before` holds a task at, as a sentence names them. */
const STAGE_WORDS = /** @type {const} */ ({ push: 'push', pr: 'pull request', merge: 'merge' });

/**
 * @typedef {import('@agent-harness/core').TaskDetail} TaskDetail
 * @typedef {import('@agent-harness/core').DiffStatJson} DiffStatJson
 */

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
  const patchPanel = panel('Diff', patch, download);
  patchPanel.id = 'diff-panel';
  // "Read the diff" of the approval panel moves the focus here.
  patchPanel.tabIndex = -1;
  const validationNote = h('p', { class: 'muted', id: 'validation-state' }, 'Loading…');
  const validationRuns = h('div', {});
  const reviewNote = h('p', { class: 'muted', id: 'review-state' }, 'Loading…');
  const reviewRounds = h('div', {});
  // Scrolls by itself: focusable, and named, so a keyboard can reach and read it.
  const stream = h('ol', { class: 'stream', id: 'task-stream', tabindex: '0', 'aria-label': 'Agent stream' });
  // Made once, shown by the task's status: a reload of the detail keeps what was typed in them.
  const reload = () => {
    loadDetail();
    follow();
  };
  const approval = approvalPanel(id, context, reload, patchPanel);
  const followUp = followUpPanel(id, context, reload);
  replace(
    view,
    h('p', {}, h('a', { href: listHash() }, '← all tasks')),
    header,
    approval.element,
    followUp.element,
    h('div', { class: 'columns' }, panel('History', history), panel('Diff stat', diff)),
    patchPanel,
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
        (/** @type {TaskDetail} */ task) => {
          renderHeader(header, task, context, loadDetail);
          approval.show(task);
          followUp.show(task);
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

  /** The last event read: a stream read again (the task was reopened) starts after it. */
  let lastSeq = 0;
  let isFollowing = false;
  /**
   * Reads the task's stream after `lastSeq`. It ends with the task's `end`, and is then read again
   * from there at once: a follow-up reopens a finished task (a page opened later replays its first
   * run's `end`, then the rest). When nothing follows the end, the server answers 204.
   */
  const follow = () => {
    if (isFollowing || context.signal.aborted) return;
    isFollowing = true;
    const from = lastSeq;
    /** @type {number | undefined} */
    let endSeq;
    void readServerEvents(`/tasks/${encodeURIComponent(id)}/stream`, {
      signal: context.signal,
      ...(from === 0 ? {} : { lastEventId: String(from) }),
      onEvent: (frame) => {
        if (frame.data === '') return false;
        /** @type {{ seq: number, kind: string, at: string, data: any }} */
        const event = JSON.parse(frame.data);
        if (typeof event.seq === 'number') lastSeq = Math.max(lastSeq, event.seq);
        if (event.kind === 'end') endSeq = event.seq;
        return onEvent(event);
      },
    }).then(() => {
      isFollowing = false;
      if (endSeq !== undefined && endSeq > from) follow();
    });
  };

  /**
   * Shows one event of the stream; true at the task's end.
   * @param {{ seq: number, kind: string, at: string, data: any }} event
   */
  const onEvent = (event) => {
    switch (event.kind) {
      case 'status':
        history.append(historyEntry(event.at, event.data));
        facts.status = event.data.to;
        facts.visited.add(event.data.to);
        showNotes();
        loadDetail();
        break;
      case 'log':
        if (event.data.diff_stat !== undefined) {
          replace(diff, diffStat(event.data.diff_stat));
          approval.showChange(event.data.diff_stat);
        }
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
  };
  follow();
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
  // Held or watching CI: the run behind it validated, unless it had nothing to validate.
  if (f.status === 'done' || WAITING.has(f.status)) return { state: 'none', text: 'No validation ran for this task.' };
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
  // Held before its push or pull request: the review runs once a person approves.
  if (f.status === 'awaiting_approval')
    return { state: 'waiting', text: "Waiting for a person's approval: the review runs after it." };
  if (f.visited.has('reviewing'))
    return f.status === 'cancelled'
      ? { state: 'cancelled', text: 'Cancelled during review.' }
      : { state: 'unknown', text: 'No review verdict was recorded.' };
  if (f.status === 'failed') return { state: 'not-reached', text: 'Not reached: the task failed before review.' };
  if (f.status === 'cancelled')
    return { state: 'not-reached', text: 'Not reached: the task was cancelled before review.' };
  if (f.status === 'done' || f.status === 'waiting_ci') return { state: 'none', text: 'No review ran for this task.' };
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
 * @param {TaskDetail} task
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
    ['Pull request loop', loopText(task.pull_request_loop)],
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
    phaseNote(task.status),
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
 * Where a task stands when no agent runs for it and it is not over: said under its title.
 * @param {string} status
 */
function phaseNote(status) {
  if (status === 'waiting_ci')
    return h(
      'p',
      { class: 'note', id: 'task-phase', 'data-phase': status },
      "Waiting for the pull request's CI: Harness watches its checks and runs a fix round when they fail.",
    );
  if (status === 'awaiting_approval')
    return h(
      'p',
      { class: 'note', id: 'task-phase', 'data-phase': status },
      "Waiting for a person's approval: approve or reject it below.",
    );
  return null;
}

/**
 * The pull request loop's rounds ("CI fix rounds: 1 · feedback rounds: 0 · follow-ups: 1 · merged"),
 * or a dash while it has none.
 * @param {TaskDetail['pull_request_loop'] | undefined} loop
 */
function loopText(loop) {
  if (loop === undefined || loop === null) return '–';
  /** @type {Record<string, string>} */
  const rounds = {
    ci_fix: 'a CI fix',
    review_feedback: 'a review feedback round',
    follow_up: 'a follow-up',
    approved: 'the approved step',
  };
  const now = loop.round === null ? undefined : rounds[loop.round];
  if (loop.ci_fix_rounds + loop.feedback_rounds + loop.follow_ups === 0 && !loop.merged && now === undefined)
    return '–';
  return h(
    'span',
    { id: 'task-loop' },
    [
      `CI fix rounds: ${String(loop.ci_fix_rounds)}`,
      `feedback rounds: ${String(loop.feedback_rounds)}`,
      `follow-ups: ${String(loop.follow_ups)}`,
      ...(loop.merged ? ['merged'] : []),
      ...(now === undefined ? [] : [`now: ${now}`]),
    ].join(' · '),
  );
}

/**
 * The panel of a task held for a person (`awaiting_approval`): what is held and since when, what
 * each answer does, the change to read, and Approve / Reject (with an optional reason). Shown only
 * while the task is held; made once, so a reload of the detail keeps a reason being typed.
 * @param {string} id
 * @param {import('./app.js').ViewContext} context
 * @param {() => void} reload
 * @param {HTMLElement} diffPanel the page's Diff panel, which "Read the diff" goes to
 */
function approvalPanel(id, context, reload, diffPanel) {
  const held = h('p', { id: 'approval-held' });
  const effects = h('p', { class: 'muted', id: 'approval-effects' });
  const change = h('p', { id: 'approval-change' }, 'The change: see the Diff panel.');
  const approve = h('button', { type: 'button', id: 'approve-task' }, 'Approve');
  const reject = h(
    'button',
    { type: 'button', class: 'danger', id: 'reject-task', 'aria-expanded': 'false' },
    'Reject…',
  );
  const toDiff = h('button', { type: 'button', class: 'secondary', id: 'approval-diff' }, 'Read the diff');
  const download = h('button', { type: 'button', class: 'secondary', id: 'approval-download' }, 'Download raw diff');
  const reason = h('textarea', { id: 'reject-reason', rows: 3, maxlength: 2000, 'aria-describedby': 'reject-help' });
  const confirm = h('button', { type: 'submit', class: 'danger', id: 'reject-confirm' }, 'Reject');
  const back = h('button', { type: 'button', class: 'secondary', id: 'reject-back' }, 'Back');
  const form = h(
    'form',
    { class: 'stacked', id: 'reject-form', hidden: true },
    h('label', { for: 'reject-reason' }, 'Reason (optional)'),
    reason,
    h('p', { class: 'muted', id: 'reject-help' }, 'Recorded on the task with the rejection, up to 2,000 characters.'),
    h('div', { class: 'actions' }, confirm, back),
  );
  const error = h('p', { class: 'error', id: 'approval-error', role: 'alert', hidden: true });
  const element = h(
    'section',
    { class: 'panel approval', id: 'task-approval', 'aria-labelledby': 'approval-title', hidden: true },
    h('h2', { id: 'approval-title' }, 'Approval'),
    held,
    effects,
    change,
    h('div', { class: 'actions' }, approve, reject, toDiff, download),
    form,
    error,
  );
  const buttons = [approve, reject, confirm];
  /** @param {boolean} isOpen */
  const openForm = (isOpen) => {
    form.hidden = !isOpen;
    reject.setAttribute('aria-expanded', String(isOpen));
    if (isOpen) reason.focus();
  };
  /**
   * Sends a decision; the page shows the server's refusal (a 409: the task is no longer held).
   * @param {'approve' | 'reject'} decision
   * @param {{ reason?: string }} body
   */
  const decide = (decision, body) => {
    for (const button of buttons) button.disabled = true;
    error.hidden = true;
    postJson(`/tasks/${encodeURIComponent(id)}/${decision}`, body).then(
      () => {
        for (const button of buttons) button.disabled = false;
        reason.value = '';
        openForm(false);
        context.notify(decision === 'approve' ? 'Approved: the task goes on.' : 'Rejected.');
        reload();
      },
      (/** @type {unknown} */ failure) => {
        for (const button of buttons) button.disabled = false;
        error.textContent = errorText(failure);
        error.hidden = false;
        // A 409: the task is held no more (decided elsewhere, or timed out). The reload hides this
        // panel, so the answer is said above the page too.
        if (failure instanceof ApiError && failure.status === 409) {
          context.notify(errorText(failure), true);
          reload();
        }
      },
    );
  };
  approve.addEventListener('click', () => decide('approve', {}));
  reject.addEventListener('click', () => openForm(reject.getAttribute('aria-expanded') !== 'true'));
  back.addEventListener('click', () => {
    openForm(false);
    reject.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const why = reason.value.trim();
    decide('reject', why === '' ? {} : { reason: why });
  });
  toDiff.addEventListener('click', () => {
    diffPanel.scrollIntoView({ block: 'start' });
    diffPanel.focus();
  });
  download.addEventListener('click', () => void downloadDiff(id, download, context));
  return {
    element,
    /** @param {TaskDetail} task */
    show(task) {
      const isHeld = task.status === 'awaiting_approval';
      element.hidden = !isHeld;
      if (!isHeld) {
        error.hidden = true;
        return;
      }
      const stage = task.approval?.stage ?? 'push';
      replace(
        held,
        `Held before its ${STAGE_WORDS[stage]}`,
        task.approval === null ? '' : [' since ', time(task.approval.since)],
        '.',
      );
      held.dataset['stage'] = stage;
      effects.textContent =
        stage === 'merge'
          ? 'Approve: Harness merges the pull request. Reject: the task ends done and the pull request stays open.'
          : stage === 'pr'
            ? 'Approve: Harness opens the pull request and goes on. Reject: the task is cancelled and no pull request is opened.'
            : 'Approve: Harness pushes the branch and goes on (review, pull request). Reject: the task is cancelled and nothing is pushed.';
    },
    /** @param {DiffStatJson} stat */
    showChange(stat) {
      replace(
        change,
        `The change: ${String(stat.files_changed)} file${stat.files_changed === 1 ? '' : 's'} changed, `,
        h('span', { class: 'plus' }, `+${String(stat.insertions)}`),
        ' ',
        h('span', { class: 'minus' }, `-${String(stat.deletions)}`),
        ', shown whole in the Diff panel.',
      );
    },
  };
}

/**
 * The follow-up box of a task whose branch is published (`waiting_ci`, `done` or `failed`; a PR
 * task works on someone else's branch and takes none): more work for the agent on the same branch
 * and pull request (`POST /tasks/:id/follow-up`), which queues the task again.
 * @param {string} id
 * @param {import('./app.js').ViewContext} context
 * @param {() => void} reload
 */
function followUpPanel(id, context, reload) {
  const prompt = h('textarea', { id: 'follow-up-prompt', rows: 4, 'aria-describedby': 'follow-up-help' });
  const send = h('button', { type: 'submit', id: 'follow-up-send' }, 'Send follow-up');
  const error = h('p', { class: 'error', id: 'follow-up-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'stacked', id: 'follow-up-form' },
    h('label', { for: 'follow-up-prompt' }, 'Follow-up prompt'),
    prompt,
    h('div', { class: 'actions' }, send, error),
  );
  const element = h(
    'section',
    { class: 'panel', id: 'task-follow-up', 'aria-labelledby': 'follow-up-title', hidden: true },
    h('h2', { id: 'follow-up-title' }, 'Follow-up'),
    h(
      'p',
      { class: 'muted', id: 'follow-up-help' },
      'More work on the same branch and pull request: the task is queued again, the agent works on this prompt, then validation and review run as before.',
    ),
    form,
  );
  /** @param {string} text */
  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    if (text === '') {
      showError('Write what the agent should do next first.');
      prompt.focus();
      return;
    }
    error.hidden = true;
    send.disabled = true;
    prompt.readOnly = true;
    postJson(`/tasks/${encodeURIComponent(id)}/follow-up`, { prompt: text }).then(
      (/** @type {TaskDetail} */ task) => {
        send.disabled = false;
        prompt.readOnly = false;
        prompt.value = '';
        context.notify(`Follow-up sent: the task is ${task.status} again.`);
        reload();
      },
      (/** @type {unknown} */ failure) => {
        send.disabled = false;
        prompt.readOnly = false;
        showError(errorText(failure));
      },
    );
  });
  return {
    element,
    /** @param {TaskDetail} task */
    show(task) {
      element.hidden = !(FOLLOWS_UP.has(task.status) && task.branch !== null && task.kind !== 'pr');
    },
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

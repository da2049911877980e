// @ts-check
// The tasks view: the global numbers, the submit form and the table of tasks (filtered and paged,
// `task-list.js`), kept live by the feed.
import { ApiError, apiJson, postJson } from './api.js';
import { externalLink, h, replace } from './dom.js';
import { taskList } from './task-list.js';

/**
 * @param {HTMLElement} view
 * @param {import('./app.js').ViewContext} context
 * @param {URLSearchParams} params the hash's query: the list's filters and page
 */
export function tasksView(view, context, params) {
  const summary = h('section', { class: 'cards', 'aria-label': 'Summary' });
  const list = taskList(context, params);
  replace(
    view,
    h('h1', { class: 'visually-hidden' }, 'Tasks'),
    summary,
    submitForm(context),
    h('h2', {}, 'Tasks'),
    list.element,
  );

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let summaryTimer;
  const refreshSummary = () => {
    clearTimeout(summaryTimer);
    summaryTimer = setTimeout(() => void loadSummary(summary, context), 200);
  };
  context.signal.addEventListener('abort', () => clearTimeout(summaryTimer));

  context.feed((message) => {
    if (message.kind === 'ready') list.reload();
    else list.update(message.task);
    refreshSummary();
  });
}

/**
 * @param {import('./app.js').ViewContext} context
 * @param {unknown} error
 */
function showError(context, error) {
  if (context.signal.aborted) return;
  context.notify(error instanceof Error ? error.message : String(error), true);
}

/**
 * The global numbers from `GET /api/dashboard`.
 * @param {HTMLElement} summary
 * @param {import('./app.js').ViewContext} context
 */
async function loadSummary(summary, context) {
  try {
    const [{ global }, usage] = await Promise.all([
      apiJson('/api/dashboard', { signal: context.signal }),
      apiJson('/api/usage?since=today', { signal: context.signal }),
    ]);
    /**
     * @param {string} label
     * @param {import('./dom.js').Child} value
     * @param {string} key
     */
    const card = (label, value, key) =>
      h('div', { class: 'card', 'data-card': key }, h('span', {}, label), h('b', {}, value));
    replace(
      summary,
      card('Running', `${String(global.running)} / ${String(global.max_concurrent)}`, 'running'),
      card('Queued', String(global.queued), 'queued'),
      card('Done', String(global.done), 'done'),
      card('Failed', String(global.failed), 'failed'),
      // The health report's grade, not a task's: said so, next to the tasks' own grades below.
      h(
        'div',
        { class: 'card', 'data-card': 'grade' },
        h('span', { id: 'health-label' }, 'Health (all projects, 30 days)'),
        h('b', {}, global.grade === null ? '–' : `${String(global.grade)} (${String(global.score)})`),
        h(
          'small',
          { id: 'health-note' },
          global.grade === null
            ? 'No telemetry yet.'
            : 'Task success, validation, review, rule scans and stability; a task’s own grade is in its row.',
        ),
      ),
      card('Latest PR', externalLink(global.latest_pr, pullRequestName(global.latest_pr)) ?? '–', 'latest-pr'),
      card('Spend today', spendToday(usage.today), 'spend'),
    );
  } catch (error) {
    showError(context, error);
  }
}

/**
 * Today's spend against the daily limit, and whether queued tasks wait for the day to turn.
 * @param {import('@agent-harness/core').SpendTodayJson} today
 */
function spendToday(today) {
  const spent = `$${today.spent_usd.toFixed(2)}`;
  const limit = today.daily_usd === null ? '' : ` / $${today.daily_usd.toFixed(2)}`;
  const held = today.held ? ['all'] : today.projects.filter((p) => p.held).map((p) => p.project);
  const note =
    held.length === 0
      ? ''
      : ` · ${held.join(', ')} held until ${new Date(today.resets_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  return `${spent}${limit}${note}`;
}

/**
 * `#12` for a pull request URL ending in its number, else `open`.
 * @param {unknown} url
 */
function pullRequestName(url) {
  const number = typeof url === 'string' ? /\/pull\/(\d+)$/.exec(url)?.[1] : undefined;
  return number === undefined ? 'open' : `#${number}`;
}

/**
 * Submit a prompt task to a project.
 * @param {import('./app.js').ViewContext} context
 */
function submitForm(context) {
  const project = h('select', { name: 'project', id: 'submit-project', required: true });
  const prompt = h('textarea', {
    name: 'prompt',
    id: 'submit-prompt',
    rows: 3,
    required: true,
    maxlength: 100000,
    placeholder: 'What should the agent do?',
  });
  const description = h('input', {
    name: 'description',
    id: 'submit-description',
    maxlength: 500,
    placeholder: 'Title and commit message (optional)',
  });
  const agent = h('select', { name: 'agent', id: 'submit-agent' }, h('option', { value: '' }, 'project default'));
  const error = h('p', { class: 'error', id: 'submit-error', hidden: true });
  const button = h('button', { type: 'submit', id: 'submit-button' }, 'Submit');
  const form = h(
    'form',
    { class: 'submit', id: 'submit-form' },
    h('h2', {}, 'New task'),
    h('label', {}, 'Project', project),
    h('label', {}, 'Agent', agent),
    h('label', { class: 'wide' }, 'Prompt', prompt),
    h('label', { class: 'wide' }, 'Description', description),
    h('div', { class: 'wide actions' }, button, error),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    /** @type {Record<string, string>} */
    const request = { project: project.value, prompt: prompt.value };
    if (description.value.trim() !== '') request['description'] = description.value.trim();
    if (agent.value !== '') request['agent'] = agent.value;
    postJson('/tasks', request)
      .then((answer) => {
        prompt.value = '';
        description.value = '';
        context.notify(`Submitted task ${String(answer.task_id).slice(0, 8)} (${String(answer.status)}).`);
      })
      .catch((/** @type {unknown} */ failure) => {
        error.hidden = false;
        error.textContent =
          failure instanceof ApiError ? `${failure.code}: ${failure.message}` : 'The server could not be reached.';
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  // The agents this server can run (GET /api/agents), and `auto`.
  apiJson('/api/agents', { signal: context.signal }).then(
    (/** @type {import('@agent-harness/core').AgentListResponse} */ answer) => {
      const runnable = answer.agents.filter((a) => a.available).map((a) => a.name);
      agent.append(...[...runnable, 'auto'].map((a) => h('option', { value: a }, a)));
    },
    (failure) => showError(context, failure),
  );
  apiJson('/api/projects', { signal: context.signal }).then(
    (/** @type {{ name: string, active: boolean, default: boolean }[]} */ projects) => {
      const active = projects.filter((p) => p.active);
      replace(
        project,
        active.map((p) => h('option', { value: p.name, selected: p.default }, p.name)),
      );
      if (active.length === 0) {
        error.hidden = false;
        error.textContent = 'No active project: register one with POST /api/projects.';
        button.disabled = true;
      }
    },
    (failure) => showError(context, failure),
  );
  return form;
}

// @ts-check
/* global history, URLSearchParams */
// The table of tasks: filters (status, project, agent, words of the title), pages read from the
// server (`GET /tasks?…&limit=&offset=`), all kept in the hash so a reload or a shared link shows
// the same page. The live feed updates the rows shown; new tasks join the first page without
// filters, elsewhere they are counted in a "N new tasks" hint.
import { apiJson, errorText } from './api.js';
import { TASK_STATUSES, cut, externalLink, gradeBadge, h, replace, statusBadge, time } from './dom.js';

/** A task as `GET /tasks` and the feed give it. @typedef {import('@agent-harness/core').TaskSummary} TaskSummary */

/**
 * What the list shows: filters and page, as in the hash.
 * @typedef {{ status: string, project: string, agent: string, q: string, limit: number, offset: number }} ListQuery
 */

const PAGE_SIZES = [25, 50, 100, 200];
const DEFAULT_LIMIT = 50;
/** The server's highest offset. */
const MAX_OFFSET = 1_000_000_000;

/** The hash of the list last shown, for the task page's way back. */
let lastListHash = '#/';

/** Where "← all tasks" goes: the list as it was left (its filters and page). */
export function listHash() {
  return lastListHash;
}

/**
 * The list's settings from the hash's query; unknown or out-of-range values fall back to defaults.
 * @param {URLSearchParams} params
 * @returns {ListQuery}
 */
export function readListQuery(params) {
  const limit = Number(params.get('limit'));
  const offset = Number(params.get('offset'));
  const status = params.get('status') ?? '';
  return {
    status: TASK_STATUSES.includes(status) ? status : '',
    project: (params.get('project') ?? '').slice(0, 200),
    agent: (params.get('agent') ?? '').slice(0, 100),
    q: (params.get('q') ?? '').slice(0, 200),
    limit: PAGE_SIZES.includes(limit) ? limit : DEFAULT_LIMIT,
    offset: Number.isInteger(offset) && offset > 0 ? Math.min(offset, MAX_OFFSET) : 0,
  };
}

/**
 * The query string of a list's settings, defaults left out (`GET /tasks` takes the same names).
 * @param {ListQuery} query
 * @param {boolean} [withPage] with `limit` and `offset` even when they are the defaults
 */
function queryString(query, withPage = false) {
  const params = new URLSearchParams();
  for (const name of /** @type {const} */ (['status', 'project', 'agent', 'q'])) {
    if (query[name] !== '') params.set(name, query[name]);
  }
  if (withPage || query.limit !== DEFAULT_LIMIT) params.set('limit', String(query.limit));
  if (withPage || query.offset !== 0) params.set('offset', String(query.offset));
  return params.toString();
}

/** @param {ListQuery} query */
function isFiltered(query) {
  return query.status !== '' || query.project !== '' || query.agent !== '' || query.q !== '';
}

/**
 * Whether a task from the feed belongs to the filtered list (the title search as the server's:
 * a case-insensitive part of the title).
 * @param {TaskSummary} task
 * @param {ListQuery} query
 */
function matches(task, query) {
  return (
    (query.status === '' || task.status === query.status) &&
    (query.project === '' || task.project === query.project) &&
    (query.agent === '' || task.agent === query.agent) &&
    (query.q === '' || task.title.toLowerCase().includes(query.q.toLowerCase()))
  );
}

/**
 * The list: its element, `reload()` when the feed (re)connects, `update(task)` for each feed frame.
 * @param {import('./app.js').ViewContext} context
 * @param {URLSearchParams} params
 */
export function taskList(context, params) {
  const query = readListQuery(params);
  /** @type {TaskSummary[]} */
  let rows = [];
  let total = 0;
  /** The newest task's `created_at` when the page was read: a later one is new. */
  let newest = '';
  /** New tasks (matching the filters) not shown: the hint counts them. */
  const unseen = new Set();
  /** Answers to older requests (typing in the search) are dropped. */
  let reads = 0;
  /** Feed frames that came while a page was being read: applied to the page once it is in. */
  /** @type {TaskSummary[] | undefined} */
  let early;

  const status = select('filter-status', 'any status', TASK_STATUSES, query.status);
  const project = select('filter-project', 'any project', [], query.project);
  const agent = select('filter-agent', 'any agent', [], query.agent);
  const search = h('input', {
    type: 'search',
    id: 'filter-q',
    name: 'q',
    maxlength: 200,
    value: query.q,
    placeholder: 'words of the title',
  });
  const size = select('page-size', '', PAGE_SIZES.map(String), String(query.limit));
  const filters = h(
    'form',
    { class: 'filters', id: 'task-filters', role: 'search', 'aria-label': 'Filter tasks' },
    h('label', {}, 'Status', status),
    h('label', {}, 'Project', project),
    h('label', {}, 'Agent', agent),
    h('label', { class: 'grow' }, 'Title contains', search),
    h('label', {}, 'Per page', size),
  );
  const range = h('span', { id: 'tasks-range', 'aria-live': 'polite' }, 'Loading…');
  const previous = h('button', { type: 'button', id: 'page-previous', class: 'secondary' }, '← Previous');
  const next = h('button', { type: 'button', id: 'page-next', class: 'secondary' }, 'Next →');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of tasks' }, previous, range, next);
  const hint = h('button', { type: 'button', id: 'new-tasks', class: 'hint', hidden: true });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'tasks', id: 'tasks-table' },
    h('caption', { class: 'visually-hidden' }, 'Tasks, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Task', 'Title', 'Project', 'Status', 'Agent', 'Grade', 'Pull request', 'Updated'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    body,
  );
  const empty = h('p', { class: 'muted', id: 'no-tasks', hidden: true });

  const render = () => {
    replace(body, rows.map(taskRow));
    const first = query.offset + 1;
    const last = query.offset + rows.length;
    range.textContent =
      rows.length === 0
        ? `0 of ${total.toLocaleString()}`
        : `${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`;
    previous.disabled = query.offset === 0;
    next.disabled = last >= total;
    empty.hidden = rows.length > 0;
    empty.textContent =
      total === 0 && !isFiltered(query)
        ? 'No tasks yet: submit one above.'
        : total === 0
          ? 'No task matches these filters.'
          : 'No tasks on this page.';
    hint.hidden = unseen.size === 0;
    hint.textContent = `${String(unseen.size)} new task${unseen.size === 1 ? '' : 's'}: show`;
  };

  const load = async () => {
    const read = ++reads;
    early ??= [];
    // Kept in the hash without a hashchange (which would rebuild the view and lose the focus).
    lastListHash = `#/${queryString(query) === '' ? '' : `?${queryString(query)}`}`;
    history.replaceState(null, '', lastListHash);
    try {
      // Off the first page or filtered, the newest task overall says which later ones are new.
      const [page, latest] = await Promise.all([
        apiJson(`/tasks?${queryString(query, true)}`, { signal: context.signal }),
        isLivePage() ? undefined : apiJson('/tasks?limit=1', { signal: context.signal }),
      ]);
      if (read !== reads) return;
      rows = page.tasks;
      total = page.total;
      newest = (isLivePage() ? rows[0] : latest?.tasks[0])?.created_at ?? '';
      unseen.clear();
      const waiting = early ?? [];
      early = undefined;
      for (const task of waiting) apply(task);
      render();
    } catch (error) {
      if (read !== reads) return;
      early = undefined;
      if (!context.signal.aborted) context.notify(errorText(error), true);
    }
  };

  /** @param {TaskSummary} task */
  const apply = (task) => {
    const index = rows.findIndex((row) => row.id === task.id);
    const known = rows[index];
    if (known !== undefined) {
      // The feed and the list may cross: the newer row wins.
      if (known.updated_at <= task.updated_at) rows[index] = task;
    } else if (task.created_at > newest && matches(task, query)) {
      if (isLivePage()) {
        rows = [task, ...rows].sort(newestFirst).slice(0, query.limit);
        total++;
      } else {
        unseen.add(task.id);
      }
    }
  };

  const isLivePage = () => query.offset === 0 && !isFiltered(query);

  /** A filter changed: back to the first page. */
  const refilter = () => {
    query.status = status.value;
    query.project = project.value;
    query.agent = agent.value;
    query.q = search.value.trim();
    query.limit = Number(size.value);
    query.offset = 0;
    void load();
  };
  for (const control of [status, project, agent, size]) control.addEventListener('change', refilter);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typing;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(refilter, 300);
  });
  context.signal.addEventListener('abort', () => clearTimeout(typing));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(typing);
    refilter();
  });
  previous.addEventListener('click', () => {
    query.offset = Math.max(0, query.offset - query.limit);
    void load();
  });
  next.addEventListener('click', () => {
    query.offset += query.limit;
    void load();
  });
  hint.addEventListener('click', () => {
    query.offset = 0;
    void load();
  });

  // The choices: the projects and agents this server knows, and a value from a shared link.
  apiJson('/api/projects', { signal: context.signal }).then(
    (/** @type {import('@agent-harness/core').ProjectListResponse} */ projects) =>
      addOptions(
        project,
        projects.map((p) => p.name),
      ),
    () => undefined,
  );
  apiJson('/api/agents', { signal: context.signal }).then(
    (/** @type {import('@agent-harness/core').AgentListResponse} */ answer) =>
      addOptions(
        agent,
        answer.agents.map((a) => a.name),
      ),
    () => undefined,
  );

  return {
    element: [filters, pager, hint, table, empty],
    reload: () => void load(),
    /** @param {TaskSummary} task */
    update: (task) => {
      if (early !== undefined) {
        early.push(task);
        return;
      }
      apply(task);
      render();
    },
  };
}

/**
 * @param {TaskSummary} a
 * @param {TaskSummary} b
 */
function newestFirst(a, b) {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.id < b.id ? 1 : -1;
}

/**
 * A select with an "any" choice (when `any` is given) and the given values, one chosen.
 * @param {string} id
 * @param {string} any
 * @param {string[]} values
 * @param {string} chosen
 */
function select(id, any, values, chosen) {
  const element = h(
    'select',
    { id, name: id },
    any === '' ? null : h('option', { value: '' }, any),
    values.map((v) => h('option', { value: v }, v)),
  );
  addOptions(element, chosen === '' ? [] : [chosen]);
  element.value = chosen;
  return element;
}

/**
 * Adds the values a select does not offer yet, keeping its choice.
 * @param {HTMLSelectElement} element
 * @param {string[]} values
 */
function addOptions(element, values) {
  const offered = new Set([...element.options].map((o) => o.value));
  for (const value of values) {
    if (!offered.has(value)) element.append(h('option', { value }, value));
    offered.add(value);
  }
}

/** @param {TaskSummary} task */
function taskRow(task) {
  const link = h('a', { href: `#/tasks/${task.id}` }, task.id.slice(0, 8));
  return h(
    'tr',
    { 'data-task-id': task.id },
    h('td', { class: 'mono' }, link),
    h('td', { title: task.error ?? task.title }, cut(task.title, 90)),
    h('td', {}, task.project),
    h('td', { class: 'status-cell' }, statusBadge(task.status)),
    h('td', {}, task.agent ?? '–'),
    h('td', {}, gradeBadge(task.grade)),
    h('td', {}, externalLink(task.pr_url, task.pr_number === null ? 'PR' : `#${String(task.pr_number)}`) ?? '–'),
    h('td', {}, time(task.updated_at)),
  );
}

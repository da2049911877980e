// @ts-check
// The projects view: each project with its limit, its running and queued tasks and its health
// (GET /api/projects + GET /api/dashboard), refreshed when the live feed reports a change; a form
// to add a project (POST /api/projects) and one to edit a project's settings (PATCH
// /api/projects/:name). The server checks everything and its refusals are shown as it words them
// (a project of the config file is a 409: it is changed in the file).
import { apiJson, errorText, patchJson, postJson } from './api.js';
import { gradeBadge, h, replace } from './dom.js';

/** @typedef {import('@agent-harness/core').ProjectJson} ProjectJson */

/**
 * @param {HTMLElement} view
 * @param {import('./app.js').ViewContext} context
 */
export function projectsView(view, context) {
  const global = h('p', { id: 'projects-global' });
  const healthNote = h(
    'p',
    { class: 'muted', id: 'health-note' },
    'Health is a project’s last 30 days of task success, validation, review, rule scans and stability; each task has its own grade on its page.',
  );
  const body = h('tbody');
  /** @type {string[]} */
  const agents = [];
  const editor = projectEditor(context, agents, () => void load());
  replace(
    view,
    h('h1', {}, 'Projects'),
    global,
    healthNote,
    h(
      'table',
      { class: 'projects', id: 'projects-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Project',
            'Root',
            'Limit',
            'Running',
            'Queued',
            'Done',
            'Failed',
            'Health (30 days)',
            'Default agent',
            'Repository',
            'Base branch',
            'State',
            'Edit',
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
    editor.element,
    addForm(context, agents, () => void load()),
  );

  const load = async () => {
    try {
      const [projects, dashboard] = await Promise.all([
        /** @type {Promise<ProjectJson[]>} */ (apiJson('/api/projects', { signal: context.signal })),
        apiJson('/api/dashboard', { signal: context.signal }),
      ]);
      /** @type {Map<string, any>} */
      const counts = new Map(dashboard.projects.map((/** @type {any} */ p) => [p.id, p]));
      const g = dashboard.global;
      replace(
        global,
        `All projects: ${String(g.running)} running of at most ${String(g.max_concurrent)} at once, ${String(g.queued)} queued. Health of all projects (30 days): `,
        gradeBadge(g.grade),
        g.score === null ? ' (no telemetry yet)' : ` (score ${String(g.score)})`,
      );
      replace(
        body,
        projects.map((p) => {
          const c = counts.get(p.name);
          const edit = h(
            'button',
            { type: 'button', class: 'secondary', 'data-edit': p.name, 'aria-label': `Edit ${p.name}` },
            'Edit',
          );
          edit.addEventListener('click', () => editor.open(p));
          return h(
            'tr',
            { 'data-project': p.name },
            h('td', {}, h('b', {}, p.name), p.default ? [' ', h('span', { class: 'tag' }, 'default')] : null),
            h('td', { class: 'mono' }, p.root),
            h(
              'td',
              { 'data-col': 'limit' },
              p.max_concurrent === null ? `global (${String(g.max_concurrent)})` : String(p.max_concurrent),
            ),
            h('td', { 'data-col': 'running' }, String(c?.tasks.running ?? 0)),
            h('td', { 'data-col': 'queued' }, String(c?.tasks.queued ?? 0)),
            h('td', { 'data-col': 'done' }, String(c?.tasks.done ?? 0)),
            h('td', { 'data-col': 'failed' }, String(c?.tasks.failed ?? 0)),
            h('td', {}, gradeBadge(c?.grade), c?.score == null ? '' : ` ${String(c.score)}`),
            h('td', { 'data-col': 'agent' }, p.default_agent ?? '–'),
            h('td', { 'data-col': 'repo' }, p.repo ?? '–'),
            h('td', { 'data-col': 'base' }, p.base_branch ?? '–'),
            h(
              'td',
              { 'data-col': 'state' },
              p.active ? 'active' : 'inactive',
              h('span', { class: 'muted' }, ` (${p.origin === 'config' ? 'config file' : 'API'})`),
            ),
            h('td', {}, edit),
          );
        }),
      );
    } catch (error) {
      if (!context.signal.aborted) context.notify(errorText(error), true);
    }
  };

  // The agents a project may default to: this server's, and `auto`.
  apiJson('/api/agents', { signal: context.signal }).then(
    (/** @type {import('@agent-harness/core').AgentListResponse} */ answer) => {
      agents.push(...answer.agents.map((a) => a.name), 'auto');
      for (const select of view.querySelectorAll('select[name="default_agent"]')) {
        for (const name of agents) select.append(h('option', { value: name }, name));
      }
    },
    () => undefined,
  );

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  context.signal.addEventListener('abort', () => clearTimeout(timer));
  context.feed(() => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 200);
  });
}

/**
 * The settings both forms have; `prefix` keeps their ids apart.
 * @param {string} prefix
 * @param {string[]} agents
 */
function settingFields(prefix, agents) {
  const fields = {
    max_concurrent: h('input', {
      id: `${prefix}-max-concurrent`,
      name: 'max_concurrent',
      type: 'number',
      min: 1,
      step: 1,
      placeholder: 'the global limit',
    }),
    default_agent: h(
      'select',
      { id: `${prefix}-default-agent`, name: 'default_agent' },
      h('option', { value: '' }, 'server default'),
      agents.map((a) => h('option', { value: a }, a)),
    ),
    repo: h('input', { id: `${prefix}-repo`, name: 'repo', maxlength: 200, placeholder: 'owner/name' }),
    base_branch: h('input', { id: `${prefix}-base-branch`, name: 'base_branch', maxlength: 255, placeholder: 'main' }),
    active: h('input', { id: `${prefix}-active`, name: 'active', type: 'checkbox', checked: true }),
  };
  const labels = [
    h('label', {}, 'Max concurrent tasks', fields.max_concurrent),
    h('label', {}, 'Default agent', fields.default_agent),
    h('label', {}, 'GitHub repository', fields.repo),
    h('label', {}, 'Base branch', fields.base_branch),
    h('label', { class: 'check' }, fields.active, 'Active (takes new tasks)'),
  ];
  /**
   * The fields filled in: an empty one is left out (the server keeps, or defaults, its value).
   * @returns {Record<string, string | number | boolean>}
   */
  const values = () => ({
    ...(fields.max_concurrent.value === '' ? {} : { max_concurrent: Number(fields.max_concurrent.value) }),
    ...(fields.default_agent.value === '' ? {} : { default_agent: fields.default_agent.value }),
    ...(fields.repo.value.trim() === '' ? {} : { repo: fields.repo.value.trim() }),
    ...(fields.base_branch.value.trim() === '' ? {} : { base_branch: fields.base_branch.value.trim() }),
    active: fields.active.checked,
  });
  return { fields, labels, values };
}

/**
 * Register a project: `POST /api/projects`.
 * @param {import('./app.js').ViewContext} context
 * @param {string[]} agents
 * @param {() => void} reload
 */
function addForm(context, agents, reload) {
  const name = h('input', {
    id: 'add-name',
    name: 'name',
    required: true,
    maxlength: 200,
    pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*',
    placeholder: 'my-app',
  });
  const root = h('input', {
    id: 'add-root',
    name: 'root',
    required: true,
    maxlength: 4096,
    placeholder: '/srv/src/my-app (the top of a git repository on the server)',
  });
  const settings = settingFields('add', agents);
  const error = h('p', { class: 'error', id: 'add-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', id: 'add-button' }, 'Add project');
  const form = h(
    'form',
    { class: 'submit', id: 'add-project', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Add a project'),
    h('label', {}, 'Name', name),
    h('label', {}, 'Root', root),
    settings.labels,
    h('div', { class: 'wide actions' }, button, error),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    postJson('/api/projects', { name: name.value.trim(), root: root.value.trim(), ...settings.values() })
      .then((/** @type {ProjectJson} */ project) => {
        form.reset();
        context.notify(`Added project ${project.name}.`);
        reload();
      })
      .catch((/** @type {unknown} */ failure) => {
        error.hidden = false;
        error.textContent = errorText(failure);
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return form;
}

/**
 * Change a project's settings: `PATCH /api/projects/:name` with the fields that differ. Name and
 * root stay (the API does not move a project).
 * @param {import('./app.js').ViewContext} context
 * @param {string[]} agents
 * @param {() => void} reload
 */
function projectEditor(context, agents, reload) {
  const title = h('h2', { id: 'edit-title', tabindex: '-1' });
  const settings = settingFields('edit', agents);
  const error = h('p', { class: 'error', id: 'edit-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', id: 'edit-save' }, 'Save');
  const close = h('button', { type: 'button', class: 'secondary', id: 'edit-cancel' }, 'Cancel');
  const form = h(
    'form',
    { class: 'submit', id: 'edit-project', 'aria-labelledby': 'edit-title', hidden: true },
    title,
    settings.labels,
    h('div', { class: 'wide actions' }, save, close, error),
  );
  /** @type {ProjectJson | undefined} */
  let editing;
  close.addEventListener('click', () => {
    form.hidden = true;
    editing = undefined;
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const project = editing;
    if (project === undefined) return;
    const given = settings.values();
    /** @type {Record<string, unknown>} */
    const current = { ...project };
    // Only what changed: a project of the config file refuses any change, and says why.
    const changes = Object.fromEntries(Object.entries(given).filter(([field, value]) => current[field] !== value));
    error.hidden = true;
    save.disabled = true;
    patchJson(`/api/projects/${encodeURIComponent(project.name)}`, changes)
      .then((/** @type {ProjectJson} */ saved) => {
        form.hidden = true;
        editing = undefined;
        context.notify(`Saved project ${saved.name}.`);
        reload();
      })
      .catch((/** @type {unknown} */ failure) => {
        error.hidden = false;
        error.textContent = errorText(failure);
      })
      .finally(() => {
        save.disabled = false;
      });
  });
  return {
    element: form,
    /** @param {ProjectJson} project */
    open: (project) => {
      editing = project;
      const { fields } = settings;
      title.textContent = `Edit project ${project.name}`;
      fields.max_concurrent.value = project.max_concurrent === null ? '' : String(project.max_concurrent);
      if (
        project.default_agent !== null &&
        ![...fields.default_agent.options].some((o) => o.value === project.default_agent)
      )
        fields.default_agent.append(h('option', { value: project.default_agent }, project.default_agent));
      fields.default_agent.value = project.default_agent ?? '';
      fields.repo.value = project.repo ?? '';
      fields.base_branch.value = project.base_branch ?? '';
      fields.active.checked = project.active;
      error.hidden = true;
      form.hidden = false;
      title.focus();
    },
  };
}

// @ts-check
// The projects view: each project with its limit, its running and queued tasks and its grade
// (GET /api/projects + GET /api/dashboard), refreshed when the live feed reports a change.
import { apiJson } from './api.js';
import { gradeBadge, h, replace } from './dom.js';

/**
 * @param {HTMLElement} view
 * @param {import('./app.js').ViewContext} context
 */
export function projectsView(view, context) {
  const global = h('p', { id: 'projects-global' });
  const body = h('tbody');
  replace(
    view,
    h('h1', {}, 'Projects'),
    global,
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
            'Grade',
            'Default agent',
            'Repository',
            'Base branch',
            'State',
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
  );

  const load = async () => {
    try {
      const [projects, dashboard] = await Promise.all([
        apiJson('/api/projects', { signal: context.signal }),
        apiJson('/api/dashboard', { signal: context.signal }),
      ]);
      /** @type {Map<string, any>} */
      const counts = new Map(dashboard.projects.map((/** @type {any} */ p) => [p.id, p]));
      const g = dashboard.global;
      replace(
        global,
        `All projects: ${String(g.running)} running of at most ${String(g.max_concurrent)} at once, ${String(g.queued)} queued; grade `,
        gradeBadge(g.grade),
        g.score === null ? '' : ` (score ${String(g.score)})`,
      );
      replace(
        body,
        projects.map((/** @type {any} */ p) => {
          const c = counts.get(p.name);
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
            h('td', {}, p.default_agent ?? '–'),
            h('td', {}, p.repo ?? '–'),
            h('td', {}, p.base_branch ?? '–'),
            h('td', {}, p.active ? 'active' : 'inactive', h('span', { class: 'muted' }, ` (${String(p.origin)})`)),
          );
        }),
      );
    } catch (error) {
      if (!context.signal.aborted) context.notify(error instanceof Error ? error.message : String(error), true);
    }
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  context.signal.addEventListener('abort', () => clearTimeout(timer));
  context.feed(() => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 200);
  });
}

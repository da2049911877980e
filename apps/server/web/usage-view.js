// @ts-check
/* global history, ResizeObserver, URLSearchParams */
// The usage view: spend and tokens per day and per project over the last 7 or 30 days, from
// GET /api/usage, as two charts (uPlot, served by this server: the CSP allows no other origin) and
// as a plain table of the same numbers (the accessible reading of the charts).
import { apiJson, errorText } from './api.js';
import { h, replace } from './dom.js';

/** @typedef {typeof import('uplot')} UPlot */
/** @typedef {import('@agent-harness/core').UsageResponse} UsageResponse */

/** Loaded on the first visit of this view only: the other views never need it. */
const UPLOT_URL = '/web/uplot.esm.js';
const RANGES = [7, 30];
/** Series colours, each at least 4.5:1 against white. */
const COLOURS = ['#0969da', '#1a7f37', '#bf3989', '#9a6700', '#8250df', '#cf222e', '#1b7c83', '#57606a'];
const CHART_HEIGHT = 240;
const SPEND_CAPTION = 'Spend per day (USD), by project';
const TOKEN_CAPTION = 'Tokens per day (input + output), by project';
const DAY_MS = 86_400_000;

/** @type {Promise<UPlot> | undefined} */
let uPlotLoading;

/** uPlot's class, imported once (a variable URL: the type-check does not look for the file). */
function loadUPlot() {
  const url = UPLOT_URL;
  uPlotLoading ??= import(url).then((module) => /** @type {UPlot} */ (module.default));
  return uPlotLoading;
}

/**
 * The day `n` days before a day, both "YYYY-MM-DD".
 * @param {string} day
 * @param {number} n
 */
function daysBefore(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Every day from `since` to `until`, inclusive.
 * @param {string} since
 * @param {string} until
 */
function daysFrom(since, until) {
  const days = [];
  for (let day = since; day <= until; day = daysBefore(day, -1)) days.push(day);
  return days;
}

const money = (/** @type {number} */ usd) => `$${usd.toFixed(2)}`;
const count = (/** @type {number} */ n) => n.toLocaleString();
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/**
 * @param {HTMLElement} view
 * @param {import('./app.js').ViewContext} context
 * @param {URLSearchParams} params `days` (7 or 30) and `project`
 */
export function usageView(view, context, params) {
  const days = Number(params.get('days'));
  const query = { days: RANGES.includes(days) ? days : 7, project: (params.get('project') ?? '').slice(0, 200) };

  const range = h(
    'select',
    { id: 'usage-range', name: 'days' },
    RANGES.map((n) => h('option', { value: String(n), selected: n === query.days }, `Last ${String(n)} days`)),
  );
  const project = h('select', { id: 'usage-project', name: 'project' }, h('option', { value: '' }, 'All projects'));
  if (query.project !== '') project.append(h('option', { value: query.project, selected: true }, query.project));
  const totals = h('p', { id: 'usage-totals', 'aria-live': 'polite' }, 'Loading…');
  const spendChart = chartBox('usage-spend-chart', SPEND_CAPTION);
  const tokenChart = chartBox('usage-token-chart', TOKEN_CAPTION);
  const tables = h('div', { id: 'usage-tables' });
  replace(
    view,
    h('h1', {}, 'Usage'),
    h(
      'form',
      { class: 'filters', id: 'usage-filters', 'aria-label': 'Usage range' },
      h('label', {}, 'Range', range),
      h('label', {}, 'Project', project),
    ),
    totals,
    h('div', { class: 'charts' }, figure(SPEND_CAPTION, spendChart), figure(TOKEN_CAPTION, tokenChart)),
    tables,
  );

  /** @type {import('uplot')[]} */
  let charts = [];
  const resize = new ResizeObserver(() => {
    for (const chart of charts) chart.setSize({ width: chartWidth(chart.root.parentElement), height: CHART_HEIGHT });
  });
  resize.observe(spendChart);
  context.signal.addEventListener('abort', () => {
    resize.disconnect();
    for (const chart of charts) chart.destroy();
  });

  /** The server's spend day today ("YYYY-MM-DD"): the ranges end on it. */
  /** @type {string | undefined} */
  let today;
  let reads = 0;
  const load = async () => {
    const read = ++reads;
    const hashQuery = new URLSearchParams();
    if (query.days !== 7) hashQuery.set('days', String(query.days));
    if (query.project !== '') hashQuery.set('project', query.project);
    history.replaceState(null, '', `#/usage${hashQuery.size === 0 ? '' : `?${hashQuery.toString()}`}`);
    try {
      today ??= /** @type {UsageResponse} */ (await apiJson('/api/usage?since=today', { signal: context.signal }))
        .until;
      const ask = new URLSearchParams({ since: daysBefore(today, query.days - 1), until: today });
      if (query.project !== '') ask.set('project', query.project);
      const [usage, uPlot] = await Promise.all([
        /** @type {Promise<UsageResponse>} */ (apiJson(`/api/usage?${ask.toString()}`, { signal: context.signal })),
        loadUPlot(),
      ]);
      if (read !== reads || context.signal.aborted) return;
      const table = byDayAndProject(usage);
      totals.textContent =
        `${usage.since} to ${usage.until}: ${money(usage.totals.cost_usd)}, ` +
        `${count(usage.totals.tokens.input)} input and ${count(usage.totals.tokens.output)} output tokens in ${count(usage.totals.runs)} agent run${usage.totals.runs === 1 ? '' : 's'}` +
        (usage.totals.fallback_priced_runs === 0
          ? '.'
          : ` (${count(usage.totals.fallback_priced_runs)} priced at the fallback rate: a guess).`);
      for (const chart of charts) chart.destroy();
      charts = [];
      if (table.projects.length === 0) {
        replace(spendChart, h('p', { class: 'muted' }, 'No agent runs in these days.'));
        replace(tokenChart, h('p', { class: 'muted' }, 'No agent runs in these days.'));
      } else {
        replace(spendChart);
        replace(tokenChart);
        charts = [
          lineChart(uPlot, spendChart, table, (cell) => cell.cost, money),
          lineChart(
            uPlot,
            tokenChart,
            table,
            (cell) => cell.input + cell.output,
            (n) => compact.format(n),
          ),
        ];
      }
      replace(tables, numbersTable(table, usage), projectTable(table));
    } catch (error) {
      if (!context.signal.aborted && read === reads) context.notify(errorText(error), true);
    }
  };

  range.addEventListener('change', () => {
    query.days = Number(range.value);
    void load();
  });
  project.addEventListener('change', () => {
    query.project = project.value;
    void load();
  });
  apiJson('/api/projects', { signal: context.signal }).then(
    (/** @type {import('@agent-harness/core').ProjectListResponse} */ projects) => {
      const offered = new Set([...project.options].map((o) => o.value));
      for (const p of projects) if (!offered.has(p.name)) project.append(h('option', { value: p.name }, p.name));
    },
    () => undefined,
  );

  // Agent runs are recorded as they end: read again when tasks change, at most every 2 s.
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  context.signal.addEventListener('abort', () => clearTimeout(timer));
  context.feed((message) => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), message.kind === 'ready' ? 0 : 2000);
  });
}

/**
 * One day and project's numbers.
 * @typedef {{ runs: number, input: number, output: number, cost: number }} Cell
 * @typedef {{ days: string[], projects: string[], cells: Map<string, Cell> }} UsageTable
 */

/**
 * The report's groups (one per day, project, agent and model) summed by day and project, every day
 * of the range listed (a day without runs counts 0).
 * @param {UsageResponse} usage
 * @returns {UsageTable}
 */
function byDayAndProject(usage) {
  /** @type {Map<string, Cell>} */
  const cells = new Map();
  for (const g of usage.groups) {
    const key = `${g.day} ${g.project}`;
    const cell = cells.get(key) ?? { runs: 0, input: 0, output: 0, cost: 0 };
    cell.runs += g.runs;
    cell.input += g.tokens.input;
    cell.output += g.tokens.output;
    cell.cost += g.cost_usd;
    cells.set(key, cell);
  }
  const projects = [...new Set(usage.groups.map((g) => g.project))].sort();
  return { days: daysFrom(usage.since, usage.until), projects, cells };
}

/**
 * @param {UsageTable} table
 * @param {string} day
 * @param {string} project
 * @returns {Cell}
 */
function cellOf(table, day, project) {
  return table.cells.get(`${day} ${project}`) ?? { runs: 0, input: 0, output: 0, cost: 0 };
}

/**
 * Where a chart is drawn: an image to assistive technology, named after what it shows and pointing
 * to the table that has its numbers.
 * @param {string} id
 * @param {string} caption
 */
function chartBox(id, caption) {
  return h('div', { class: 'chart', id, role: 'img', 'aria-label': `${caption}: the numbers are in the table below` });
}

/**
 * @param {string} caption
 * @param {HTMLElement} chart
 */
function figure(caption, chart) {
  return h('figure', { class: 'panel chart-panel' }, h('figcaption', {}, caption), chart);
}

/** @param {HTMLElement | null} element */
function chartWidth(element) {
  return Math.max(280, (element?.clientWidth ?? 600) - 4);
}

/**
 * One line per project over the days, its points marked.
 * @param {UPlot} uPlot
 * @param {HTMLElement} target
 * @param {UsageTable} table
 * @param {(cell: Cell) => number} value
 * @param {(n: number) => string} format
 */
function lineChart(uPlot, target, table, value, format) {
  /** @type {import('uplot').AlignedData} */
  const data = [
    table.days.map((_, i) => i),
    ...table.projects.map((p) => table.days.map((day) => value(cellOf(table, day, p)))),
  ];
  /** @type {import('uplot').Options} */
  const options = {
    width: chartWidth(target),
    height: CHART_HEIGHT,
    // Days by index: the labels are the server's spend days, whatever this browser's time zone.
    scales: { x: { time: false } },
    series: [
      { label: 'Day', value: (_u, i) => (i === null ? '–' : (table.days[i] ?? '')) },
      ...table.projects.map((project, i) => ({
        label: project,
        stroke: COLOURS[i % COLOURS.length],
        width: 2,
        points: { show: true, size: 6 },
        value: (/** @type {unknown} */ _u, /** @type {number | null} */ v) => (v === null ? '–' : format(v)),
      })),
    ],
    axes: [
      {
        incrs: [1, 2, 5, 7, 14],
        values: (_u, splits) => splits.map((i) => table.days[i]?.slice(5) ?? ''),
      },
      { size: 64, values: (_u, splits) => splits.map(format) },
    ],
  };
  return new uPlot(options, data, target);
}

/**
 * The same numbers as the charts: a row per day and project (days with runs), newest first, and
 * the range's totals.
 * @param {UsageTable} table
 * @param {UsageResponse} usage
 */
function numbersTable(table, usage) {
  const rows = [];
  for (const day of [...table.days].reverse()) {
    for (const project of table.projects) {
      const cell = table.cells.get(`${day} ${project}`);
      if (cell === undefined) continue;
      rows.push(
        h(
          'tr',
          { 'data-day': day, 'data-project': project },
          h('th', { scope: 'row' }, day),
          h('td', {}, project),
          h('td', { class: 'num' }, count(cell.runs)),
          h('td', { class: 'num' }, count(cell.input)),
          h('td', { class: 'num' }, count(cell.output)),
          h('td', { class: 'num' }, money(cell.cost)),
        ),
      );
    }
  }
  const t = usage.totals;
  return h(
    'table',
    { class: 'usage', id: 'usage-table' },
    h('caption', {}, 'Per day and project'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Day', 'Project', 'Runs', 'Input tokens', 'Output tokens', 'Cost'].map((c, i) =>
          h('th', { scope: 'col', class: i > 1 ? 'num' : undefined }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0 ? h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No agent runs in these days.')) : rows,
    ),
    h(
      'tfoot',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, 'Total'),
        h('td', {}, ''),
        h('td', { class: 'num' }, count(t.runs)),
        h('td', { class: 'num' }, count(t.tokens.input)),
        h('td', { class: 'num' }, count(t.tokens.output)),
        h('td', { class: 'num' }, money(t.cost_usd)),
      ),
    ),
  );
}

/**
 * Each project's sums over the range.
 * @param {UsageTable} table
 */
function projectTable(table) {
  return h(
    'table',
    { class: 'usage', id: 'usage-projects' },
    h('caption', {}, 'Per project'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Project', 'Runs', 'Input tokens', 'Output tokens', 'Cost'].map((c, i) =>
          h('th', { scope: 'col', class: i > 0 ? 'num' : undefined }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      table.projects.map((project) => {
        const sum = table.days
          .map((day) => cellOf(table, day, project))
          .reduce((a, b) => ({
            runs: a.runs + b.runs,
            input: a.input + b.input,
            output: a.output + b.output,
            cost: a.cost + b.cost,
          }));
        return h(
          'tr',
          { 'data-project': project },
          h('th', { scope: 'row' }, project),
          h('td', { class: 'num' }, count(sum.runs)),
          h('td', { class: 'num' }, count(sum.input)),
          h('td', { class: 'num' }, count(sum.output)),
          h('td', { class: 'num' }, money(sum.cost)),
        );
      }),
    ),
  );
}

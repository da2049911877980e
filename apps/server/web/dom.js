// @ts-check
/* global document */
// DOM helpers. Everything shown comes from tasks, agents and users: it becomes text nodes and
// attributes, never markup: no HTML is ever parsed from data.

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>} Props
 */

/**
 * An element with attributes (`on…` functions become listeners) and children (strings become text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces an element's children.
 * @param {Element} parent
 * @param {...(Child | Child[])} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * A link for a URL from the server (a pull request): only http(s), opened in a new tab.
 * @param {string | null | undefined} url
 * @param {string} [text]
 * @returns {HTMLAnchorElement | null}
 */
export function externalLink(url, text) {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return null;
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text ?? url);
}

/** Every task status, in the order a task goes through them (the API's own list). */
export const TASK_STATUSES = [
  'queued',
  'preparing',
  'running',
  'validating',
  'committing',
  'reviewing',
  // Not running: its pull request's CI is watched, or a person must approve its next step.
  'waiting_ci',
  'awaiting_approval',
  'done',
  'failed',
  'cancelled',
];
const STATUSES = new Set(TASK_STATUSES);

/** Statuses a task never leaves. */
export const TERMINAL = new Set(['done', 'failed', 'cancelled']);

/**
 * A status badge; its class comes from the known statuses only.
 * @param {string} status
 */
export function statusBadge(status) {
  return h(
    'span',
    { class: `status ${STATUSES.has(status) ? `status-${status}` : ''}`, 'data-status': status },
    status,
  );
}

/**
 * A grade badge (A–F), or a dash.
 * @param {string | null | undefined} grade
 */
export function gradeBadge(grade) {
  if (typeof grade !== 'string' || !/^[A-F]$/.test(grade)) return h('span', { class: 'muted' }, '–');
  return h('span', { class: `grade grade-${grade}` }, grade);
}

/**
 * A time as the browser's locale shows it, with the ISO value in the title.
 * @param {string | null | undefined} iso
 */
export function time(iso) {
  if (typeof iso !== 'string') return h('span', { class: 'muted' }, '–');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h('span', {}, iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString());
}

/**
 * Text cut to `max` characters.
 * @param {string} text
 * @param {number} max
 */
export function cut(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// @ts-check
/* global document, window, AbortController, URLSearchParams */
// The dashboard: a hash router over four views, and the one live feed of every task's status
// (GET /api/tasks/stream) that the views listen to. A view's settings (filters, page, range) are
// the hash's query (`#/?status=failed&offset=50`, `#/usage?days=30`): a reload or a shared link
// keeps them.
import { readServerEvents } from './api.js';
import { replace } from './dom.js';
import { projectsView } from './projects-view.js';
import { taskView } from './task-view.js';
import { tasksView } from './tasks-view.js';
import { usageView } from './usage-view.js';

/**
 * What a view hears from the live feed: `ready` when the feed (re)connected (read the list now),
 * `task` with a task's summary after each status change.
 * @typedef {{ kind: 'ready' } | { kind: 'task', task: import('./task-list.js').TaskSummary }} FeedMessage
 * @typedef {{ feed: (listener: (message: FeedMessage) => void) => void, notify: (text: string, isError?: boolean) => void, signal: AbortSignal }} ViewContext
 */

/** @type {Set<(message: FeedMessage) => void>} */
const listeners = new Set();
let isFeedReady = false;

function startFeed() {
  const live = /** @type {HTMLElement} */ (document.getElementById('live'));
  /** @param {string} state */
  const show = (state) => {
    live.dataset['state'] = state;
    live.textContent = state === 'live' ? 'live' : 'reconnecting…';
  };
  void readServerEvents('/api/tasks/stream', {
    signal: new AbortController().signal,
    onState: (state) => {
      if (state !== 'live') isFeedReady = false;
      show(state === 'live' ? 'connecting' : state);
    },
    onEvent: (frame) => {
      if (frame.event === 'ready') {
        isFeedReady = true;
        show('live');
        for (const listener of listeners) listener({ kind: 'ready' });
      } else if (frame.event === 'task') {
        const task = JSON.parse(frame.data);
        for (const listener of listeners) listener({ kind: 'task', task });
      }
    },
  });
}

/**
 * Shows a line above the view (a submit's answer, an error), or hides it.
 * @param {string} text
 * @param {boolean} [isError]
 */
function notify(text, isError = false) {
  const notice = /** @type {HTMLElement} */ (document.getElementById('notice'));
  notice.textContent = text;
  notice.hidden = text === '';
  notice.classList.toggle('notice-error', isError);
}

/** @type {AbortController | undefined} */
let current;

function route() {
  current?.abort();
  listeners.clear();
  const controller = new AbortController();
  current = controller;
  const view = /** @type {HTMLElement} */ (document.getElementById('view'));
  replace(view);
  notify('');
  /** @type {ViewContext} */
  const context = {
    signal: controller.signal,
    notify,
    feed: (listener) => {
      listeners.add(listener);
      // A view opened after the feed is live reads its data now.
      if (isFeedReady) listener({ kind: 'ready' });
    },
  };
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?', 2);
  const params = new URLSearchParams(query);
  const task = /^\/tasks\/([0-9a-fA-F-]{8,36})$/.exec(path);
  const name = task !== null ? 'task' : path === '/projects' ? 'projects' : path === '/usage' ? 'usage' : 'tasks';
  for (const link of document.querySelectorAll('nav a')) {
    const isCurrent = link.getAttribute('data-nav') === name;
    link.classList.toggle('active', isCurrent);
    if (isCurrent) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (task?.[1] !== undefined) taskView(view, context, task[1]);
  else if (name === 'projects') projectsView(view, context);
  else if (name === 'usage') usageView(view, context, params);
  else tasksView(view, context, params);
}

window.addEventListener('hashchange', route);
route();
startFeed();

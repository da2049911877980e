// @ts-check
/* global document, window, AbortController */
// The dashboard: a hash router over three views, and the one live feed of every task's status
// (GET /api/tasks/stream) that the views listen to.
import { readServerEvents } from './api.js';
import { replace } from './dom.js';
import { projectsView } from './projects-view.js';
import { taskView } from './task-view.js';
import { tasksView } from './tasks-view.js';

/**
 * What a view hears from the live feed: `ready` when the feed (re)connected (read the list now),
 * `task` with a task's summary after each status change.
 * @typedef {{ kind: 'ready' } | { kind: 'task', task: import('./tasks-view.js').TaskSummary }} FeedMessage
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
  const task = /^\/tasks\/([0-9a-fA-F-]{8,36})$/.exec(hash);
  const name = task !== null ? 'tasks' : hash === '/projects' ? 'projects' : 'tasks';
  for (const link of document.querySelectorAll('nav a')) {
    link.classList.toggle('active', link.getAttribute('data-nav') === name && task === null);
  }
  if (task?.[1] !== undefined) taskView(view, context, task[1]);
  else if (hash === '/projects') projectsView(view, context);
  else tasksView(view, context);
}

window.addEventListener('hashchange', route);
route();
startFeed();

// @ts-check
/* global document, sessionStorage, TextDecoder, Headers */
// The API client of the dashboard: every call sends the bearer token kept in this tab's
// sessionStorage; a 401 asks for the token (once, however many calls were refused) and retries.

const TOKEN_KEY = 'harness.api_token';

/** An API error with the server's code and message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @type {Promise<void> | undefined} */
let asking;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * Shows the token dialog and resolves once a token is entered. Concurrent 401s share one dialog.
 * @param {boolean} refused whether a stored token was just refused
 * @returns {Promise<void>}
 */
function askForToken(refused) {
  asking ??= new Promise((resolve) => {
    const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('token-dialog'));
    const form = /** @type {HTMLFormElement} */ (document.getElementById('token-form'));
    const input = /** @type {HTMLInputElement} */ (document.getElementById('token-input'));
    const error = /** @type {HTMLElement} */ (document.getElementById('token-error'));
    error.hidden = !refused;
    error.textContent = refused ? 'The server refused that token; enter it again.' : '';
    input.value = '';
    /** @param {Event} event */
    const submit = (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (value === '') return;
      sessionStorage.setItem(TOKEN_KEY, value);
      form.removeEventListener('submit', submit);
      dialog.close();
      asking = undefined;
      resolve();
    };
    form.addEventListener('submit', submit);
    // Escape must not leave the page stuck without a token.
    dialog.addEventListener('cancel', (event) => event.preventDefault(), { once: true });
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/**
 * Headers with the token (when one is kept) added.
 * @param {HeadersInit | undefined} given
 */
function withToken(given) {
  const headers = new Headers(given);
  const value = token();
  if (value !== null) headers.set('authorization', `Bearer ${value}`);
  return headers;
}

/**
 * A fetch to the API that asks for the token on 401 and tries again with it.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
export async function apiFetch(path, init = {}) {
  for (;;) {
    const sent = token();
    const res = await fetch(path, { ...init, headers: withToken(init.headers) });
    if (res.status !== 401) return res;
    // Another call may have stored a new token meanwhile: try that one before asking.
    if (token() === sent) await askForToken(sent !== null);
  }
}

/**
 * The parsed JSON of a body, or undefined when it is none.
 * @param {string} text
 * @returns {any}
 */
function parsed(text) {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * An error answer as an ApiError with the server's code and message (`{"error": {code, message}}`).
 * @param {Response} res
 * @param {string} text
 */
function apiError(res, text) {
  const error = parsed(text)?.error;
  return new ApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : 'HTTP_ERROR',
    typeof error?.message === 'string' ? error.message : `HTTP ${String(res.status)}`,
  );
}

/**
 * The JSON body of an API call; an error body becomes an ApiError with the server's message.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
export async function apiJson(path, init) {
  const res = await apiFetch(path, init);
  const text = await res.text();
  if (!res.ok) throw apiError(res, text);
  return parsed(text);
}

/**
 * The body of an API call that answers no JSON (a raw diff), as a Blob: fetched with the token,
 * which a plain link could not send.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<Blob>}
 */
export async function apiBlob(path, init) {
  const res = await apiFetch(path, init);
  if (!res.ok) throw apiError(res, await res.text());
  return res.blob();
}

/**
 * An error as the page shows it: the API's own code and words, else what went wrong.
 * @param {unknown} error
 */
export function errorText(error) {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return error instanceof TypeError ? 'The server could not be reached.' : String(error);
}

/**
 * A POST of a JSON body.
 * @param {string} path
 * @param {unknown} body
 */
export function postJson(path, body) {
  return apiJson(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * A PATCH of a JSON body.
 * @param {string} path
 * @param {unknown} body
 */
export function patchJson(path, body) {
  return apiJson(path, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/**
 * @typedef {{ id: string | undefined, event: string, data: string }} ServerEvent
 * @typedef {{
 *   onEvent: (event: ServerEvent) => boolean | void,
 *   onState?: (state: 'live' | 'reconnecting' | 'ended') => void,
 *   signal: AbortSignal,
 *   lastEventId?: string,
 * }} StreamOptions
 */

/**
 * Hands one event to the page; a page that fails on one event still gets the next ones.
 * @param {StreamOptions} options
 * @param {ServerEvent} frame
 * @returns {boolean} whether the stream is over
 */
function deliver(options, frame) {
  try {
    return options.onEvent(frame) === true;
  } catch (error) {
    console.error('dashboard: could not show an event', error);
    return false;
  }
}

/**
 * Reads server-sent events with fetch (EventSource cannot send the token): frames of `id:`,
 * `event:`, `data:` lines; comments (heartbeats) are skipped. After a cut it reconnects with
 * `Last-Event-ID`, waiting longer each time, until `onEvent` answers true (the stream is over), the
 * server answers 204 (it was over already) or the signal aborts. `lastEventId` starts it after
 * that event (a task's page following a task that was reopened after its end).
 * @param {string} path
 * @param {StreamOptions} options
 */
export async function readServerEvents(path, options) {
  let lastEventId = options.lastEventId;
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      /** @type {Record<string, string>} */
      const headers = { accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const res = await apiFetch(path, { headers, signal: options.signal });
      // 204: the stream was over before this (re)connection; nothing more will come.
      if (res.status === 204) {
        options.onState?.('ended');
        return;
      }
      if (!res.ok || res.body === null) throw new Error(`HTTP ${String(res.status)}`);
      options.onState?.('live');
      failures = 0;
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let pending = '';
      /** @type {ServerEvent} */
      let frame = { id: undefined, event: 'message', data: '' };
      let hasData = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') {
            if (hasData) {
              if (frame.id !== undefined) lastEventId = frame.id;
              if (deliver(options, frame)) {
                await reader.cancel();
                options.onState?.('ended');
                return;
              }
            }
            frame = { id: undefined, event: 'message', data: '' };
            hasData = false;
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') {
            frame.data = hasData ? `${frame.data}\n${value}` : value;
            hasData = true;
          } else if (field === 'event') frame.event = value;
          else if (field === 'id') frame.id = value;
        }
      }
    } catch {
      // A refused or cut connection: try again below.
      if (options.signal.aborted) return;
      failures++;
    }
    if (options.signal.aborted) return;
    options.onState?.('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** Math.min(failures, 5))));
  }
}

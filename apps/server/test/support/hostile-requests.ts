/**
 * A deterministic generator of hostile HTTP requests for the fuzz test: bad JSON, deep nesting,
 * huge numbers, nulls, wrong types, NUL bytes, odd headers, Host and Origin games, bad
 * Last-Event-IDs, unknown routes, wrong methods, big bodies and form bodies.
 */

/** mulberry32: a tiny seeded PRNG, so a failure replays exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface Targets {
  /** `host:port` of the server. */
  readonly host: string;
  /** Ids of tasks that exist. */
  readonly taskIds: readonly string[];
  /** Names of projects that exist. */
  readonly projects: readonly string[];
  /** Roots of directories on disk (repositories and not). */
  readonly roots: readonly string[];
}

type Pick = <T>(items: readonly T[]) => T;

const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e19,
  -1e19,
  2 ** 31,
  2 ** 53,
  1e308,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '1',
  '1e3',
  '0x10',
  '-0',
  'NaN',
  '__proto__',
  'x'.repeat(5000),
  '\u202e\ud800',
  '../../etc/passwd',
  '%00',
  '$(touch /tmp/pwned)',
  [],
  [null],
  [1, 'x'],
  {},
  { a: 1 },
  { toString: 'x' },
];
const FIELDS = [
  'prompt',
  'issue',
  'pr',
  'description',
  'agent',
  'model',
  'project',
  'tasks',
  'issues',
  'name',
  'id',
  'root',
  'max_concurrent',
  'default_agent',
  'repo',
  'base_branch',
  'active',
  '__proto__',
  'constructor',
  'unknown',
  '',
];

function value(random: () => number, pick: Pick, targets: Targets): unknown {
  const r = random();
  if (r < 0.45) return pick(HOSTILE_VALUES);
  if (r < 0.55) return pick(targets.projects);
  if (r < 0.65) return pick(targets.roots);
  if (r < 0.75) return Math.floor(random() * 10 ** Math.floor(random() * 25)) * (random() < 0.2 ? -1 : 1);
  if (r < 0.85) return 'x'.repeat(Math.floor(random() * 2000));
  return String.fromCharCode(
    ...Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * 0x3000)),
  );
}

function object(random: () => number, pick: Pick, targets: Targets, depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const count = Math.floor(random() * 5);
  for (let i = 0; i < count; i++) {
    const key = pick(FIELDS);
    const field =
      depth < 2 && random() < 0.1 ? [object(random, pick, targets, depth + 1)] : value(random, pick, targets);
    // defineProperty, so "__proto__" becomes a field of the JSON rather than the object's prototype.
    Object.defineProperty(result, key, { value: field, enumerable: true, configurable: true, writable: true });
  }
  return result;
}

function nested(random: () => number, levels: number): string {
  const open = random() < 0.5 ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return `${open.repeat(levels)}1${close.repeat(levels)}`;
}

/** A request body: usually a JSON object of hostile fields, sometimes broken, deep, huge or not JSON. */
function body(random: () => number, pick: Pick, targets: Targets): { text: string; contentType: string | undefined } {
  const r = random();
  const json = 'application/json';
  if (r < 0.55) return { text: JSON.stringify(object(random, pick, targets)), contentType: json };
  if (r < 0.62)
    return {
      text: JSON.stringify(object(random, pick, targets)).slice(0, -1 - Math.floor(random() * 5)),
      contentType: json,
    };
  if (r < 0.7) return { text: nested(random, 20 + Math.floor(random() * 3000)), contentType: json };
  if (r < 0.74)
    return {
      text: JSON.stringify({ prompt: 'x'.repeat(900_000 + Math.floor(random() * 400_000)) }),
      contentType: json,
    };
  if (r < 0.8)
    return {
      text: 'prompt=x&project=app',
      contentType: pick([
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/plain',
        undefined,
      ]),
    };
  if (r < 0.86)
    return {
      text: pick(['null', '[]', '"x"', '1', 'true', '{}', '', ' ', '\u0000', '{"a":1}{"b":2}', '{"prompt":"\\ud800"}']),
      contentType: json,
    };
  if (r < 0.9)
    return {
      text: JSON.stringify(object(random, pick, targets)),
      contentType: pick([
        'application/json; charset=latin1',
        'APPLICATION/JSON',
        'application/json;charset="utf-8"',
        'application/jsonx',
        'application/ld+json',
      ]),
    };
  if (r < 0.95)
    return {
      text: JSON.stringify({
        tasks: Array.from({ length: Math.floor(random() * 600) }, () => object(random, pick, targets)),
      }),
      contentType: json,
    };
  return {
    text: JSON.stringify({
      issues: Array.from({ length: Math.floor(random() * 600) }, () => value(random, pick, targets)),
    }),
    contentType: json,
  };
}

/** A value as a URL path segment or query value; a lone surrogate becomes its (invalid) UTF-8 bytes. */
function segment(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function taskId(random: () => number, pick: Pick, targets: Targets): string {
  const id = pick(targets.taskIds);
  return pick([
    id,
    id.slice(0, 8),
    id.slice(0, 4),
    id.toUpperCase(),
    `${id}x`,
    '00000000',
    'deadbeef',
    '%25%25%25%25%25%25%25%25',
    '________',
    '%00',
    '%E0%A4%A',
    '..%2F..%2Fetc',
    'x'.repeat(3000),
    segment(value(random, pick, targets)),
  ]);
}

function query(random: () => number, pick: Pick, targets: Targets): string {
  const keys = ['limit', 'offset', 'status', 'project', 'limit', 'offset', 'x', 'status[]', '__proto__'];
  const parts = Array.from(
    { length: Math.floor(random() * 4) },
    () => `${pick(keys)}=${segment(value(random, pick, targets))}`,
  );
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** One request against a random route, with random method, body and headers. */
export function hostileRequest(random: () => number, targets: Targets): HostileRequest {
  const pick: Pick = (items) => items[Math.floor(random() * items.length)] as (typeof items)[number];
  const routes: readonly (() => { method: string; path: string })[] = [
    () => ({ method: 'GET', path: '/health' }),
    () => ({ method: 'GET', path: `/tasks${query(random, pick, targets)}` }),
    () => ({ method: 'POST', path: '/tasks' }),
    () => ({ method: 'POST', path: '/tasks/batch' }),
    () => ({ method: 'GET', path: `/tasks/${taskId(random, pick, targets)}` }),
    () => ({ method: 'GET', path: `/tasks/${taskId(random, pick, targets)}/stream` }),
    () => ({ method: 'POST', path: `/tasks/${taskId(random, pick, targets)}/cancel` }),
    () => ({ method: 'GET', path: '/api/dashboard' }),
    () => ({ method: 'GET', path: '/api/projects' }),
    () => ({ method: 'POST', path: '/api/projects' }),
    () => ({ method: 'DELETE', path: `/api/projects/${segment(value(random, pick, targets))}` }),
    () => ({
      method: 'GET',
      path: pick([
        '/',
        '/nothing',
        '/tasks/',
        '//tasks',
        '/TASKS',
        '/api',
        '/api/projects/x/y',
        '/health/../tasks',
        `/${'a/'.repeat(500)}`,
        '/tasks?limit=1#x',
      ]),
    }),
  ];
  const route = pick(routes)();
  const method = random() < 0.12 ? pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'POST', 'GET', 'TRACE']) : route.method;
  const headers: Record<string, string> = { host: targets.host };
  let payload: string | undefined;
  if (method !== 'GET' && method !== 'TRACE' && random() < 0.9) {
    const made = body(random, pick, targets);
    payload = made.text;
    if (made.contentType !== undefined) headers['content-type'] = made.contentType;
    // Framed as clients frame bodies: by length, or chunked (unframed bytes would be the next request).
    if (random() < 0.8) headers['content-length'] = String(Buffer.byteLength(payload));
    else headers['transfer-encoding'] = 'chunked';
  }
  if (random() < 0.15)
    headers['host'] = pick([
      'attacker.example',
      `attacker.example:${targets.host.split(':')[1] ?? ''}`,
      'localhost',
      '[::1]',
      'a.localhost',
      '127.0.0.2',
      '',
      'LOCALHOST',
      '127.0.0.1.nip.io',
    ]);
  if (random() < 0.15)
    headers['origin'] = pick([
      'http://attacker.example',
      'null',
      `http://${targets.host}`,
      'file://',
      'not a url',
      `https://${targets.host}`,
    ]);
  if (random() < 0.1) headers['sec-fetch-site'] = pick(['cross-site', 'same-site', 'same-origin', 'none', 'bogus']);
  if (random() < 0.15)
    headers['last-event-id'] = pick(['-1', '1e3', 'abc', '99999999999999999999', '0', '5', '', '  7 ', '1.0', '0x1']);
  if (random() < 0.05) headers['content-encoding'] = pick(['gzip', 'br', 'identity', 'x']);
  if (random() < 0.05) headers['authorization'] = pick(['Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg==', 'x'.repeat(4000)]);
  return { method, path: route.path, headers, ...(payload === undefined ? {} : { body: payload }) };
}

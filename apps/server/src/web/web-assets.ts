import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's files, by the name they are served under (`/web/<name>`; `index.html` is `/`).
 * A fixed list, not a folder listing: nothing else on disk is ever served, and the bearer guard
 * lets exactly these paths through without the token.
 */
export const WEB_ASSET_TYPES = {
  'index.html': 'text/html; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'tasks-view.js': 'text/javascript; charset=utf-8',
  'task-view.js': 'text/javascript; charset=utf-8',
  'task-list.js': 'text/javascript; charset=utf-8',
  'projects-view.js': 'text/javascript; charset=utf-8',
  'usage-view.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
  'uplot.esm.js': 'text/javascript; charset=utf-8',
  'uplot.min.css': 'text/css; charset=utf-8',
} as const;

/** @public */
export type WebAssetName = keyof typeof WEB_ASSET_TYPES;

/**
 * Files of the pinned chart library (uPlot, a dependency of this package) that the usage page
 * loads, by the module path they are read from: served by this server like its own files (the CSP
 * allows no other origin), and present wherever the server is installed, from the workspace or a
 * packed install alike, with no copy kept in `web/`.
 */
export const LIBRARY_FILES: Readonly<Partial<Record<WebAssetName, string>>> = {
  'uplot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uplot.min.css': 'uplot/dist/uPlot.min.css',
};

/** Paths served without the token: the page and its static files, never an API route. */
export const OPEN_WEB_PATHS: readonly string[] = [
  '/',
  ...Object.keys(WEB_ASSET_TYPES)
    .filter((name) => name !== 'index.html')
    .map((name) => `/web/${name}`),
];

/**
 * Where the files are: `apps/server/web`, beside `src` (tests run the sources) and `dist` (the
 * built server), both two levels above this module.
 */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Headers of every dashboard response: only this server's own scripts, styles and API (no inline
 * code, no other origin), never inside a frame, no MIME sniffing, no referrer leaving the page.
 */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Revalidated each time (the ETag makes that a 304): a new server version is seen at once.
  'cache-control': 'no-cache',
};

/** One loaded file. */
export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * Reads every dashboard file once, at start: a file missing from the install fails the server's
 * start, not a user's page view.
 */
export function loadWebAssets(dir: string = WEB_DIR): ReadonlyMap<WebAssetName, WebAsset> {
  const assets = new Map<WebAssetName, WebAsset>();
  const modules = createRequire(import.meta.url);
  for (const [name, contentType] of Object.entries(WEB_ASSET_TYPES) as [WebAssetName, string][]) {
    const library = LIBRARY_FILES[name];
    const path = library === undefined ? join(dir, name) : modules.resolve(library);
    assets.set(name, { body: readFileSync(path), contentType });
  }
  return assets;
}

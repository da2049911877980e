/** DI token for the dashboard's files, read once at start (`loadWebAssets`). */
export const WEB_ASSETS = Symbol('WEB_ASSETS');

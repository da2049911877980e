/**
 * The Harness release version. Kept equal to the `version` of every workspace package.json
 * (a test checks it), so the CLI and the server can report it without reading files.
 * @public
 */
export const HARNESS_VERSION = '0.1.0';

// `node --import <this file>`: writes the URL or path of every module the process loaded to the file
// named by MODULE_LOG_FILE, one a line, when it exits. ES modules are seen where they are resolved;
// CommonJS ones (which a package's own `require` loads without resolving through the ESM hooks on
// Node 20) are read from the require cache at exit, and Node's own (`fetch`'s undici among them) from
// process.moduleLoadList as `builtin:<name>`. Used by cli-start.e2e.spec.ts.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import * as nodeModule from 'node:module';

const file = process.env.MODULE_LOG_FILE;
if (file === undefined || file === '') throw new Error('module-log.mjs: set MODULE_LOG_FILE');
writeFileSync(file, '');

if (typeof nodeModule.registerHooks === 'function') {
  // Node 22.15 and later: hooks in this thread.
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      appendFileSync(file, `${resolved.url}\n`);
      return resolved;
    },
  });
} else {
  // Node 20: hooks on the loader's thread, which appends to the same file.
  register('./module-log-hooks.mjs', import.meta.url, { data: { file } });
}

const require = createRequire(import.meta.url);
process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => `builtin:${m.slice('NativeModule '.length)}`);
  appendFileSync(file, [...Object.keys(require.cache), ...builtins].map((line) => `${line}\n`).join(''));
});

import type { Plugin } from 'vite';

/**
 * Pyodide's single `pyodide.mjs` serves Node and browsers: it imports `node:fs`, `node:vm`,
 * `node:path`, … behind run-time checks for Node. In a browser bundle Vite replaces each with
 * an empty module and warns once per import and per bundle (18 "Module node:… has been
 * externalized for browser compatibility" lines per build). This resolves exactly those
 * imports, only from the pyodide package, to the same empty module on purpose, so the build
 * stays quiet and any other `node:` import elsewhere in browser code still warns.
 */
const PREFIX = '\0pyodide-node-builtin:';

export function pyodideNodeBuiltins(): Plugin {
  return {
    name: 'pyvision:pyodide-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source.startsWith('node:') && importer && /[\\/]node_modules[\\/]pyodide[\\/]/.test(importer)) {
        return { id: PREFIX + source, moduleSideEffects: false };
      }
      return null;
    },
    load(id) {
      // Never evaluated in a browser: pyodide takes these paths only when it runs under Node.
      return id.startsWith(PREFIX) ? 'export default {};' : null;
    },
  };
}

/**
 * The layering of src/, shared by the architecture test (which enforces it on every import) and the README layout
 * test (which checks that the layout lists the layers bottom-up).
 */

/**
 * The layers of src/ and which layers each may import, written down once. Type-only imports count. A layer is a
 * top-level folder of src/, except the logger (`observe/log.ts`, layer `log`): every layer that reports may write to
 * it (it knows only the core's LogSettings shape), while the rest of observe/ only subscribes to events. The files at
 * the top of src/ (main, app, index) compose the server and may import anything. The table must itself run one way
 * (test/architecture.test.ts checks that).
 */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  log: ['core'],
  options: [],
  config: ['protocol'],
  core: ['protocol', 'config'],
  scheduler: ['protocol', 'core'],
  instance: ['protocol', 'config', 'log'],
  observe: ['protocol', 'core', 'log'],
  repository: ['protocol', 'config', 'core', 'scheduler', 'instance', 'log'],
  transport: ['protocol', 'core', 'options'],
};

/** The layer of a path under src/ ('' for the composition files at the top: main, app, index). */
export function layerOf(relPath: string): string {
  if (relPath === 'observe/log.ts') return 'log';
  const slash = relPath.indexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}

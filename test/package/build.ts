/**
 * Brings dist/ up to date for the tests that run the compiled server: `tsc -p tsconfig.build.json`, incremental, so
 * cheap when nothing changed. Throws with tsc's output when the build fails.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: Buffer; stderr: Buffer };
    throw new Error(`npm run build failed:\n${stdout}${stderr}`, { cause: error });
  }
}

// Module customization hooks (node:module register) that append each resolved and loaded URL to a file. They pass
// everything on unchanged; logging both steps catches a module even when a later-registered loader (tsx) answers one
// of them itself.
import { appendFileSync } from 'node:fs';

let file = '';

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(file, `resolve ${result.url}\n`);
  return result;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `load ${url}\n`);
  return nextLoad(url, context);
}

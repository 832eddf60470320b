/** URL matching shared by the infer fast path and the control plane: full-path matches, query string ignored. */

/** The path of a request URL without its query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** `/v2/models/{m}[/versions/{v}]/infer`; a version must be all digits (anything else is not this route). */
export const INFER_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([0-9]+))?\/infer$/;

/** `/v2/models/{m}[/versions/{v}][/ready|/config]` */
export const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([0-9]+))?(?:\/(ready|config))?$/;

export const HEALTH_PATH = /^\/v2\/health\/(live|ready)$/;

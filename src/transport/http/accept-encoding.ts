/**
 * Picks the response encoding from Accept-Encoding as Triton does: a comma list with optional `;q=` weights, only
 * identity, gzip and deflate count, the highest weight wins and a tie goes to the first listed.
 */
export type ResponseEncoding = 'gzip' | 'deflate' | undefined;

export function chooseResponseEncoding(header: string | undefined): ResponseEncoding {
  if (header === undefined) return undefined;
  let best: ResponseEncoding;
  let bestWeight = 0;
  let bestIsSet = false;
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName!.trim().toLowerCase();
    if (name !== 'gzip' && name !== 'deflate' && name !== 'identity') continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key === 'q' && value !== undefined && value !== '' && !Number.isNaN(Number(value))) weight = Number(value);
    }
    if (weight <= 0) continue;
    if (!bestIsSet || weight > bestWeight) {
      best = name === 'identity' ? undefined : name;
      bestWeight = weight;
      bestIsSet = true;
    }
  }
  return best;
}

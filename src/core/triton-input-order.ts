/**
 * The order in which tritonserver iterates a request's inputs: its core keeps them in a libstdc++
 * `std::unordered_map<std::string, Input>` filled in request order, and every validation loop walks that map, so the
 * input an error names is the first bad one in this order (often, not always, the reverse of the request's). This
 * replays libstdc++'s hashtable exactly: std::hash<std::string> (_Hash_bytes, seed 0xc70f6907), prime bucket counts
 * (13 buckets for the first element, then the table below), a node inserted at the front of its bucket or of the
 * list, and a rehash that relinks the old list node by node the same way. Only error paths call it.
 */

const MASK = (1n << 64n) - 1n;
const MUL = 0xc6a4a7935bd1e995n;
const SEED = 0xc70f6907n;

const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

/** libstdc++'s std::_Hash_bytes on 64-bit targets (std::hash<std::string>). */
export function stdStringHash(name: string): bigint {
  const bytes = Buffer.from(name, 'utf8');
  const len = bytes.length;
  const aligned = len & ~7;
  let hash = (SEED ^ ((BigInt(len) * MUL) & MASK)) & MASK;
  for (let p = 0; p < aligned; p += 8) {
    const data = (shiftMix((bytes.readBigUInt64LE(p) * MUL) & MASK) * MUL) & MASK;
    hash = ((hash ^ data) * MUL) & MASK;
  }
  if ((len & 7) !== 0) {
    let data = 0n;
    for (let i = len - 1; i >= aligned; i--) data = (data << 8n) + BigInt(bytes[i]!);
    hash = ((hash ^ data) * MUL) & MASK;
  }
  hash = (shiftMix(hash) * MUL) & MASK;
  return shiftMix(hash);
}

/** [element count that triggers the rehash, new bucket count], as libstdc++'s prime rehash policy grows the table. */
const GROWTH: readonly (readonly [number, bigint])[] = [
  [1, 13n], [14, 29n], [30, 59n], [60, 127n], [128, 257n], [258, 541n], [542, 1109n], [1110, 2357n], [2358, 5087n],
  [5088, 10273n], [10274, 20753n], [20754, 42043n], [42044, 85229n], [85230, 172933n],
];

interface Node {
  readonly index: number;
  readonly hash: bigint;
}

/** Puts `node` first in its bucket's run of `list`, or at the front when its bucket is empty. */
function insertAtBucketBegin(list: Node[], node: Node, buckets: bigint): void {
  const bucket = node.hash % buckets;
  const at = list.findIndex((n) => n.hash % buckets === bucket);
  list.splice(at < 0 ? 0 : at, 0, node);
}

/** Indices of `names` (inserted in this order; names are unique) in the map's iteration order. */
export function tritonInputOrder(names: readonly string[]): number[] {
  let list: Node[] = [];
  let buckets = 1n;
  let growth = 0;
  names.forEach((name, index) => {
    const step = GROWTH[growth];
    if (step !== undefined && index + 1 === step[0]) {
      buckets = step[1];
      growth++;
      const old = list;
      list = [];
      for (const n of old) insertAtBucketBegin(list, n, buckets);
    }
    insertAtBucketBegin(list, { index, hash: stdStringHash(name) }, buckets);
  });
  return list.map((n) => n.index);
}

/**
 * `std::sort` as libstdc++ implements it (introsort: median-of-three quicksort down to runs of 16, heapsort past a
 * depth of 2·log2(n), then one insertion sort), step for step. Triton's classification extension orders class
 * indices with std::sort, which is not stable: equal scores come out in the order this exact algorithm leaves them,
 * so reproducing Triton's top-k strings for ties means running the same steps, not any correct sort.
 * `less(a, b)` is the comparator (true when `a` goes before `b`).
 */
const THRESHOLD = 16;

export function stdSort(items: number[], less: (a: number, b: number) => boolean): void {
  const n = items.length;
  if (n < 2) return;
  introsortLoop(items, 0, n, 2 * (31 - Math.clz32(n)), less);
  finalInsertionSort(items, 0, n, less);
}

function swap(items: number[], i: number, j: number): void {
  const t = items[i]!;
  items[i] = items[j]!;
  items[j] = t;
}

function introsortLoop(items: number[], first: number, last: number, depth: number, less: (a: number, b: number) => boolean): void {
  while (last - first > THRESHOLD) {
    if (depth === 0) {
      heapSort(items, first, last, less);
      return;
    }
    depth--;
    const cut = partitionPivot(items, first, last, less);
    introsortLoop(items, cut, last, depth, less);
    last = cut;
  }
}

function partitionPivot(items: number[], first: number, last: number, less: (a: number, b: number) => boolean): number {
  const mid = first + Math.floor((last - first) / 2);
  moveMedianToFirst(items, first, first + 1, mid, last - 1, less);
  return unguardedPartition(items, first + 1, last, first, less);
}

function moveMedianToFirst(items: number[], result: number, a: number, b: number, c: number, less: (a: number, b: number) => boolean): void {
  const [va, vb, vc] = [items[a]!, items[b]!, items[c]!];
  if (less(va, vb)) {
    if (less(vb, vc)) swap(items, result, b);
    else if (less(va, vc)) swap(items, result, c);
    else swap(items, result, a);
  } else if (less(va, vc)) swap(items, result, a);
  else if (less(vb, vc)) swap(items, result, c);
  else swap(items, result, b);
}

function unguardedPartition(items: number[], first: number, last: number, pivot: number, less: (a: number, b: number) => boolean): number {
  for (;;) {
    while (less(items[first]!, items[pivot]!)) first++;
    last--;
    while (less(items[pivot]!, items[last]!)) last--;
    if (!(first < last)) return first;
    swap(items, first, last);
    first++;
  }
}

function finalInsertionSort(items: number[], first: number, last: number, less: (a: number, b: number) => boolean): void {
  if (last - first > THRESHOLD) {
    insertionSort(items, first, first + THRESHOLD, less);
    for (let i = first + THRESHOLD; i < last; i++) unguardedLinearInsert(items, i, less);
  } else {
    insertionSort(items, first, last, less);
  }
}

function insertionSort(items: number[], first: number, last: number, less: (a: number, b: number) => boolean): void {
  for (let i = first + 1; i < last; i++) {
    const value = items[i]!;
    if (less(value, items[first]!)) {
      for (let j = i; j > first; j--) items[j] = items[j - 1]!;
      items[first] = value;
    } else {
      unguardedLinearInsert(items, i, less);
    }
  }
}

function unguardedLinearInsert(items: number[], last: number, less: (a: number, b: number) => boolean): void {
  const value = items[last]!;
  let next = last - 1;
  while (less(value, items[next]!)) {
    items[last] = items[next]!;
    last = next;
    next--;
  }
  items[last] = value;
}

/** std::partial_sort(first, last, last): make_heap, then sort_heap. */
function heapSort(items: number[], first: number, last: number, less: (a: number, b: number) => boolean): void {
  const len = last - first;
  if (len >= 2) {
    for (let parent = Math.floor((len - 2) / 2); ; parent--) {
      adjustHeap(items, first, parent, len, items[first + parent]!, less);
      if (parent === 0) break;
    }
  }
  while (last - first > 1) {
    last--;
    const value = items[last]!;
    items[last] = items[first]!;
    adjustHeap(items, first, 0, last - first, value, less);
  }
}

function adjustHeap(items: number[], first: number, hole: number, len: number, value: number, less: (a: number, b: number) => boolean): void {
  const top = hole;
  let child = hole;
  while (child < Math.floor((len - 1) / 2)) {
    child = 2 * (child + 1);
    if (less(items[first + child]!, items[first + child - 1]!)) child--;
    items[first + hole] = items[first + child]!;
    hole = child;
  }
  if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
    child = 2 * (child + 1);
    items[first + hole] = items[first + child - 1]!;
    hole = child - 1;
  }
  // push_heap
  let parent = Math.floor((hole - 1) / 2);
  while (hole > top && less(items[first + parent]!, value)) {
    items[first + hole] = items[first + parent]!;
    hole = parent;
    parent = Math.floor((hole - 1) / 2);
  }
  items[first + hole] = value;
}

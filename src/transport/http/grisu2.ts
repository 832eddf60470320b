/**
 * rapidjson's Grisu2 (internal/dtoa.h, diyfp.h), which tritonserver uses for every JSON number it writes. Its digits
 * are short and round-trip, but not always the ones JavaScript's shortest-exact printer picks: Triton's rapidjson
 * revision passes `wp_w * (index < 9 ? kPow10[index] : 0)` to GrisuRound, so once 9 or more fraction digits have been
 * generated the last digit is not rounded toward the value (tritonserver 2.51 writes 1.0000000200408774e21 for the
 * float 1.0000000200408773e21). Matching Triton byte for byte needs the same algorithm.
 *
 * The C uses uint64 arithmetic; here a uint64 is a pair of doubles (hi, lo), each an integer in [0, 2^32), so every
 * step is exact without BigInt (test/http/grisu2-reference.ts is the BigInt transcription the tests compare with).
 * Finite, non-zero, positive input only: the caller writes the sign, zeros, NaN and infinities.
 */

const TWO_32 = 4294967296;

/** A uint64 as two 32-bit halves. */
interface U64 {
  h: number;
  l: number;
}

const u64 = (h: number, l: number): U64 => ({ h, l });
const less = (a: U64, b: U64): boolean => a.h < b.h || (a.h === b.h && a.l < b.l);

function add(a: U64, b: U64): U64 {
  const l = a.l + b.l;
  const carry = l >= TWO_32 ? 1 : 0;
  return u64((a.h + b.h + carry) % TWO_32, l - carry * TWO_32);
}

function sub(a: U64, b: U64): U64 {
  let l = a.l - b.l;
  let h = a.h - b.h;
  if (l < 0) {
    l += TWO_32;
    h -= 1;
  }
  return u64(h < 0 ? h + TWO_32 : h, l);
}

function shiftLeft(a: U64, n: number): U64 {
  if (n === 0) return a;
  if (n >= 32) return u64((a.l << (n - 32)) >>> 0, 0);
  return u64(((a.h << n) | (a.l >>> (32 - n))) >>> 0, (a.l << n) >>> 0);
}

function times10(a: U64): U64 {
  const l = a.l * 10;
  const carry = Math.floor(l / TWO_32);
  return u64((a.h * 10 + carry) % TWO_32, l - carry * TWO_32);
}

/** The high 64 bits of a × b, rounded on bit 63 of the low half (DiyFp::operator*). */
function multiplyHigh(a: U64, b: U64): U64 {
  // 16-bit limbs; every column sum stays below 2^53.
  const x0 = a.l & 0xffff, x1 = a.l >>> 16, x2 = a.h & 0xffff, x3 = a.h >>> 16;
  const y0 = b.l & 0xffff, y1 = b.l >>> 16, y2 = b.h & 0xffff, y3 = b.h >>> 16;
  let sum = x0 * y0;
  sum = Math.floor(sum / 65536) + x0 * y1 + x1 * y0;
  sum = Math.floor(sum / 65536) + x0 * y2 + x1 * y1 + x2 * y0;
  sum = Math.floor(sum / 65536) + x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0;
  const roundUp = sum % 65536 >= 32768; // bit 63 of the product
  sum = Math.floor(sum / 65536) + x1 * y3 + x2 * y2 + x3 * y1;
  const r4 = sum % 65536;
  sum = Math.floor(sum / 65536) + x2 * y3 + x3 * y2;
  const r5 = sum % 65536;
  sum = Math.floor(sum / 65536) + x3 * y3;
  const r6 = sum % 65536;
  const r7 = Math.floor(sum / 65536);
  let h = r7 * 65536 + r6;
  let l = r5 * 65536 + r4;
  if (roundUp && ++l === TWO_32) {
    l = 0;
    h = (h + 1) % TWO_32;
  }
  return u64(h, l);
}

function clz64(a: U64): number {
  return a.h !== 0 ? Math.clz32(a.h) : 32 + Math.clz32(a.l);
}

/** 10^k for k = -348, -340, …, 340 as 64-bit significands rounded to nearest and binary exponents (rapidjson's table). */
const CACHED: readonly { f: U64; e: number }[] = Array.from({ length: 87 }, (_, i) => cachedPower(-348 + 8 * i));

function cachedPower(k: number): { f: U64; e: number } {
  const bitLength = (n: bigint): number => n.toString(2).length;
  let f: bigint;
  let e: number;
  if (k >= 0) {
    const n = 10n ** BigInt(k);
    e = bitLength(n) - 64;
    f = e <= 0 ? n << BigInt(-e) : (n + (1n << BigInt(e - 1))) >> BigInt(e);
  } else {
    const d = 10n ** BigInt(-k);
    let s = 63 + bitLength(d);
    f = ((1n << BigInt(s)) + d / 2n) / d;
    while (f >> 64n) f = ((1n << BigInt(--s)) + d / 2n) / d;
    e = -s;
  }
  return { f: u64(Number(f >> 32n), Number(f & 0xffffffffn)), e };
}

const view = new DataView(new ArrayBuffer(8));

/** Digits and decimal exponent k of a finite value > 0: value ≈ digits × 10^k. */
export function grisu2(value: number): { digits: number[]; k: number } {
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = hi >>> 20;
  const normal = biased !== 0;
  const v = u64(normal ? (hi & 0xfffff) + 0x100000 : hi & 0xfffff, lo);
  const ve = normal ? biased - 1075 : -1074;

  // m+ = 2v+1 normalized (what NormalizeBoundary does for values below 2^54); m- on m+'s exponent.
  const plusRaw = add(shiftLeft(v, 1), u64(0, 1));
  const plusShift = clz64(plusRaw);
  const plus = shiftLeft(plusRaw, plusShift);
  const plusE = ve - 1 - plusShift;
  const atPowerOfTwo = normal && v.h === 0x100000 && v.l === 0;
  const minusRaw = atPowerOfTwo ? sub(shiftLeft(v, 2), u64(0, 1)) : sub(shiftLeft(v, 1), u64(0, 1));
  const minusE = atPowerOfTwo ? ve - 2 : ve - 1;
  const minus = shiftLeft(minusRaw, minusE - plusE);

  const kIndex = 347 + 8 - (((61 + plusE) * 78913) >> 18);
  const cached = CACHED[kIndex >> 3]!;
  const k = 348 - (kIndex & ~7);

  const vShift = clz64(v);
  const w = multiplyHigh(shiftLeft(v, vShift), cached.f);
  const wp = sub(multiplyHigh(plus, cached.f), u64(0, 1));
  const wm = add(multiplyHigh(minus, cached.f), u64(0, 1));
  const e = plusE + cached.e + 64; // the exponent of w, wp and wm alike
  const digits: number[] = [];
  return { digits, k: digitGen(w, wp, e, sub(wp, wm), digits, k) };
}

function digitGen(w: U64, mp: U64, e: number, delta: U64, digits: number[], k: number): number {
  const shift = -e; // in [32, 60]
  const highBits = shift - 32; // the bits of the integral part that sit in the high half
  const highUnit = 2 ** highBits;
  const one = u64(highUnit, 0);
  const wpW = sub(mp, w);
  let p1 = Math.floor(mp.h / highUnit);
  const p2 = u64(mp.h % highUnit, mp.l);
  let kappa = p1 < 10 ? 1 : p1 < 100 ? 2 : p1 < 1e3 ? 3 : p1 < 1e4 ? 4 : p1 < 1e5 ? 5 : p1 < 1e6 ? 6 : p1 < 1e7 ? 7 : p1 < 1e8 ? 8 : 9;
  while (kappa > 0) {
    const unit = 10 ** (kappa - 1);
    const d = Math.floor(p1 / unit);
    p1 %= unit;
    if (d || digits.length) digits.push(d);
    kappa--;
    const rest = u64(p1 * highUnit + p2.h, p2.l);
    if (!less(delta, rest)) {
      round(digits, delta, rest, shiftLeft(u64(0, 10 ** kappa), shift), wpW);
      return k + kappa;
    }
  }
  // Fraction digits, with p2 and delta as local halves (the hot loop allocates nothing).
  let p2h = p2.h;
  let p2l = p2.l;
  let dh = delta.h;
  let dl = delta.l;
  for (;;) {
    let t = p2l * 10;
    let carry = Math.floor(t / TWO_32);
    p2l = t - carry * TWO_32;
    p2h = p2h * 10 + carry; // < 2^32: p2 < one <= 2^60
    t = dl * 10;
    carry = Math.floor(t / TWO_32);
    dl = t - carry * TWO_32;
    dh = (dh * 10 + carry) % TWO_32;
    const d = Math.floor(p2h / highUnit);
    if (d || digits.length) digits.push(d);
    p2h %= highUnit;
    kappa--;
    if (p2h < dh || (p2h === dh && p2l < dl)) {
      const index = -kappa;
      let scaled = u64(0, 0);
      if (index < 9) {
        scaled = wpW;
        for (let i = 0; i < index; i++) scaled = times10(scaled);
      }
      round(digits, u64(dh, dl), u64(p2h, p2l), one, scaled);
      return k + kappa;
    }
  }
}

function round(digits: number[], delta: U64, rest: U64, tenKappa: U64, wpW: U64): void {
  while (
    less(rest, wpW) &&
    !less(sub(delta, rest), tenKappa) &&
    (less(add(rest, tenKappa), wpW) || less(sub(add(rest, tenKappa), wpW), sub(wpW, rest)))
  ) {
    digits[digits.length - 1]!--;
    rest = add(rest, tenKappa);
  }
}

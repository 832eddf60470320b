/**
 * Reference (BigInt, straight from rapidjson's C) of src/transport/http/grisu2.ts, which the tests compare it with.
 * rapidjson's double → text (internal/dtoa.h: Grisu2 digits, then Prettify), which tritonserver uses for every JSON
 * number it writes. Grisu2's digits are short and round-trip, but not always the digits JavaScript's shortest-exact
 * printer picks (the last one may differ, e.g. 1.5935356777502669e22 where JS writes ...668e22), so matching
 * Triton's text byte for byte needs the same algorithm. 64-bit arithmetic wraps as in C (BigInt.asUintN).
 * Finite, non-zero, positive input only: the caller writes the sign, zeros, NaN and infinities.
 *
 * Triton's rapidjson is the revision whose DigitGen passes `wp_w * (index < 9 ? kPow10[index] : 0)` to GrisuRound:
 * once 9 or more fraction digits have been generated, the last digit is not rounded toward the value (tritonserver
 * 2.51 writes 1.0000000200408774e21 for the float 1.0000000200408773e21). Checked against it by test/differential/.
 */

const MASK = (1n << 64n) - 1n;
const HIDDEN_BIT = 1n << 52n;
const SIGNIFICAND_MASK = HIDDEN_BIT - 1n;
const EXPONENT_BIAS = 0x3ff + 52;
const POW10 = Array.from({ length: 20 }, (_, i) => 10n ** BigInt(i));
const POW10_NUMBER = Array.from({ length: 10 }, (_, i) => 10 ** i);

/** 10^k for k = -348, -340, …, 340, as 64-bit significands rounded to nearest and binary exponents (rapidjson's table). */
const CACHED: readonly { f: bigint; e: number }[] = Array.from({ length: 87 }, (_, i) => cachedPower(-348 + 8 * i));

function cachedPower(k: number): { f: bigint; e: number } {
  const bitLength = (n: bigint): number => n.toString(2).length;
  if (k >= 0) {
    const n = 10n ** BigInt(k);
    const e = bitLength(n) - 64;
    if (e <= 0) return { f: n << BigInt(-e), e };
    const f = (n + (1n << BigInt(e - 1))) >> BigInt(e);
    return f >> 64n ? { f: f >> 1n, e: e + 1 } : { f, e };
  }
  const d = 10n ** BigInt(-k);
  let s = 63 + bitLength(d);
  let f = ((1n << BigInt(s)) + d / 2n) / d;
  while (f >> 64n) {
    s--;
    f = ((1n << BigInt(s)) + d / 2n) / d;
  }
  return { f, e: -s };
}

interface DiyFp {
  f: bigint;
  e: number;
}

function multiply(a: DiyFp, b: DiyFp): DiyFp {
  const p = a.f * b.f;
  let h = p >> 64n;
  if ((p >> 63n) & 1n) h++; // rounding
  return { f: h, e: a.e + b.e + 64 };
}

function normalize(v: DiyFp): DiyFp {
  const shift = 64 - v.f.toString(2).length;
  return { f: (v.f << BigInt(shift)) & MASK, e: v.e - shift };
}

const view = new DataView(new ArrayBuffer(8));

/** Digits and decimal exponent K of a finite value > 0: value ≈ digits × 10^K. */
export function grisu2(value: number): { digits: number[]; k: number } {
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const significand = bits & SIGNIFICAND_MASK;
  const v: DiyFp = biased !== 0 ? { f: significand + HIDDEN_BIT, e: biased - EXPONENT_BIAS } : { f: significand, e: 1 - EXPONENT_BIAS };

  // Boundaries m+ and m-, with m- on m+'s exponent.
  let plus: DiyFp = { f: (v.f << 1n) + 1n, e: v.e - 1 };
  while (!(plus.f & (HIDDEN_BIT << 1n))) plus = { f: plus.f << 1n, e: plus.e - 1 };
  plus = { f: plus.f << 10n, e: plus.e - 10 };
  const minus: DiyFp = v.f === HIDDEN_BIT ? { f: (v.f << 2n) - 1n, e: v.e - 2 } : { f: (v.f << 1n) - 1n, e: v.e - 1 };
  minus.f = (minus.f << BigInt(minus.e - plus.e)) & MASK;

  // The cached power of ten that brings m+ into the exponent range DigitGen needs.
  const kIndex = 347 + 8 - (((61 + plus.e) * 78913) >> 18);
  const cached = CACHED[kIndex >> 3]!;
  let k = 348 - (kIndex & ~7);

  const w = multiply(normalize(v), cached);
  const wp = multiply(plus, cached);
  const wm = multiply({ f: minus.f, e: plus.e }, cached);
  wm.f++;
  wp.f--;
  const digits: number[] = [];
  k = digitGen(w, wp, wp.f - wm.f, digits, k);
  return { digits, k };
}

function digitGen(w: DiyFp, mp: DiyFp, delta: bigint, digits: number[], k: number): number {
  const shift = BigInt(-mp.e);
  const one = 1n << shift;
  const wpW = (mp.f - w.f) & MASK;
  let p1 = Number(mp.f >> shift);
  let p2 = mp.f & (one - 1n);
  let kappa = p1 < 10 ? 1 : p1 < 100 ? 2 : p1 < 1e3 ? 3 : p1 < 1e4 ? 4 : p1 < 1e5 ? 5 : p1 < 1e6 ? 6 : p1 < 1e7 ? 7 : p1 < 1e8 ? 8 : 9;
  while (kappa > 0) {
    const unit = POW10_NUMBER[kappa - 1]!;
    const d = Math.floor(p1 / unit);
    p1 %= unit;
    if (d || digits.length) digits.push(d);
    kappa--;
    const rest = (BigInt(p1) << shift) + p2;
    if (rest <= delta) {
      round(digits, delta, rest, POW10[kappa]! << shift, wpW);
      return k + kappa;
    }
  }
  for (;;) {
    p2 = (p2 * 10n) & MASK;
    delta = (delta * 10n) & MASK;
    const d = Number(p2 >> shift);
    if (d || digits.length) digits.push(d);
    p2 &= one - 1n;
    kappa--;
    if (p2 < delta) {
      const index = -kappa;
      round(digits, delta, p2, one, (wpW * (index < 9 ? POW10[index]! : 0n)) & MASK);
      return k + kappa;
    }
  }
}

function round(digits: number[], delta: bigint, rest: bigint, tenKappa: bigint, wpW: bigint): void {
  while (
    rest < wpW &&
    delta - rest >= tenKappa &&
    (((rest + tenKappa) & MASK) < wpW || wpW - rest > ((rest + tenKappa) & MASK) - wpW)
  ) {
    digits[digits.length - 1]!--;
    rest = (rest + tenKappa) & MASK;
  }
}

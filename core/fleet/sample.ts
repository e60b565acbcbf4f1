/**
 * A bounded sample of numbers (run durations) with nearest-rank quantiles:
 * exact while it holds at most {@link SAMPLE_CAP} values, a uniform
 * reservoir sample of that size after (Vitter's algorithm R with a fixed
 * seed, so the same stream gives the same answer).
 *
 * @module
 */

/** Values kept per sample; quantiles are exact up to this many. */
export const SAMPLE_CAP = 2048;

/** A bounded, reproducible sample. */
export class BoundedSample {
  readonly values: number[] = [];
  /** Every value offered, kept or not. */
  seen = 0;
  #state = 0x9e3779b9;

  /** Offers `x` to the sample. */
  add(x: number): void {
    this.seen++;
    if (this.values.length < SAMPLE_CAP) {
      this.values.push(x);
      return;
    }
    // xorshift32: cheap and reproducible; statistical quality is plenty here.
    let s = this.#state;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.#state = s >>> 0;
    const j = this.#state % this.seen;
    if (j < SAMPLE_CAP) this.values[j] = x;
  }

  /**
   * The nearest-rank quantile `q` (0 < q ≤ 1), or null when empty.
   *
   * @example
   * ```ts
   * const s = new BoundedSample();
   * for (const x of [10, 20, 30, 40]) s.add(x);
   * s.quantile(0.5); // 20
   * ```
   */
  quantile(q: number): number | null {
    if (this.values.length === 0) return null;
    const sorted = [...this.values].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil(q * sorted.length));
    return sorted[rank - 1];
  }
}

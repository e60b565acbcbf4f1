/**
 * Durations as operators write them: ISO 8601 (`PT1H`) or short (`30m`).
 *
 * @module
 */

/**
 * Parses a duration: ISO 8601 (`PT1H`, `P1DT30M`, `PT90S`) or a short form
 * (`90s`, `30m`, `1h`, `2d`). Returns milliseconds, or undefined when it is
 * not one.
 */
export function parseDuration(text: string): number | undefined {
  const short = /^(\d{1,9})(s|m|h|d)$/.exec(text);
  if (short) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[short[2] as "s"];
    return Number(short[1]) * unit;
  }
  const iso = /^P(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?)?$/i.exec(text);
  if (!iso || text.length < 3 || /T$/i.test(text)) return undefined;
  const [, d, h, m, s] = iso.map((x) => Number(x ?? 0));
  return ((d * 24 + h) * 60 + m) * 60_000 + s * 1_000;
}

/**
 * Shared types of the secret detector.
 *
 * @module
 */

/** A half-open range `[start, end)` of UTF-16 indices into the scanned text. */
export interface SecretSpan {
  start: number;
  end: number;
}

/** One detection rule. */
export interface SecretRule {
  /** Stable id, used in `[REDACTED:<id>]` markers and in findings. */
  id: string;
  /** One line for docs. */
  description: string;
  /**
   * Lower-case strings of which at least one must occur (case-insensitively)
   * in a text for the rule to run at all; empty means always run. This is
   * the prefilter that keeps a scan cheap: most texts skip most rules.
   */
  keywords: readonly string[];
  /** Heuristic rules lose to specific ones when naming a merged span. */
  generic?: boolean;
  /** Returns the spans of `text` that hold a secret value. */
  scan(text: string): SecretSpan[];
}

/**
 * The token budget (`--max-tokens`, MCP's `max_tokens`): trims sections,
 * lowest priority first, until the sections' content fits. Required sections (prompt, session-close) are never cut; if
 * they alone exceed the budget the run fails rather than hand a session a
 * prompt without its instructions.
 *
 * @module
 */
import { KaizenError } from "../errors.ts";
import { byteLength } from "./hash.ts";
import type { TokenCounter } from "./tokens.ts";
import type { BundleSection } from "./types.ts";

interface SectionMeta {
  required: boolean;
  priority: number;
  keep?: "start" | "end";
}

/**
 * How the budget is named in messages: every front end can read it (an MCP
 * client passes `max_tokens`); the CLI puts `--max-tokens` in its place.
 */
export const BUDGET_SUBJECT = "the token budget";

/** Thrown when required sections alone exceed the budget. */
export class BudgetExceededError extends KaizenError {
  override name = "BudgetExceededError";
  constructor(readonly required: number, readonly budget: number) {
    super(
      "over-budget",
      `the sections that are never cut (prompt, session-close) need ${required} tokens, over ${BUDGET_SUBJECT} ${budget}`,
      { subject: BUDGET_SUBJECT, option: "max-tokens" },
    );
  }
}

/** The visible note left in a trimmed section; kept short so it fits tight budgets. */
function marker(kept: number, total: number, source: string | null): string {
  const where = source ? `; full text in \`${source}\`` : "";
  return kept === 0
    ? `_[kaizen: omitted to fit ${BUDGET_SUBJECT}]_`
    : `_[kaizen: truncated to fit ${BUDGET_SUBJECT}: kept about ${kept} of ${total} tokens${where}]_`;
}

/**
 * Trims `sections` in place so their token sum is at most `budget`. Each
 * section's `tokens` must already be counted.
 */
export function applyBudget(
  sections: BundleSection[],
  budget: number,
  count: TokenCounter,
  meta: (id: string) => SectionMeta,
): void {
  const total = () => sections.reduce((n, s) => n + (s.tokens ?? 0), 0);
  const required = sections.filter((s) => meta(s.id).required).reduce(
    (n, s) => n + (s.tokens ?? 0),
    0,
  );
  if (required > budget) throw new BudgetExceededError(required, budget);
  // Lowest priority first; among equals, the later section goes first.
  const order = sections
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => !meta(s.id).required)
    .sort((a, b) => meta(a.s.id).priority - meta(b.s.id).priority || b.i - a.i)
    .map(({ s }) => s);
  for (const s of order) {
    const over = total() - budget;
    if (over <= 0) return;
    const original = s.tokens ?? 0;
    trimTo(s, original - over, original, count, meta(s.id).keep ?? "start");
  }
  // Each trimmed section keeps at least its marker, which can leave us a few
  // tokens over; then drop markers too, lowest priority first. (Markdown still
  // shows an "omitted" note; it is outside the sections' budget.)
  for (const s of order) {
    if (total() <= budget) return;
    s.content = "";
    s.tokens = 0;
    s.bytes = 0;
  }
}

/**
 * Keeps as many whole lines as fit in `allowance` tokens, marker included,
 * from the start of the section or (for `keep: "end"`) from its end, with the
 * marker on the side that was cut.
 */
function trimTo(
  s: BundleSection,
  allowance: number,
  original: number,
  count: TokenCounter,
  keep: "start" | "end",
): void {
  const lines = s.content.trimEnd().split("\n");
  const build = (n: number) => {
    const slice = keep === "end" ? lines.slice(lines.length - n) : lines.slice(0, n);
    const kept = slice.join("\n").trim();
    const keptTokens = n === 0 ? 0 : count(kept);
    const mark = marker(keptTokens, original, s.source);
    if (n === 0) return mark;
    return keep === "end" ? `${mark}\n\n${kept}` : `${kept}\n\n${mark}`;
  };
  // Binary search for the most lines that fit.
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (count(build(mid)) <= allowance) lo = mid;
    else hi = mid - 1;
  }
  // When not even the marker fits the allowance, the marker alone stays and a
  // later (higher-priority) section gives up the difference.
  const content = build(lo);
  s.content = content;
  s.tokens = count(content);
  s.bytes = byteLength(content);
  s.truncated = true;
}

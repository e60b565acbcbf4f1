/**
 * The choke point for every command that prints repository content.
 *
 * `prepare` redacts the bundle; the state commands (`memory show`,
 * `agents show`, `metrics show|list`) print files a session or a person
 * wrote, which can hold a token just the same. They all pass what they
 * print through {@link redactForOutput}: the same rules as the bundle, the
 * count said on stderr, the secret never.
 *
 * @module
 */
import { redactSecretsSync } from "./redact.ts";

/**
 * Redacts `text` (read from `source`, a repo-relative path or a label) for
 * printing. When anything was replaced, `notice` is told how much.
 *
 * @example
 * ```ts
 * const shown = redactForOutput(memoryText, ".kaizen/agents/coach/memory.md", console.error);
 * ```
 */
export function redactForOutput(
  text: string,
  source: string,
  notice?: (message: string) => void,
): string {
  const r = redactSecretsSync(text, { source });
  if (r.count > 0 && notice) {
    notice(`redacted ${r.count} secret${r.count === 1 ? "" : "s"} from ${source}`);
  }
  return r.text;
}

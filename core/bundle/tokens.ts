/**
 * Token counting with a real BPE tokenizer: OpenAI's `cl100k_base` encoding
 * via `gpt-tokenizer`. No public tokenizer exists for every model a runner may
 * use, so any encoding is an estimate; on our prompts, memory files and code,
 * cl100k_base and the newer o200k_base agree within 1%, and cl100k_base loads
 * two to three times faster (~65 ms vs ~130–190 ms, see docs/decisions.md).
 * It is still imported only when a command needs counts (`--format json` or
 * `--max-tokens`).
 *
 * @module
 */

/** The encoding name reported in bundles. */
export const TOKEN_ENCODING = "cl100k_base";

/** Counts tokens of a text. */
export type TokenCounter = (text: string) => number;

let loaded: Promise<TokenCounter> | undefined;

/** Loads the tokenizer once per process. */
export function loadTokenCounter(): Promise<TokenCounter> {
  // Special-token text (`<|endoftext|>`) in repo content is counted as the
  // plain text it is; the library's default throws on it, which let any
  // repo crash `prepare --format json` with one line in memory.md.
  const plain = { disallowedSpecial: new Set<string>() };
  loaded ??= import("gpt-tokenizer/encoding/cl100k_base").then((m) => (text: string) =>
    text === "" ? 0 : m.countTokens(text, plain)
  );
  return loaded;
}

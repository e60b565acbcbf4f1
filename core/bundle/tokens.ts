/**
 * Token counting with a real BPE tokenizer: OpenAI's `o200k_base` encoding
 * via `gpt-tokenizer`. No public tokenizer exists for every model a runner may
 * use; o200k_base is a modern, widely used vocabulary and a sound budget
 * estimate. It costs ~150 ms to load, so it is imported only when a command
 * needs counts (`--format json` or `--max-tokens`).
 *
 * @module
 */

/** The encoding name reported in bundles. */
export const TOKEN_ENCODING = "o200k_base";

/** Counts tokens of a text. */
export type TokenCounter = (text: string) => number;

let loaded: Promise<TokenCounter> | undefined;

/** Loads the tokenizer once per process. */
export function loadTokenCounter(): Promise<TokenCounter> {
  loaded ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => (text: string) =>
    text === "" ? 0 : m.countTokens(text)
  );
  return loaded;
}

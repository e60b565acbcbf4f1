/**
 * Secret redaction for bundle content: `redactSecretsSync` / `redactSecrets`
 * replace every secret in a text with `[REDACTED:<rule-id>]` and report
 * where they were (never what). See `docs/secrets.md`.
 *
 * - `redact.ts`: the engine (prefilter, merge, rewrite, findings)
 * - `rules.ts`: provider, context and block rules, in naming order
 * - `generic.ts`, `table.ts`: the keyword-and-value rule
 * - `blocks.ts`: private keys and NATS credentials
 * - `allow.ts`: what a secret value looks like, and the allow-list
 *
 * No `node:` imports: this module works from source and from a
 * `deno bundle --platform browser` build.
 *
 * @module
 */

export {
  type RedactionFinding,
  type RedactionResult,
  type RedactOptions,
  redactSecrets,
  redactSecretsSync,
} from "./redact.ts";
export { MARKER_PATTERN, redactionMarker, RULE_IDS, RULES } from "./rules.ts";
export type { SecretRule, SecretSpan } from "./types.ts";

/**
 * The typed orientation bundle: what sections produce and sinks receive.
 * Its JSON form (`prepare --format json`) is a contract; `schemas/bundle.schema.json`
 * is generated from `model.ts`, which mirrors these types.
 *
 * @module
 */

/** Output format of a rendered bundle. */
export type BundleFormat = "markdown" | "json";

/** How a section's content came to be. */
export type SectionStatus = "ok" | "missing" | "warning";

/** One section of the bundle. */
export interface BundleSection {
  /** Stable id, e.g. `prompt`, `memory`, `metrics`, `pointers`, `session-close`. */
  id: string;
  title: string;
  /** The plugin that produced it (`builtin` for ours). */
  plugin: string;
  /** Where the content came from: a path relative to the repo root, `packaged:<agent>`, or null. */
  source: string | null;
  status: SectionStatus;
  /** Markdown body, already redacted (and trimmed to budget when `truncated`). */
  content: string;
  /** Structured data for machines (e.g. the metrics summary); never rendered raw in markdown. */
  data?: unknown;
  /** UTF-8 size of `content`. */
  bytes: number;
  /** Tokens of `content` in {@link Bundle.token_encoding}, or null when not counted. */
  tokens: number | null;
  truncated: boolean;
}

/** A pointer file found in the repo (`SCOPE.md` → `scope`). */
export interface BundlePointer {
  label: string;
  path: string;
}

/** The whole bundle, format-independent until rendered. */
export interface Bundle {
  /** Bundle JSON contract version. */
  schema: "kaizen.bundle/v1";
  agent: string;
  /** The roster slug of the repo. */
  repo: string;
  /** Absolute path of the checkout. */
  root: string;
  /** The agent's cadence from the manifest, or null (no manifest, or agent not in it). */
  cadence: "daily" | "weekly" | "monthly" | null;
  /** What the manifest says about this agent. */
  schedule: {
    manifest: "valid" | "invalid" | "absent";
    listed: boolean;
    enabled: boolean | null;
    cron: string | null;
    timezone: string | null;
  };
  generated_at: string;
  prepare_command: string;
  format: BundleFormat;
  agent_prompt_found: boolean;
  /** `installed` (repo's agents/agent-<name>.md), `packaged`, or null. */
  agent_prompt_source: "installed" | "packaged" | null;
  has_memory: boolean;
  has_metrics: boolean;
  /** Labels of the pointer files found, e.g. `["scope", "todo"]`. */
  pointers: string[];
  /** UTF-8 size of the rendered output in `format`. */
  bytes: number;
  session_close: string[];
  sections: BundleSection[];
  /** Sum of section tokens, or null when not counted. */
  tokens: number | null;
  token_encoding: string | null;
  /** Token budget asked for with `--max-tokens`, or null. */
  max_tokens: number | null;
  /** Secrets redacted across all sections. */
  redactions: number;
  warnings: string[];
  /** SHA-256 (hex) of the section ids and contents: equal content, equal hash. */
  sha256: string;
  kaizen_version: string;
}

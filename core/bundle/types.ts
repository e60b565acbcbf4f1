/**
 * The typed orientation bundle: what sections produce and sinks receive.
 * Its JSON form (`prepare --format json`) is a contract: `schemas/bundle.schema.json`
 * is generated from the zod model in `model.ts`, and these types are written
 * out (explicit types for the published package) and checked by the compiler
 * to agree with that model field for field.
 *
 * @module
 */

/** Output format of a rendered bundle. */
export type BundleFormat = "markdown" | "json";

/** One section of the bundle. */
export interface BundleSection {
  /** Stable section id, e.g. prompt, memory, metrics, pointers, session-close. */
  id: string;
  title: string;
  /** The plugin that produced the section (`builtin` for ours). */
  plugin: string;
  /** Path relative to the repo root, `packaged:<agent>`, or null. */
  source: string | null;
  status: "ok" | "missing" | "warning";
  /** Markdown body, redacted, and trimmed when `truncated`. */
  content: string;
  /** Structured data, e.g. the metrics summary. */
  data?: unknown;
  /** UTF-8 size of `content`. */
  bytes: number;
  /** Tokens of `content`, or null when not counted. */
  tokens: number | null;
  truncated: boolean;
}

/** How a section's content came to be. */
export type SectionStatus = BundleSection["status"];

/** A pointer file found in the repo (`SCOPE.md` → `scope`). */
export interface BundlePointer {
  label: string;
  path: string;
}

/** The whole bundle, format-independent until rendered. */
export interface Bundle {
  schema: "kaizen.bundle/v1";
  agent: string;
  /** Roster slug of the repo. */
  repo: string;
  /** Absolute path of the checkout. */
  root: string;
  cadence: "daily" | "weekly" | "monthly" | null;
  schedule: {
    manifest: "valid" | "invalid" | "absent";
    listed: boolean;
    enabled: boolean | null;
    /** Effective cron: the override, else the cadence default. */
    cron: string | null;
    timezone: string | null;
  };
  /** RFC 3339 UTC time the bundle was assembled. */
  generated_at: string;
  prepare_command: string;
  format: BundleFormat;
  agent_prompt_found: boolean;
  agent_prompt_source: "installed" | "packaged" | null;
  has_memory: boolean;
  has_metrics: boolean;
  /** Labels of pointer files found, e.g. scope, todo. */
  pointers: string[];
  /** UTF-8 size of the rendered output in `format`. */
  bytes: number;
  session_close: string[];
  sections: BundleSection[];
  tokens: number | null;
  token_encoding: string | null;
  max_tokens: number | null;
  redactions: number;
  warnings: string[];
  sha256: string;
  kaizen_version: string;
}

/**
 * The zod model of the bundle JSON (`prepare --format json`): the source of
 * `schemas/bundle.schema.json` and of the `Bundle` types. Not imported by the
 * CLI at run time; a test checks real bundles against it.
 *
 * @module
 */
import { z } from "zod";
import type { ModelAgrees } from "../model_agrees.ts";
import type { Bundle, BundleSection } from "./types.ts";

export const BundleSectionModel = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).describe(
    "Stable section id, e.g. prompt, memory, metrics, pointers, session-close.",
  ),
  title: z.string(),
  plugin: z.string().describe("The plugin that produced the section (`builtin` for ours)."),
  source: z.string().nullable().describe(
    "Path relative to the repo root, `packaged:<agent>`, or null.",
  ),
  status: z.enum(["ok", "missing", "warning"]),
  content: z.string().describe("Markdown body, redacted, and trimmed when `truncated`."),
  data: z.unknown().optional().describe("Structured data, e.g. the metrics summary."),
  bytes: z.int().nonnegative().describe("UTF-8 size of `content`."),
  tokens: z.int().nonnegative().nullable().describe(
    "Tokens of `content`, or null when not counted.",
  ),
  truncated: z.boolean(),
});

export const BundleModel = z.strictObject({
  schema: z.literal("kaizen.bundle/v1"),
  agent: z.string(),
  repo: z.string().min(1).describe("Roster slug of the repo."),
  root: z.string().regex(/^\//).describe("Absolute path of the checkout."),
  cadence: z.enum(["daily", "weekly", "monthly"]).nullable(),
  schedule: z.strictObject({
    manifest: z.enum(["valid", "invalid", "absent"]),
    listed: z.boolean(),
    enabled: z.boolean().nullable(),
    cron: z.string().nullable().describe("Effective cron: the override, else the cadence default."),
    timezone: z.string().nullable(),
  }),
  generated_at: z.string().describe("RFC 3339 UTC time the bundle was assembled."),
  prepare_command: z.string(),
  format: z.enum(["markdown", "json"]),
  agent_prompt_found: z.boolean(),
  agent_prompt_source: z.enum(["installed", "packaged"]).nullable(),
  has_memory: z.boolean(),
  has_metrics: z.boolean(),
  pointers: z.array(z.string().regex(/^(scope|todo)$/)).describe(
    "Labels of pointer files found: scope, todo.",
  ),
  bytes: z.int().nonnegative().describe("UTF-8 size of the rendered output in `format`."),
  session_close: z.array(z.string().min(1)).min(1),
  sections: z.array(BundleSectionModel),
  tokens: z.int().nonnegative().nullable(),
  token_encoding: z.string().nullable(),
  max_tokens: z.int().positive().nullable(),
  redactions: z.int().nonnegative(),
  warnings: z.array(z.string()),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kaizen_version: z.string(),
}).meta({
  title: "kaizen orientation bundle",
  description: "Output of `kaizen schedule prepare <agent> --format json`.",
});

// Compile-time: the written-out types in types.ts say what these models say.
true satisfies ModelAgrees<typeof BundleSectionModel, BundleSection>;
true satisfies ModelAgrees<typeof BundleModel, Bundle>;

/**
 * The zod model of `kaizen roster discover --format json`: the source of
 * `schemas/roster-discover.schema.json`. Not loaded by the CLI at run time.
 *
 * @module
 */
import { z } from "zod";
import { MAX_DUE_AT } from "./types.ts";

export const ScheduledRunModel = z.strictObject({
  repo: z.string().describe("Roster slug."),
  root: z.string().describe("The checkout on this host (absolute)."),
  agent: z.string(),
  cadence: z.enum(["daily", "weekly", "monthly"]),
  cron: z.string().describe("Effective cron: the override, else the cadence default."),
  timezone: z.string().describe("The manifest's zone (UTC when it names none)."),
  prepare_command: z.string().describe(
    "Exactly `kaizen schedule prepare <agent> --target <root> --repo <repo>`, words shell-quoted.",
  ),
  due_at: z.array(z.string()).max(MAX_DUE_AT).optional().describe(
    `With --due: the first ${MAX_DUE_AT} firings inside the window (all when fewer), ascending, scatter applied, RFC 3339 UTC.`,
  ),
  due_count: z.int().positive().optional().describe(
    "With --due: how many firings the window holds, listed in due_at or not.",
  ),
  due_truncated: z.boolean().optional().describe(
    "With --due: true when due_at lists fewer than due_count.",
  ),
});

export const SkippedRepoModel = z.strictObject({
  repo: z.string(),
  reason: z.enum([
    "not-on-host",
    "unreachable",
    "invalid-path",
    "no-manifest",
    "invalid-manifest",
    "hub-flag-off",
  ]),
  detail: z.array(z.string()).optional().describe(
    "For invalid-manifest: the diagnostics (file:line:col: severity: message).",
  ),
});

export const RosterDiscoverModel = z.strictObject({
  scheduled_runs: z.array(ScheduledRunModel).describe("Sorted by repo, then agent."),
  skipped: z.array(SkippedRepoModel).describe("Sorted by repo."),
  stats: z.strictObject({
    source: z.enum(["hub", "roster-file", "scan"]),
    host: z.string(),
    repos: z.int().nonnegative().describe("Repos the source listed."),
    filtered: z.int().nonnegative().describe("Left out by --domain before anything was read."),
    eligible: z.int().nonnegative().describe("Repos with a valid manifest on this host."),
    runs: z.int().nonnegative(),
    skipped: z.int().nonnegative(),
    due_window: z.strictObject({ start: z.string(), end: z.string() }).nullable(),
    scatter_seconds: z.int().nonnegative(),
    due_at_limit: z.int().positive().describe("The most due_at instants listed per run."),
  }),
}).meta({
  title: "kaizen roster discover",
  description: "Output of `kaizen roster discover --format json`.",
});

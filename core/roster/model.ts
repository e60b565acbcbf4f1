/**
 * The zod model of `kaizen roster discover --format json`: the source of
 * `schemas/roster-discover.schema.json`. Not loaded by the CLI at run time.
 *
 * @module
 */
import { z } from "zod";

export const ScheduledRunModel = z.strictObject({
  repo: z.string().describe("Roster slug."),
  root: z.string().describe("The checkout on this host (absolute)."),
  agent: z.string(),
  cadence: z.enum(["daily", "weekly", "monthly"]),
  cron: z.string().describe("Effective cron: the override, else the cadence default."),
  timezone: z.string().describe("The manifest's zone (UTC when it names none)."),
  prepare_command: z.string().describe(
    "Exactly `kaizen schedule prepare <agent> --target <root>`, the root shell-quoted.",
  ),
  due_at: z.array(z.string()).optional().describe(
    "With --due: every firing inside the window, scatter applied, RFC 3339 UTC.",
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
  }),
}).meta({
  title: "kaizen roster discover",
  description: "Output of `kaizen roster discover --format json`.",
});

/**
 * The shape every `kaizen doctor` check reports in, and the zod model the
 * JSON output (and its generated schema) is checked against.
 *
 * A *probe* covers one area (binary, repo, hub, nats, artifact-store) and
 * reports one or more checks, in order. Probes run concurrently, each under
 * its own deadline (see run.ts); a probe that overruns gets a failure for the
 * step it was on, so a hanging server reads as "no answer within N s", not as
 * silence.
 *
 * @module
 */
import { z } from "zod";
import type { PluginSources } from "../plugin/build.ts";

/** `pass` ✓, `warn` !, `fail` ✗, `skip` - (not applicable, or `--offline`). */
export const CHECK_STATUSES = ["pass", "warn", "fail", "skip"] as const;
export type CheckStatus = typeof CHECK_STATUSES[number];

export const CheckResultModel = z.strictObject({
  /** Stable dotted id, `<area>.<check>`, e.g. `nats.stream`. */
  id: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/).describe(
    "Stable dotted id, <area>.<check>[.<agent>], e.g. repo.manifest or repo.prepare.coach.",
  ),
  status: z.enum(CHECK_STATUSES).describe(
    "pass; warn (works, but look at it); fail (a scheduled run would fail); skip (not applicable, or --offline).",
  ),
  /** One line saying what was found. Never a credential. */
  detail: z.string().describe("One line saying what was found; never a credential."),
  /** One line saying what to do; present for `warn` and `fail`, else null. */
  fix: z.string().nullable().describe(
    "One line saying what to do: set for warn and fail, null otherwise.",
  ),
});
export type CheckResult = z.infer<typeof CheckResultModel>;

export const DoctorReportModel = z.strictObject({
  checks: z.array(CheckResultModel),
  summary: z.strictObject({
    pass: z.number().int().nonnegative(),
    warn: z.number().int().nonnegative(),
    fail: z.number().int().nonnegative(),
    skip: z.number().int().nonnegative(),
    /** `true` when no check failed: the command exits 0. */
    ok: z.boolean().describe("True when no check failed: the command exits 0 (else 1)."),
  }),
}).meta({
  title: "kaizen doctor",
  description: "Output of `kaizen doctor --format json`: every check in order, and the counts.",
});
export type DoctorReport = z.infer<typeof DoctorReportModel>;

/** What every probe gets: the resolved options and the environment. */
export interface DoctorContext {
  /** Absolute repo root, or undefined when no target applies. */
  target?: string;
  /** This runner host's name (`--host`, else the hostname; empty when neither can be read). */
  host: string;
  /** `--agent`: restrict repo checks to one agent. */
  agent?: string;
  hubUrl?: string;
  /** The NATS server `checkNatsServer` (the NATS sink's check) looks at. */
  natsUrl?: string;
  /** The store `checkArtifactStore` (the artifact-store sink's check) looks at. */
  artifactStoreUrl?: string;
  /** The in-process plugins (built-ins, a team binary's): the dry prepare's registry starts from them. */
  plugins?: PluginSources;
  offline: boolean;
  /** `--plugins FILE`: the host plugins file prepare would be given (default: the XDG one). */
  pluginsFile?: string;
  /** `--trust-repo-plugins`: whether prepare would run the repo's own plugins file. */
  trustRepoPlugins?: boolean;
  /** Reads an environment variable (tests inject their own). */
  env(name: string): string | undefined;
  /** Reference clock for next-run answers. */
  now: Date;
  /** Aborted when the probe's deadline passes; pass it to fetch/connect. */
  signal: AbortSignal;
}

/** Collects a probe's checks. `step` names the check in progress for timeouts. */
export interface Reporter {
  /** Declares the check now running: on a deadline it is the one reported failed. */
  step(id: string, fix: string): void;
  pass(id: string, detail: string): void;
  warn(id: string, detail: string, fix: string): void;
  fail(id: string, detail: string, fix: string): void;
  skip(id: string, detail: string): void;
}

/** One area of checks. */
export interface Probe {
  /** Area name, the prefix of its check ids (`binary`, `repo`, `hub`, or a sink's name). */
  area: string;
  /** Whether it touches the network (skipped by `--offline`). */
  network: boolean;
  /** Own deadline in ms; the runner reports the current step failed when it passes. */
  deadlineMs: number;
  run(ctx: DoctorContext, report: Reporter): Promise<void>;
}

/** Single-line text: detail and fix lines must never wrap a report. */
export function oneLine(text: string, max = 240): string {
  // deno-lint-ignore no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * `kaizen metrics record | show | rebuild | list | optimize | publish`: the
 * CLI face of core/state/metrics/ and core/state/optimizer.ts.
 *
 * Every repository-derived string that is printed (notes, helix fields,
 * skipped-line reasons, the summary) passes the redactor `prepare` uses, and
 * every operating-system failure (no space, read-only, permission, a file
 * vanishing) is one line and exit 1; exit 70 stays for bugs.
 *
 * `cli.ts` imports this module to build the command tree, so it imports only
 * what the tree itself needs; the record logic, the redactor, the agent
 * catalog and the NATS client load when a metrics command runs.
 *
 * @module
 */
import { eventSink, LISTING_OPTIONS, NATS_URL, nowOption, TARGET, textFormat } from "./options.ts";
import { processEnv } from "../env.ts";
import {
  type CommandSpec,
  defineCommand,
  flag,
  type OptionSpec,
  text,
  type TypedInvocation,
} from "../cli/framework.ts";
import { asCliError, CliError, stdout, warn } from "../cli/io.ts";
import { firstLine, KaizenError } from "../errors.ts";
import { programName } from "../cli/program.ts";
import { printable } from "../text/printable.ts";
// The limits alone (a small module): the option tree states the library's bounds.
import { MAX_NOTES_CHARS, MAX_TIME_SECONDS } from "../state/metrics/record.ts";
import { resolveTarget } from "./target.ts";
import { type PrintIo, printRedacted } from "./print.ts";

type Metrics = typeof import("../state/metrics/mod.ts");
type Summary = import("../state/metrics/mod.ts").MetricsSummary;
type ExecutionRecord = import("../state/metrics/mod.ts").ExecutionRecord;

/** Runs shown by `metrics show`. */
const SHOWN_RUNS = 10;
/** Largest optimizer file `metrics publish` reads (an analysis is kilobytes). */
const MAX_PUBLISHED_BYTES = 16 * 1024 * 1024;

/**
 * An error the operating system raised (a `Deno.errors` class, or an errno
 * name in `code`, as Deno reports ENOSPC and EROFS): not a bug.
 */
function isOsError(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof Deno.errors.BrokenPipe) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return true;
  return Object.values(Deno.errors).some((c) => typeof c === "function" && err instanceof c);
}

/**
 * Core failures become one-line CLI errors: a library error as the CLI says
 * it (its exit code, the flag in place of the value it names: `--notes`;
 * the metrics library returns its refusals, and `fn` throws them as
 * `metricsError(problem)` to land here),
 * an operating-system failure (a full disk, a read-only mount, a denied
 * permission, a file that vanished) exit 1.
 */
async function withMetrics<T>(fn: (m: Metrics) => Promise<T>): Promise<T> {
  const m = await import("../state/metrics/mod.ts");
  try {
    return await fn(m);
  } catch (err) {
    if (err instanceof KaizenError) throw asCliError(err);
    if (isOsError(err)) {
      const { classifyIoError } = await import("../fs/io_error.ts");
      const first = firstLine(err);
      throw new CliError(`${classifyIoError(err).text} (${printable(first, 200)})`, 1, {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Redacts every string in `value` (in place) with the redactor `prepare`
 * uses, value by value so the JSON output stays valid: records are read from
 * the repository, and a session may have written a secret into them by hand.
 * `notice` is told how many were replaced.
 */
async function redacted<T>(value: T, notice?: (count: number) => void): Promise<T> {
  const [{ redactData }, { defaultRedactor }] = await Promise.all([
    import("../bundle/data.ts"),
    import("../bundle/scan.ts"),
  ]);
  const r = await redactData(value, defaultRedactor);
  if (r.count > 0) notice?.(r.count);
  return r.value as T;
}

/**
 * The terminal, for repository-derived output: it goes through the state
 * commands' redaction choke point (`printRedacted`) after the data was
 * redacted value by value, so what a table composes is scanned once more as
 * a whole.
 */
function terminal(prog: string): PrintIo {
  return { out: stdout, notice: (m) => warn(prog, m, "notice") };
}

function redactionNotice(prog: string, source: string): (count: number) => void {
  return (n) => warn(prog, `redacted ${n} secret${n === 1 ? "" : "s"} from ${source}`, "notice");
}

function reportSkipped(
  prog: string,
  rel: string,
  skipped: { line: number; reason: string }[],
  total = skipped.length,
) {
  if (total === 0) return;
  const shown = skipped.slice(0, 5).map((s) => `line ${s.line}: ${s.reason}`).join("; ");
  const listed = Math.min(skipped.length, 5);
  const more = total > listed ? `; and ${total - listed} more` : "";
  warn(
    prog,
    `${rel}: skipped ${total} invalid line${total === 1 ? "" : "s"} (${shown}${more})`,
    "notice",
  );
}

/** `1009` → `16m 49s` (the bundle's metrics section shows the same). */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** One line a person can read at the end of a session. */
function summaryLine(s: Summary): string {
  if (s.runs === 0) return `${s.agent}: no runs recorded`;
  const last = s.last_run_at
    ? `; last run ${s.last_run_at} ${s.last_success ? "succeeded" : "failed"}`
    : "";
  return `${s.agent}: ${s.runs} run${s.runs === 1 ? "" : "s"}, ${s.successes} succeeded (${
    (s.success_rate * 100).toFixed(1)
  }%), average ${duration(s.avg_time_seconds)}, average quality ${
    s.avg_quality === null ? "-" : s.avg_quality.toFixed(2)
  }${last}`;
}

/** Percentiles and the recent trend, when the summary has them (newer writers). */
function spreadLine(s: Summary): string[] {
  const parts: string[] = [];
  if (typeof s.time_p50_seconds === "number" && typeof s.time_p90_seconds === "number") {
    parts.push(
      `time median ${duration(s.time_p50_seconds)}, 90th percentile ${
        duration(s.time_p90_seconds)
      }`,
    );
  }
  const t = s.trend;
  // summary.json is read from the repository: a hand edit may hold anything.
  if (
    t && typeof t === "object" && typeof t.runs_recent === "number" &&
    typeof t.success_rate_recent === "number" && typeof t.avg_time_recent_seconds === "number" &&
    typeof t.avg_quality_recent === "number"
  ) {
    parts.push(
      `latest ${t.runs_recent} runs: ${(t.success_rate_recent * 100).toFixed(1)}% succeeded, ` +
        `average ${duration(t.avg_time_recent_seconds)}, average quality ${
          t.avg_quality_recent.toFixed(2)
        }`,
    );
  }
  return parts.length > 0 ? [parts.join("; ")] : [];
}

/** `kaizen metrics record`. */
export async function recordCommand(inv: TypedInvocation<typeof RECORD_OPTIONS>): Promise<number> {
  const prog = programName();
  const agent = inv.args[0];
  // Everything is checked before anything is touched: a refused record writes nothing.
  const { success, failure } = inv.opts;
  if (success === failure) {
    throw new CliError(
      success
        ? "give either --success or --failure, not both"
        : "say how the run went: --success or --failure",
      2,
    );
  }
  const root = await resolveTarget(inv.opts.target);
  const now = inv.opts.now ?? new Date();

  const { result, rel, m } = await withMetrics(async (m) => {
    const helix = m.helixFromEnv(processEnv);
    if (!helix.ok) throw m.metricsError(helix);
    const input = {
      success,
      time_seconds: inv.opts.time,
      quality: inv.opts.quality,
      notes: inv.opts.notes,
      helix: helix.helix,
    };
    const result = await m.recordExecution(root, agent, input, { now });
    if (!result.ok) throw m.metricsError(result);
    const { executionsPath } = await import("../state/layout.ts");
    return { result, rel: executionsPath(agent), m };
  });
  reportSkipped(prog, rel, await redacted(result.skipped), result.skippedCount);
  if (result.redactions > 0) {
    warn(
      prog,
      `redacted ${result.redactions} secret${
        result.redactions === 1 ? "" : "s"
      } from --notes before writing`,
    );
  }
  stdout(
    inv.opts.format === "json"
      ? JSON.stringify(result.summary, null, 2) + "\n"
      : summaryLine(result.summary) + "\n",
  );
  if (inv.opts.sink !== "nats") return 0;
  return await publish(prog, root, inv, m, result);
}

/**
 * `--sink nats`: publishes `kaizen.metrics.recorded`. The record is already
 * written; a failed publish exits 1 so a runner notices, and says that the
 * record is kept (recording again would count the run twice).
 */
async function publish(
  prog: string,
  root: string,
  inv: TypedInvocation<typeof RECORD_OPTIONS>,
  m: Pick<Metrics, "metricsRecorded" | "recordedEventIdParts">,
  result: { record: ExecutionRecord; summary: Summary; offset: number },
): Promise<number> {
  const { METRICS_RECORDED } = await import("../events/subjects.ts");
  const { eventMessageId } = await import("../events/payloads.ts");
  const { eventRepo, publishAndReport } = await import("../events/publish_report.ts");
  return await publishAndReport(async () => {
    const repo = await eventRepo(root, processEnv);
    // The record's content and its place in the log identify the event: a
    // retried publish is stored once, another record in the same second is not
    // taken for it.
    const [subject, ...parts] = await m.recordedEventIdParts(
      repo.root,
      result.record,
      result.offset,
    );
    return {
      url: inv.opts["nats-url"],
      subject: METRICS_RECORDED,
      msgId: await eventMessageId(subject, ...parts),
      payload: m.metricsRecorded(result.record, result.summary, repo),
      env: processEnv,
    };
  }, {
    notice: (message) => warn(prog, message, "notice"),
    error: (message) => warn(prog, message, "error"),
    kept: "the record is written; do not record it again",
  });
}

/** `kaizen metrics show`. */
export async function showCommand(inv: TypedInvocation<typeof LISTING_OPTIONS>): Promise<number> {
  const prog = programName();
  const agent = inv.args[0];
  const root = await resolveTarget(inv.opts.target);
  const { reading, rel } = await withMetrics(async (m) => {
    const reading = await m.readMetrics(root, agent, { latest: SHOWN_RUNS });
    if (!reading.ok) throw m.metricsError(reading);
    return { reading, rel: (await import("../state/layout.ts")).executionsPath(agent) };
  });
  // One redactor call over everything printed below, table or JSON.
  const shown = await redacted({
    summary: reading.summary,
    recent: reading.records.slice(-SHOWN_RUNS).reverse(),
    skipped: reading.skipped,
    notices: reading.notices,
  }, redactionNotice(prog, rel));
  for (const n of shown.notices) warn(prog, n);
  reportSkipped(prog, rel, shown.skipped, reading.skippedCount);
  const recent = shown.recent;
  if (inv.opts.format === "json") {
    stdout(
      JSON.stringify(
        {
          summary: shown.summary,
          summary_source: reading.summarySource,
          recent_runs: recent,
          skipped_lines: reading.skippedCount,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  if (!reading.exists) {
    stdout(`${agent}: no runs recorded yet (record one with 'kaizen metrics record ${agent}')\n`);
    return 0;
  }
  const { renderTable } = await import("../text/table.ts");
  const lines = [summaryLine(shown.summary), ...spreadLine(shown.summary)];
  if (reading.summarySource === "derived") {
    lines.push("(summary derived from the records: summary.json is missing or out of date)");
  }
  if (recent.length > 0) {
    lines.push(
      "",
      `Latest ${recent.length} of ${reading.summary.runs} runs:`,
      renderTable(
        ["WHEN", "OUTCOME", "TIME", "QUALITY", "NOTES"],
        recent.map((r) => [
          printable(r.recorded_at, 40),
          r.success ? "success" : "failure",
          duration(r.time_seconds),
          r.quality.toFixed(2),
          // Records are read from the repo: never a raw control character to the terminal.
          printable(r.notes ?? "", 60),
        ]),
      ).trimEnd(),
    );
  }
  await printRedacted(terminal(prog), lines.join("\n") + "\n", rel);
  return 0;
}

/** `kaizen metrics rebuild`: derives summary.json again from the records. */
export async function rebuildCommand(
  inv: TypedInvocation<typeof REBUILD_OPTIONS>,
): Promise<number> {
  const prog = programName();
  const agent = inv.args[0];
  const root = await resolveTarget(inv.opts.target);
  const now = inv.opts.now ?? new Date();
  const { result, rel } = await withMetrics(async (m) => {
    const result = await m.rebuildSummary(root, agent, { now });
    if (!result.ok) throw m.metricsError(result);
    return { result, rel: (await import("../state/layout.ts")).executionsPath(agent) };
  });
  reportSkipped(prog, rel, await redacted(result.skipped), result.skippedCount);
  const { summaryPath } = await import("../state/layout.ts");
  warn(
    prog,
    `rebuilt ${summaryPath(agent)} from ${result.records} record${result.records === 1 ? "" : "s"}${
      result.skippedCount > 0 ? ` (${result.skippedCount} invalid lines skipped)` : ""
    }`,
    "notice",
  );
  stdout(
    inv.opts.format === "json"
      ? JSON.stringify(result.summary, null, 2) + "\n"
      : summaryLine(result.summary) + "\n",
  );
  return 0;
}

/** `kaizen metrics list`: one line per agent with a metrics folder. */
export async function listCommand(inv: TypedInvocation<typeof LISTING_OPTIONS>): Promise<number> {
  const prog = programName();
  const root = await resolveTarget(inv.opts.target);
  const { summaries, skipped } = await withMetrics(async (m) => {
    const summaries: Summary[] = [];
    const skipped: { agent: string; lines: number }[] = [];
    const listed = await m.listMetricsAgents(root);
    if (!listed.ok) throw m.metricsError(listed);
    for (const agent of listed.agents) {
      const r = await m.readMetrics(root, agent, { listed: true, latest: 0 });
      if (!r.ok) throw m.metricsError(r);
      summaries.push(r.summary);
      if (r.skippedCount > 0) skipped.push({ agent, lines: r.skippedCount });
    }
    return {
      summaries: await redacted(summaries, redactionNotice(prog, ".kaizen/metrics")),
      skipped,
    };
  });
  for (const s of skipped) {
    warn(prog, `${s.agent}: skipped ${s.lines} invalid record lines`, "notice");
  }
  if (inv.opts.format === "json") {
    stdout(JSON.stringify(summaries, null, 2) + "\n");
    return 0;
  }
  if (summaries.length === 0) {
    stdout("no agent has recorded runs yet (record one with 'kaizen metrics record <agent>')\n");
    return 0;
  }
  const { renderTable } = await import("../text/table.ts");
  await printRedacted(
    terminal(prog),
    renderTable(
      ["AGENT", "RUNS", "SUCCESS", "AVG TIME", "AVG QUALITY", "LAST RUN"],
      summaries.map((s) => [
        s.agent,
        String(s.runs),
        s.runs === 0 ? "-" : `${(s.success_rate * 100).toFixed(1)}%`,
        s.runs === 0 ? "-" : duration(s.avg_time_seconds),
        s.avg_quality === null ? "-" : s.avg_quality.toFixed(2),
        s.last_run_at === null
          ? "-"
          : `${printable(s.last_run_at, 40)} (${s.last_success ? "success" : "failure"})`,
      ]),
    ),
    ".kaizen/metrics",
  );
  return 0;
}

/** `kaizen metrics optimize`: writes analysis.json and recommendations.jsonl. */
export async function optimizeCommand(
  inv: TypedInvocation<typeof OPTIMIZE_OPTIONS>,
): Promise<number> {
  const prog = programName();
  const root = await resolveTarget(inv.opts.target);
  const now = inv.opts.now ?? new Date();
  const opt = await import("../state/optimizer.ts");
  const result = await withMetrics(async (m) => {
    const result = await opt.runOptimizer(root, now);
    if (!result.ok) throw m.metricsError(result);
    return result;
  });
  for (const s of result.skipped) {
    warn(prog, `${s.agent}: skipped ${s.lines} invalid record lines`, "notice");
  }
  if (result.analysis.schedule_problem) {
    warn(prog, `${result.analysis.schedule_problem}; the stale rule was not applied`);
  }
  const n = result.findings.length;
  const lines = [
    `analysed ${result.analysis.agents.length} agent${
      result.analysis.agents.length === 1 ? "" : "s"
    }: ${n} finding${
      n === 1 ? "" : "s"
    }; wrote ${opt.ANALYSIS_PATH} and ${opt.RECOMMENDATIONS_PATH}`,
    ...result.findings.map((f) =>
      `  ${f.severity} ${f.agent} ${f.rule}: ${printable(f.message, 400)}`
    ),
  ];
  stdout(lines.join("\n") + "\n");
  return 0;
}

/** The optimizer's files as the artifact store receives them. */
const PUBLISHED_FILES = [
  { name: "analysis.json", mediaType: "application/json" },
  { name: "recommendations.jsonl", mediaType: "application/x-ndjson" },
] as const;

/**
 * `kaizen metrics publish`: registers the optimizer's two files with the
 * artifact store as one `raw-evidence` package (integration Pattern 3),
 * through the client the artifact-store sink uses. The local files stay
 * canonical; publishing is optional.
 */
export async function publishCommand(
  inv: TypedInvocation<typeof PUBLISH_OPTIONS>,
): Promise<number> {
  const prog = programName();
  const root = await resolveTarget(inv.opts.target);
  const [layout, paths, redact, safe] = await Promise.all([
    import("../state/layout.ts"),
    import("../fs/paths.ts"),
    import("../redact/mod.ts"),
    import("../fs/safe_read.ts"),
  ]);
  const files = await withMetrics(() => safe.createSafeReader(root, MAX_PUBLISHED_BYTES));
  const realRoot = files.root;
  const texts: string[] = [];
  let redactions = 0;
  for (const f of PUBLISHED_FILES) {
    const rel = `${layout.OPTIMIZER_DIR}/${f.name}`;
    const read = await withMetrics(() => files.readText(rel));
    if (read.status === "missing") {
      throw new CliError(`${rel} does not exist: run 'kaizen metrics optimize' first`, 1);
    }
    if (read.status === "refused") throw new CliError(`${rel} not read: ${read.reason}`, 1);
    // Evidence leaves the machine: whatever a hand edit put in, no secret goes with it.
    const r = await redact.redactSecrets(read.text, { source: f.name });
    texts.push(r.text);
    redactions += r.count;
  }
  const client = await import("../artifact_store/mod.ts");
  const baseUrl = processEnv(client.URL_VARIABLE) ?? "";
  if (baseUrl === "") {
    throw new CliError(`${client.URL_VARIABLE} is not set (the artifact store's base URL)`, 1);
  }
  if (redactions > 0) {
    warn(prog, `redacted ${redactions} secret${redactions === 1 ? "" : "s"} before publishing`);
  }
  // Same files, same key: a retried or repeated publish is stored once. The
  // NUL keeps "ab" + "c" and "a" + "bc" apart.
  const { createHash } = await import("node:crypto");
  const key = createHash("sha256").update(texts[0]).update("\0").update(texts[1]).digest("hex");
  let generatedAt: string | null = null;
  try {
    const a = JSON.parse(texts[0]);
    if (typeof a?.generated_at === "string") generatedAt = a.generated_at;
  } catch { /* a hand-broken analysis is still evidence; published as it is */ }
  const repo = paths.basename(realRoot);
  const options = {
    baseUrl,
    token: processEnv(client.TOKEN_VARIABLE),
    retentionClass: "raw-evidence",
    idempotencyKey: key,
    name: `kaizen-optimizer/${repo}`,
    metadata: {
      repo,
      generated_at: generatedAt,
      findings: texts[1].split("\n").filter((l) => l.trim() !== "").length,
      sha256: key,
    },
    files: PUBLISHED_FILES.map((f, i) => ({
      path: f.name,
      mediaType: f.mediaType,
      content: texts[i],
    })),
  };
  try {
    if (inv.opts["dry-run"]) {
      const req = client.describeArtifactRequest(options);
      stdout(JSON.stringify(req, null, 2) + "\n");
      warn(prog, `dry run: would ${req.method} ${req.url}; nothing was sent`, "notice");
      return 0;
    }
    const r = await client.publishArtifact(options);
    const tries = r.attempts > 1 ? ` after ${r.attempts} attempts` : "";
    stdout(
      r.created
        ? `stored as ${printable(r.id)} (retention raw-evidence)${tries}\n`
        : `duplicate: already stored as ${printable(r.id)}${tries}\n`,
    );
    return 0;
  } catch (err) {
    // Its message is one line and never quotes the token.
    if (err instanceof KaizenError) throw asCliError(err);
    throw err;
  }
}

const RECORD_OPTIONS = [
  TARGET,
  flag("success", "The session reached its goal"),
  flag("failure", "The session did not reach its goal"),
  {
    name: "time",
    type: "number",
    min: 0,
    max: MAX_TIME_SECONDS,
    required: true,
    valueName: "SECONDS",
    description: `Session length in seconds (0-${MAX_TIME_SECONDS})`,
  },
  {
    name: "quality",
    type: "number",
    min: 0,
    max: 1,
    required: true,
    valueName: "0-1",
    description: "Quality of the outcome, from 0 to 1",
  },
  text(
    "notes",
    "TEXT",
    `What happened, in a line (at most ${MAX_NOTES_CHARS} characters; secrets are redacted)`,
  ),
  nowOption("Record at this instant instead of the clock"),
  textFormat("How to print the new summary"),
  eventSink("kaizen.metrics.recorded"),
  NATS_URL,
] as const satisfies readonly OptionSpec[];

const REBUILD_OPTIONS = [
  TARGET,
  nowOption("Stamp the summary with this instant instead of the clock"),
  textFormat("How to print the rebuilt summary"),
] as const satisfies readonly OptionSpec[];

const OPTIMIZE_OPTIONS = [
  TARGET,
  nowOption("Analyse as of this instant instead of the clock"),
] as const satisfies readonly OptionSpec[];

const PUBLISH_OPTIONS = [
  TARGET,
  flag("dry-run", "Print the request (token masked) and send nothing"),
] as const satisfies readonly OptionSpec[];

const agentArg = { name: "agent", description: "Agent whose runs these are", required: true };

/** The `metrics` command group. */
export const metricsCommand: CommandSpec = {
  name: "metrics",
  description: "Record how agent sessions went and show the summary the next bundle reads",
  subcommands: [
    defineCommand({
      name: "record",
      description: "Append one execution record and update summary.json",
      args: [agentArg],
      options: RECORD_OPTIONS,
      epilog:
        "HELIX_SESSION_UID, HELIX_REPO, HELIX_FLAVOR, HELIX_TOKENS and HELIX_INFRA_OVERHEAD_SHARE\nare merged into the record when set.",
      run: recordCommand,
    }),
    defineCommand({
      name: "show",
      description: "Show an agent's summary and latest runs",
      args: [agentArg],
      options: LISTING_OPTIONS,
      run: showCommand,
    }),
    defineCommand({
      name: "rebuild",
      description: "Derive summary.json again from executions.jsonl (after a crash or an edit)",
      args: [agentArg],
      options: REBUILD_OPTIONS,
      run: rebuildCommand,
    }),
    defineCommand({
      name: "list",
      description: "Show every agent with recorded runs",
      options: LISTING_OPTIONS,
      run: listCommand,
    }),
    defineCommand({
      name: "optimize",
      description:
        "Analyse all agents' runs; write optimizer/analysis.json and recommendations.jsonl",
      options: OPTIMIZE_OPTIONS,
      run: optimizeCommand,
    }),
    defineCommand({
      name: "publish",
      description: "Register the optimizer's output with the artifact store (raw-evidence)",
      options: PUBLISH_OPTIONS,
      epilog: "ARTIFACTSTORE_API_URL (required) and ARTIFACTSTORE_API_TOKEN configure the store.",
      run: publishCommand,
    }),
  ],
};

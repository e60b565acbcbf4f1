/**
 * `kaizen metrics record | show` benchmark (issues #10 and #17): whole
 * processes of the bundled CLI (`dist/kaizen.js`, run `deno task bundle`
 * first) against Deno's empty script, in the same run.
 *
 * - `record`: an agent with a short history (it grows by one line a run).
 * - `record-1m`: an agent with 1,000,000 past records (about 150 MiB of
 *   `executions.jsonl`), built once in a temporary folder; the running state
 *   (`summary.state.json`) is created by the warm-up, so the measured runs are
 *   the steady state every later session sees.
 * - `show-1m`: `metrics show` of the same agent (the running state plus the
 *   log's new bytes, and the latest runs read from the tail).
 * - `record-1m-full`, `show-1m-full` (informational, no target): the same
 *   with the state deleted before every run, i.e. the whole log streamed
 *   through the accumulator.
 *
 * Peak RSS of every case is recorded (`/usr/bin/time -f %M`, when it is
 * there; the empty script is wrapped the same way so the ratio stays fair).
 * Runs are interleaved round-robin (empty, then each case) so machine noise
 * lands on all of them alike; numbers are medians.
 *
 * `bench/run.ts` may call {@link measureMetrics}; run alone with
 * `deno run --allow-all bench/metrics.ts [--runs N] [--history N] [--no-build]`
 * (prints JSON; `--history` shrinks the large log for a quick check).
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const BUNDLE = `${ROOT}/dist/kaizen.js`;
const DENO = Deno.execPath();
/** Past records of the large history. */
export const LARGE_HISTORY = 1_000_000;
/** Targets from issues #10 and #17: × the empty script's median. */
export const METRICS_TARGETS = { record: 3, record1m: 3, show1m: 5 } as const;
const TIME = "/usr/bin/time";

/** One case's numbers. */
export interface MetricsRow {
  id: "record" | "record-1m" | "show-1m" | "record-1m-full" | "show-1m-full";
  label: string;
  /** Valid records in the log before the first measured run. */
  pastRecords: number;
  medianMs: number;
  emptyMedianMs: number;
  /** `medianMs / emptyMedianMs`. */
  ratio: number;
  /** Largest acceptable ratio, or null for an informational row. */
  target: number | null;
  runs: number;
  /** Largest peak RSS of the case's runs, MiB (null without `/usr/bin/time`). */
  peakRssMiB: number | null;
  /** The same for the empty script. */
  emptyPeakRssMiB: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** `n` plausible records, one every 50 minutes, written to `path` in batches. */
async function writeHistory(path: string, agent: string, n: number): Promise<void> {
  // A small deterministic PRNG: the same file on every machine.
  let seed = 20261122;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const start = Date.parse("2016-01-01T00:00:00Z");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const enc = new TextEncoder();
    for (let from = 0; from < n; from += 10_000) {
      const parts: string[] = [];
      for (let i = from; i < Math.min(n, from + 10_000); i++) {
        parts.push(
          JSON.stringify({
            agent,
            recorded_at: new Date(start + i * 3_000_000).toISOString().replace(".000Z", "Z"),
            success: rand() < 0.85,
            time_seconds: 60 + Math.floor(rand() * 3540),
            quality: Math.round(rand() * 100) / 100,
            notes: `bench run ${i}: fixed one lint finding and added a test`,
          }) + "\n",
        );
      }
      const bytes = enc.encode(parts.join(""));
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
    }
  } finally {
    file.close();
  }
}

function haveGnuTime(): boolean {
  try {
    return new Deno.Command(TIME, { args: ["-f", "%M", "true"], stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** One measured process: wall time, and peak RSS in KiB when `rssFile` is given. */
async function run(
  cmd: string[],
  env: Record<string, string>,
  rssFile?: string,
): Promise<{ ms: number; rssKb: number | null }> {
  const argv = rssFile ? [TIME, "-f", "%M", "-o", rssFile, ...cmd] : cmd;
  const t0 = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (out.code !== 0) {
    throw new Error(
      `${cmd.slice(-8).join(" ")} exited ${out.code}: ${
        new TextDecoder().decode(out.stderr).trim().split("\n")[0]
      }`,
    );
  }
  const rssKb = rssFile
    ? Number((await Deno.readTextFile(rssFile)).trim().split("\n").at(-1)) || null
    : null;
  return { ms, rssKb };
}

/**
 * Measures the cases above with `runs` measured rounds (at least 10) after
 * `warmup` rounds. Needs `dist/kaizen.js`.
 */
export async function measureMetrics(
  options: { runs?: number; warmup?: number; fullRuns?: number; history?: number } = {},
): Promise<MetricsRow[]> {
  const runs = Math.max(10, options.runs ?? 15);
  const warmup = Math.max(1, options.warmup ?? 2);
  const fullRuns = options.fullRuns ?? 5;
  const history = options.history ?? LARGE_HISTORY;
  try {
    await Deno.stat(BUNDLE);
  } catch {
    throw new Error(`${BUNDLE} is missing: run \`deno task bundle\` first`);
  }
  const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-bench-metrics-" }));
  const rssFile = haveGnuTime() ? `${tmp}/rss` : undefined;
  try {
    await Deno.writeTextFile(`${tmp}/empty.ts`, "");
    const small = `${tmp}/small`;
    const large = `${tmp}/large`;
    await Deno.mkdir(`${tmp}/xdg`);
    await Deno.mkdir(`${small}/.kaizen/metrics/coach`, { recursive: true });
    await Deno.mkdir(`${large}/.kaizen/metrics/coach`, { recursive: true });
    await writeHistory(`${small}/.kaizen/metrics/coach/executions.jsonl`, "coach", 20);
    await writeHistory(`${large}/.kaizen/metrics/coach/executions.jsonl`, "coach", history);
    const env = { NO_COLOR: "1", XDG_CONFIG_HOME: `${tmp}/xdg`, KAIZEN_REPO: "" };
    const cli = (...args: string[]) => [DENO, "run", ...CLI_PERMISSIONS, BUNDLE, ...args];
    const record = (target: string) =>
      cli(
        "metrics",
        "record",
        "coach",
        "--success",
        "--time",
        "600",
        "--quality",
        "0.8",
        "--notes",
        "bench",
        "--target",
        target,
      );
    const show = (target: string) => cli("metrics", "show", "coach", "--target", target);
    const empty = [DENO, "run", `${tmp}/empty.ts`];
    const state = `${large}/.kaizen/metrics/coach/summary.state.json`;

    const cases = [
      { key: "empty", cmd: empty },
      { key: "record", cmd: record(small) },
      { key: "record-1m", cmd: record(large) },
      { key: "show-1m", cmd: show(large) },
    ] as const;
    const times: Record<string, number[]> = {};
    const rss: Record<string, number | null> = {};
    const note = (key: string, r: { ms: number; rssKb: number | null }, measured: boolean) => {
      if (measured) (times[key] ??= []).push(r.ms);
      if (r.rssKb !== null) rss[key] = Math.max(rss[key] ?? 0, r.rssKb);
    };
    for (let i = 0; i < warmup + runs; i++) {
      // Rotate the starting case each round.
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(k + i) % cases.length];
        note(c.key, await run([...c.cmd], env, rssFile), i >= warmup);
      }
    }
    // What each command would cost without the running state: the whole log streamed.
    for (let i = 0; i < fullRuns; i++) {
      await Deno.remove(state).catch(() => {});
      note("show-1m-full", await run(show(large), env, rssFile), true);
      await Deno.remove(state).catch(() => {});
      note("record-1m-full", await run(record(large), env, rssFile), true);
    }
    const e = median(times.empty);
    const mib = (kb: number | null | undefined) =>
      kb === null || kb === undefined ? null : Math.round(kb / 102.4) / 10;
    const row = (
      id: MetricsRow["id"],
      label: string,
      past: number,
      target: number | null,
    ): MetricsRow => {
      const xs = times[id];
      const peak = mib(rss[id]);
      return {
        id,
        // The label carries the peak RSS, so any table that prints labels records it.
        label: peak === null ? label : `${label}; peak RSS ${peak} MiB`,
        pastRecords: past,
        medianMs: Math.round(median(xs) * 10) / 10,
        emptyMedianMs: Math.round(e * 10) / 10,
        ratio: Math.round((median(xs) / e) * 100) / 100,
        target,
        runs: xs.length,
        peakRssMiB: peak,
        emptyPeakRssMiB: mib(rss.empty),
      };
    };
    const n = history.toLocaleString("en-US");
    return [
      row("record", "metrics record (short history)", 20, METRICS_TARGETS.record),
      row(
        "record-1m",
        `metrics record, ${n} past records (incremental)`,
        history,
        METRICS_TARGETS.record1m,
      ),
      row(
        "show-1m",
        `metrics show, ${n} past records (incremental)`,
        history,
        METRICS_TARGETS.show1m,
      ),
      row(
        "record-1m-full",
        `metrics record, ${n} past records, no state (whole log streamed; informational)`,
        history,
        null,
      ),
      row(
        "show-1m-full",
        `metrics show, ${n} past records, no state (whole log streamed; informational)`,
        history,
        null,
      ),
    ];
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  const args = [...Deno.args];
  const at = args.indexOf("--runs");
  const runs = at >= 0 ? Number(args[at + 1]) : undefined;
  const h = args.indexOf("--history");
  const history = h >= 0 ? Number(args[h + 1]) : undefined;
  if (!args.includes("--no-build")) {
    const b = await new Deno.Command(DENO, {
      args: ["task", "bundle"],
      cwd: ROOT,
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (b.code !== 0) Deno.exit(b.code);
  }
  const rows = await measureMetrics({ runs, history });
  console.log(JSON.stringify(
    rows.map((r) => ({ ...r, met: r.target === null ? null : r.ratio <= r.target })),
    null,
    2,
  ));
}

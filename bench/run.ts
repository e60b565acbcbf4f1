/**
 * Whole-process start-up benchmark for kaizen.
 *
 * `deno task bench [--write] [--runs N] [--warmup N] [--rss-runs N] [--no-build]`
 *
 * 1. Rebuilds `dist/kaizen.js` (`deno task bundle`) so the current code is measured.
 * 2. Times every command as a whole process (spawn → exit, `performance.now()`
 *    around `Deno.Command#output()`), warm-ups first, then N measured rounds.
 *    Commands are interleaved round-robin and the starting command rotates each
 *    round, so machine noise lands on all of them alike.
 * 3. Measures peak RSS of each command in separate runs (so the wrapper does not
 *    add to the timed runs) with `/usr/bin/time -f %M`, or, if that is missing,
 *    a python3 `getrusage(RUSAGE_CHILDREN).ru_maxrss` wrapper.
 * 4. Times the redactor on adversarial 1 MiB inputs in-process, when
 *    `bench/redact_adversarial.ts` (its `measureRedactor()`) exists.
 * 5. Prints a markdown table and the target ratios; `--write` also rewrites
 *    `bench/RESULTS.md`.
 *
 * A command that exits non-zero (e.g. one still under construction) is reported
 * as FAILED with its first error line and left out of the timing; the bench
 * then exits 1 after printing (and writing) everything else. Targets that are
 * missed never change the exit code: this is a measurement, not a test.
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";
import { haveNatsServer, type NatsServer, startNatsServer } from "../tests/_nats_server.ts";
import { CONCURRENCY, measureNats, type NatsBench } from "./nats.ts";
import { measureRoster, type RosterRow } from "./roster.ts";
import { measureMetrics, type MetricsRow } from "./metrics.ts";
import { mergeResults } from "./keep_sections.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const REPOMIX_VERSION = "1.18.1";
const KAIZEN_PERMS = CLI_PERMISSIONS;
/** The five pilot inputs `schedule prepare coach` puts into its bundle. */
const PILOT_INPUTS = [
  "agents/agent-coach.md",
  "examples/pilot/.kaizen/agents/coach/memory.md",
  "examples/pilot/.kaizen/metrics/coach/summary.json",
  "examples/pilot/SCOPE.md",
  "examples/pilot/TODO.md",
];
/** The MCP session the `mcp-prompt` bench feeds on stdin, one JSON-RPC message per line. */
const MCP_SESSION = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "bench", version: "1" },
    },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "prompts/get", params: { name: "coach" } },
].map((m) => JSON.stringify(m) + "\n").join("");

const TARGETS = {
  validateOverEmpty: 3,
  listOverEmpty: 3,
  prepareOverEmpty: 3,
  prepareOverRepomix: 0.15,
  prepareJsonOverEmpty: 6,
  redactorMs: 250,
  natsPrepareOverPrepare: 2,
  mcpPromptOverPrepare: 2,
  prepareEmitThousandMs: 2000,
  emitOverBare: 0.7,
  rosterTenThousandMs: 1000,
  rosterOverBaseline: 4,
};

/** One row of the redactor's adversarial benchmark (`bench/redact_adversarial.ts`). */
interface RedactorRow {
  shape: string;
  bytes: number;
  ms: number;
}

interface Options {
  write: boolean;
  runs: number;
  warmup: number;
  rssRuns: number;
  build: boolean;
  rssTool: "auto" | "time" | "python";
}

interface Bench {
  id: string;
  label: string;
  /** Shown in RESULTS.md; paths relative to the repo root. */
  display: string;
  cmd: string[];
  cwd: string;
  env?: Record<string, string>;
  times: number[];
  rss: number[]; // KiB
  failed?: string;
  note?: string;
  /** Fed to the process's stdin (the MCP session); no stdin when absent. */
  stdin?: string;
  /** Checks the probe run's stdout; returns why it is wrong, or undefined. */
  expect?: (stdout: string) => string | undefined;
}

const USAGE = `usage: deno task bench [--write] [--runs N] [--warmup N] [--rss-runs N] [--no-build]
                       [--rss-tool time|python]
  --write        rewrite bench/RESULTS.md with this run's numbers
  --runs N       measured runs per command (default 30), after --warmup (default 3)
  --rss-runs N   extra runs per command for peak memory (default 5)
  --no-build     do not rebuild dist/kaizen.js first
  --rss-tool     force the peak-memory wrapper (default: /usr/bin/time if present)`;

function parseArgs(args: string[]): Options {
  const o: Options = {
    write: false,
    runs: 30,
    warmup: 3,
    rssRuns: 5,
    build: true,
    rssTool: "auto",
  };
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      fail(`${flag} needs an integer >= ${min}, got '${v ?? ""}'`);
    }
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case "--": // `deno task bench -- --write` passes the `--` through
        break;
      case "--write":
        o.write = true;
        break;
      case "--no-build":
        o.build = false;
        break;
      case "--runs":
        o.runs = int(flag, value(), 1);
        break;
      case "--warmup":
        o.warmup = int(flag, value(), 0);
        break;
      case "--rss-runs":
        o.rssRuns = int(flag, value(), 0);
        break;
      case "--rss-tool": {
        const v = value();
        if (v !== "time" && v !== "python") {
          fail(`--rss-tool must be 'time' or 'python', got '${v ?? ""}'`);
        }
        o.rssTool = v;
        break;
      }
      case "-h":
      case "--help":
        console.log(USAGE);
        Deno.exit(0);
        break;
      default:
        fail(`unknown argument '${a}'\n${USAGE}`);
    }
  }
  return o;
}

function fail(msg: string): never {
  console.error(`bench: ${msg}`);
  Deno.exit(2);
}

function log(msg: string) {
  console.error(`bench: ${msg}`);
}

const dec = new TextDecoder();

async function exec(
  cmd: string[],
  opts: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd: opts.cwd ?? ROOT,
      env: opts.env,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (opts.stdin !== undefined) await feed(child, opts.stdin);
    const out = await child.output();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (e) {
    return { code: 127, stdout: "", stderr: e instanceof Error ? e.message : String(e) };
  }
}

/** First meaningful line of an error output, without ANSI colour codes. */
function firstErrorLine(text: string): string {
  // deno-lint-ignore no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").split("\n").map((l) => l.trim())
    .filter((l) => l !== "");
  const line = lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "(no output)";
  return line.length > 160 ? line.slice(0, 157) + "..." : line;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function firstLine(cmd: string[]): Promise<string> {
  const r = await exec(cmd);
  return r.code === 0 ? r.stdout.trim().split("\n")[0] : "unknown";
}

// ---------------------------------------------------------------------------
// Set-up

async function buildBundle(): Promise<void> {
  log("building dist/kaizen.js (deno task bundle) ...");
  const r = await exec([DENO, "task", "bundle"]);
  if (r.code !== 0) {
    console.error(r.stderr.trim());
    console.error(
      "bench: deno task bundle failed; not measuring a stale bundle (use --no-build to)",
    );
    Deno.exit(1);
  }
}

function cacheDir(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME") ?? "/tmp";
  return `${xdg && xdg !== "" ? xdg : `${home}/.cache`}/kaizen/bench`;
}

/** Installs repomix once into the cache; returns the bin path or an error message. */
async function ensureRepomix(): Promise<{ bin: string } | { error: string }> {
  const prefix = cacheDir();
  const bin = `${prefix}/node_modules/repomix/bin/repomix.cjs`;
  const pkg = `${prefix}/node_modules/repomix/package.json`;
  if (await exists(pkg)) {
    const version = JSON.parse(await Deno.readTextFile(pkg)).version;
    if (version === REPOMIX_VERSION && await exists(bin)) return { bin };
  }
  log(`installing repomix@${REPOMIX_VERSION} into ${prefix} (once) ...`);
  await Deno.mkdir(prefix, { recursive: true });
  const r = await exec([
    "npm",
    "install",
    "--prefix",
    prefix,
    "--no-audit",
    "--no-fund",
    "--save-exact",
    `repomix@${REPOMIX_VERSION}`,
  ]);
  if (r.code !== 0 || !(await exists(bin))) {
    return { error: `npm install repomix@${REPOMIX_VERSION} failed: ${firstErrorLine(r.stderr)}` };
  }
  return { bin };
}

// ---------------------------------------------------------------------------
// Measuring

/** Writes `text` to the child's stdin and closes it (end of the session). */
async function feed(child: Deno.ChildProcess, text: string): Promise<void> {
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
}

/** Whole-process wall time in ms, or the exit code if it was not 0. */
async function timeOnce(b: Bench): Promise<{ ms: number; code: number }> {
  const command = new Deno.Command(b.cmd[0], {
    args: b.cmd.slice(1),
    cwd: b.cwd,
    env: b.env,
    stdin: b.stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "null",
  });
  const t0 = performance.now();
  const child = command.spawn();
  if (b.stdin !== undefined) await feed(child, b.stdin);
  const { code } = await child.status;
  return { ms: performance.now() - t0, code };
}

/** Checks a command once with its output captured; marks it failed if it does not exit 0. */
async function probe(b: Bench): Promise<void> {
  const r = await exec(b.cmd, { cwd: b.cwd, env: b.env, stdin: b.stdin });
  if (r.code !== 0) b.failed = `exit ${r.code}: ${firstErrorLine(r.stderr || r.stdout)}`;
  else if (b.expect) b.failed = b.expect(r.stdout);
}

type RssTool = { name: string; wrap: (cmd: string[], out: string) => string[] };

const PY_RSS = [
  "import resource, subprocess, sys",
  "r = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)",
  "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))",
  "sys.exit(r.returncode)",
].join("\n");

async function pickRssTool(want: Options["rssTool"]): Promise<RssTool | undefined> {
  if (want !== "python" && await exists("/usr/bin/time")) {
    return {
      name: "`/usr/bin/time -f %M` (GNU time; max RSS of the child, KiB)",
      wrap: (cmd, out) => ["/usr/bin/time", "-f", "%M", "-o", out, ...cmd],
    };
  }
  if (want === "time") fail("--rss-tool time: /usr/bin/time not found");
  if ((await exec(["python3", "-c", "import resource"])).code === 0) {
    return {
      name: "python3 `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` wrapper (KiB)",
      wrap: (cmd, out) => ["python3", "-c", PY_RSS, out, ...cmd],
    };
  }
  return undefined;
}

async function rssOnce(b: Bench, tool: RssTool, file: string): Promise<number | undefined> {
  const r = await exec(tool.wrap(b.cmd, file), { cwd: b.cwd, env: b.env });
  if (r.code !== 0) return undefined;
  const text = (await Deno.readTextFile(file)).trim().split("\n").pop() ?? "";
  const kib = Number(text);
  return Number.isFinite(kib) && kib > 0 ? kib : undefined;
}

// ---------------------------------------------------------------------------
// Statistics and report

/** Linear-interpolated quantile (same as numpy's default). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const median = (xs: number[]) => quantile(xs, 0.5);
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "—");
const mib = (kib: number) => (Number.isFinite(kib) ? (kib / 1024).toFixed(0) : "—");

interface Ratio {
  label: string;
  value: number;
  /** Ratio of the fastest runs: less sensitive to a busy machine; informational. */
  minValue: number;
  target: string;
  verdict: string;
}

function ratio(label: string, num: Bench, den: Bench, max: number): Ratio {
  const target = `≤ ${max}×`;
  if (num.failed || den.failed) {
    const who = [num, den].filter((b) => b.failed).map((b) => b.id).join(", ");
    return { label, value: NaN, minValue: NaN, target, verdict: `n/a (${who} failed)` };
  }
  const value = median(num.times) / median(den.times);
  const minValue = Math.min(...num.times) / Math.min(...den.times);
  return { label, value, minValue, target, verdict: value <= max ? "PASS" : "MISS" };
}

function table(benches: Bench[], empty: Bench): string {
  const rows = [
    "| Command | Median ms | p90 ms | Min ms | × empty (median) | Peak RSS MiB (median / max) |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  const e = median(empty.times);
  for (const b of benches) {
    if (b.failed) {
      rows.push(`| ${b.label} | FAILED | | | | \`${b.failed.replaceAll("|", "\\|")}\` |`);
      continue;
    }
    const m = median(b.times);
    const rss = b.rss.length ? `${mib(median(b.rss))} / ${mib(Math.max(...b.rss))}` : "—";
    rows.push(
      `| ${b.label} | ${ms(m)} | ${ms(quantile(b.times, 0.9))} | ${ms(Math.min(...b.times))} | ${
        empty.failed ? "—" : (m / e).toFixed(2)
      } | ${rss} |`,
    );
  }
  return rows.join("\n");
}

function ratioTable(ratios: Ratio[]): string {
  const rows = [
    "| Ratio | Medians | Target | Verdict (medians) | Fastest runs (info) |",
    "|---|---:|---:|---|---:|",
  ];
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "—");
  for (const r of ratios) {
    rows.push(`| ${r.label} | ${f(r.value)} | ${r.target} | ${r.verdict} | ${f(r.minValue)} |`);
  }
  return rows.join("\n");
}

async function machineFacts(): Promise<Record<string, string>> {
  let cpu = "unknown";
  try {
    const m = (await Deno.readTextFile("/proc/cpuinfo")).match(/^model name\s*:\s*(.+)$/m);
    if (m) cpu = m[1].trim();
  } catch { /* not Linux */ }
  const dirty = (await exec(["git", "status", "--porcelain"])).stdout.trim() !== "";
  const commit = await firstLine(["git", "rev-parse", "--short", "HEAD"]);
  return {
    "nproc": await firstLine(["nproc"]),
    "CPU": cpu,
    "OS": `${Deno.build.os} ${Deno.osRelease()} (${Deno.build.arch})`,
    "Deno": `${Deno.version.deno} (V8 ${Deno.version.v8})`,
    "Node (repomix)": await firstLine(["node", "--version"]),
    "Commit": `${commit}${dirty ? " + uncommitted changes" : ""}`,
  };
}

/** A warning when the 1-minute load average exceeded the CPU count during the run. */
function busyWarning(loads: string[]): string {
  const cpus = navigator.hardwareConcurrency;
  const worst = Math.max(...loads.map((l) => Number(l.split(" ")[0])).filter(Number.isFinite));
  return worst > cpus
    ? `\n**Warning:** the 1-minute load average reached ${worst} on ${cpus} CPUs during this run; ` +
      "other work competed for the CPU, so absolute times and ratios are noisy (multi-threaded " +
      "repomix suffers most). Re-run on an idle machine before trusting a verdict.\n"
    : "";
}

async function loadAvg(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(Deno.args);
  if (opts.build) await buildBundle();

  const tmp = await Deno.makeTempDir({ prefix: "kaizen-bench-" });
  let nats: NatsServer | undefined;
  try {
    await Deno.writeTextFile(`${tmp}/empty.ts`, "");
    const inputs = `${tmp}/repomix-input`;
    await Deno.mkdir(inputs);
    for (const rel of PILOT_INPUTS) {
      await Deno.copyFile(`${ROOT}/${rel}`, `${inputs}/${rel.split("/").pop()}`);
    }
    const repomix = await ensureRepomix();

    const env = { DENO_NO_UPDATE_CHECK: "1" };
    const kaizen = (
      entry: string,
      args: string[],
    ) => [DENO, "run", ...KAIZEN_PERMS, entry, ...args];
    const validate = ["schedule", "validate", "--target", "examples/pilot"];
    const list = [
      "schedule",
      "list",
      "--target",
      "examples/pilot",
      "--now",
      "2026-11-23T08:00:00Z",
    ];
    const prepare = [
      "schedule",
      "prepare",
      "coach",
      "--target",
      "examples/pilot",
      "--now",
      "2026-11-23T08:00:00Z",
    ];
    const mk = (b: Omit<Bench, "times" | "rss">): Bench => ({ ...b, times: [], rss: [] });
    const empty = mk({
      id: "empty",
      label: "A: `deno run` empty script",
      display: "deno run <tmp>/empty.ts",
      cmd: [DENO, "run", `${tmp}/empty.ts`],
      cwd: ROOT,
      env,
    });
    const validateBundle = mk({
      id: "validate",
      label: "`schedule validate` (bundle)",
      display: `deno run ${KAIZEN_PERMS.join(" ")} dist/kaizen.js ${validate.join(" ")}`,
      cmd: kaizen("dist/kaizen.js", validate),
      cwd: ROOT,
      env,
    });
    const validateSource = mk({
      id: "validate-src",
      label: "`schedule validate` (source, info)",
      display: `deno run ${KAIZEN_PERMS.join(" ")} cli.ts ${validate.join(" ")}`,
      cmd: kaizen("cli.ts", validate),
      cwd: ROOT,
      env,
    });
    const listBundle = mk({
      id: "list",
      label: "`schedule list` (bundle)",
      display: `deno run ${KAIZEN_PERMS.join(" ")} dist/kaizen.js ${list.join(" ")} > /dev/null`,
      cmd: kaizen("dist/kaizen.js", list),
      cwd: ROOT,
      env,
    });
    const prepareBundle = mk({
      id: "prepare",
      label: "`schedule prepare coach` (bundle)",
      display: `deno run ${KAIZEN_PERMS.join(" ")} dist/kaizen.js ${prepare.join(" ")} > /dev/null`,
      cmd: kaizen("dist/kaizen.js", prepare),
      cwd: ROOT,
      env,
    });
    // What a runner parses: JSON adds token counting (the tokenizer load).
    const prepareJson = mk({
      id: "prepare-json",
      label: "`schedule prepare coach --format json` (bundle)",
      display: `deno run ${KAIZEN_PERMS.join(" ")} dist/kaizen.js ${
        prepare.join(" ")
      } --format json > /dev/null`,
      cmd: kaizen("dist/kaizen.js", [...prepare, "--format", "json"]),
      cwd: ROOT,
      env,
    });
    const repomixBench = mk({
      id: "repomix",
      label: `B: repomix ${REPOMIX_VERSION} → markdown`,
      display: "node <cache>/node_modules/repomix/bin/repomix.cjs --style markdown " +
        "--output <tmp>/out.md <tmp>/repomix-input",
      cmd: "bin" in repomix
        ? ["node", repomix.bin, "--style", "markdown", "--output", `${tmp}/out.md`, inputs]
        : ["false"],
      cwd: tmp,
    });
    if ("error" in repomix) repomixBench.failed = repomix.error;
    // (issue #8) a whole `prepare --sink nats` process against a local
    // JetStream stream: every run after the first is an acked duplicate.
    const prepareNats = mk({
      id: "prepare-nats",
      label: "`schedule prepare coach --sink nats` (bundle)",
      display: `deno run ${KAIZEN_PERMS.join(" ")} dist/kaizen.js ${
        prepare.join(" ")
      } --sink nats --nats-url nats://127.0.0.1:<port>`,
      cmd: ["false"],
      cwd: ROOT,
      env,
    });
    if (haveNatsServer()) {
      nats = await startNatsServer();
      await createStream(nats.url);
      prepareNats.cmd = kaizen("dist/kaizen.js", [
        ...prepare,
        "--sink",
        "nats",
        "--nats-url",
        nats.url,
      ]);
    } else prepareNats.failed = "nats-server is not installed";
    // (issue #11) a client's first bundle over MCP: spawn `kaizen mcp`,
    // initialize, get the coach prompt, close stdin; against the same bundle
    // from a whole `prepare` process.
    const mcpPrompt = mk({
      id: "mcp-prompt",
      label: "`mcp`: initialize + `prompts/get coach` (bundle)",
      display:
        `deno run ${KAIZEN_PERMS.join(" ")} dist/kaizen.js mcp --target examples/pilot --now ` +
        `2026-11-23T08:00:00Z < initialize, initialized, prompts/get coach`,
      cmd: kaizen("dist/kaizen.js", [
        "mcp",
        "--target",
        "examples/pilot",
        "--now",
        "2026-11-23T08:00:00Z",
      ]),
      cwd: ROOT,
      env,
      stdin: MCP_SESSION,
      expect: (out) =>
        /"id":2\b/.test(out) && out.includes('"messages"')
          ? undefined
          : "no prompts/get answer on stdout",
    });
    const benches = [
      empty,
      validateBundle,
      validateSource,
      listBundle,
      prepareBundle,
      prepareJson,
      prepareNats,
      mcpPrompt,
      repomixBench,
    ];

    for (const b of benches) if (!b.failed) await probe(b);
    for (const b of benches) if (b.failed) log(`${b.id}: FAILED (${b.failed}); not timed`);

    const loadBefore = await loadAvg();
    const rounds = opts.warmup + opts.runs;
    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      const active = benches.filter((b) => !b.failed);
      for (let k = 0; k < active.length; k++) {
        const b = active[(round + k) % active.length];
        const { ms, code } = await timeOnce(b);
        if (code !== 0) {
          b.failed = `exit ${code} on run ${round + 1}`;
          log(`${b.id}: ${b.failed}; dropped`);
        } else if (round >= opts.warmup) b.times.push(ms);
      }
      if ((round + 1) % 10 === 0 || round + 1 === rounds) log(`timed round ${round + 1}/${rounds}`);
    }

    const rssTool = opts.rssRuns > 0 ? await pickRssTool(opts.rssTool) : undefined;
    if (rssTool) {
      const file = `${tmp}/rss.txt`;
      for (let round = 0; round < opts.rssRuns; round++) {
        // A session fed on stdin would measure an idle server under the wrapper's /dev/null.
        for (const b of benches.filter((b) => !b.failed && b.stdin === undefined)) {
          const kib = await rssOnce(b, rssTool, file);
          if (kib !== undefined) b.rss.push(kib);
        }
      }
    } else if (opts.rssRuns > 0) log("no /usr/bin/time and no python3: peak memory not measured");
    // In-process and after the process timings, so it does not compete with them.
    const redactor = await measureRedactorRows();
    let natsBench: NatsBench | { error: string } | undefined;
    if (nats) {
      log("timing 1,000 prepare + emit and emit-only throughput against nats-server ...");
      natsBench = await measureNats(nats.url).catch((err) => ({
        error: err instanceof Error ? err.message.split("\n")[0] : String(err),
      }));
      await nats.stop();
    }
    log("timing roster discover on 1,000 and 10,000 repos behind a loopback hub ...");
    const roster = await measureRoster().catch((err) => ({
      error: err instanceof Error ? err.message.split("\n")[0] : String(err),
    }));
    log("timing metrics record (short history and 100,000 past records) ...");
    const metrics = await measureMetrics().catch((err) => ({
      error: err instanceof Error ? err.message.split("\n")[0] : String(err),
    }));
    const seconds = (performance.now() - started) / 1000;
    const loadAfter = await loadAvg();

    const ratios = [
      ratio("validate / empty", validateBundle, empty, TARGETS.validateOverEmpty),
      ratio("prepare / empty", prepareBundle, empty, TARGETS.prepareOverEmpty),
      ratio("list / empty", listBundle, empty, TARGETS.listOverEmpty),
      ratio("prepare / repomix", prepareBundle, repomixBench, TARGETS.prepareOverRepomix),
      ratio("prepare --format json / empty", prepareJson, empty, TARGETS.prepareJsonOverEmpty),
      ratio(
        "prepare --sink nats / prepare",
        prepareNats,
        prepareBundle,
        TARGETS.natsPrepareOverPrepare,
      ),
      ratio(
        "mcp initialize + prompts/get / prepare",
        mcpPrompt,
        prepareBundle,
        TARGETS.mcpPromptOverPrepare,
      ),
    ];
    const info = validateSource.failed || empty.failed
      ? ""
      : `\nFrom source (informational): validate / empty = ${
        (median(validateSource.times) / median(empty.times)).toFixed(3)
      }.\n`;
    const summary = [
      table(benches, empty),
      "",
      ratioTable(ratios),
      info,
      redactorTable(redactor),
      natsTable(natsBench),
      rosterTable(roster),
      metricsTable(metrics),
      `${opts.runs} measured runs per command after ${opts.warmup} warm-ups, interleaved round-robin; ` +
      `peak RSS from ${opts.rssRuns} separate runs via ${rssTool?.name ?? "— (not measured)"}. ` +
      `Load average before/after: ${loadBefore} / ${loadAfter}. Took ${seconds.toFixed(0)} s.`,
      busyWarning([loadBefore, loadAfter]),
    ].join("\n");
    console.log(summary);

    if (opts.write) {
      const facts = await machineFacts();
      const path = `${ROOT}/bench/RESULTS.md`;
      const previous = await Deno.readTextFile(path).catch(() => "");
      await Deno.writeTextFile(
        path,
        mergeResults(previous, resultsMd(summary, facts, benches, opts)),
      );
      log("wrote bench/RESULTS.md");
    }
    if (
      benches.some((b) => b.failed) || (redactor && "error" in redactor) ||
      (natsBench && "error" in natsBench) || "error" in roster || "error" in metrics
    ) Deno.exit(1);
  } finally {
    await nats?.stop().catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * Runs `measureRedactor()` from `bench/redact_adversarial.ts` when that file
 * exists (it belongs to the redactor's own work and may be absent on older
 * trees). The specifier is computed so a missing file is not a type error.
 */
async function measureRedactorRows(): Promise<RedactorRow[] | { error: string } | undefined> {
  const url = new URL("./redact_adversarial.ts", import.meta.url);
  if (!(await exists(url.pathname))) return undefined;
  log("timing the redactor on adversarial inputs ...");
  try {
    const mod = await import(url.href);
    const rows = await mod.measureRedactor();
    if (!Array.isArray(rows)) return { error: "measureRedactor() did not return a list" };
    return rows as RedactorRow[];
  } catch (err) {
    return { error: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
}

async function createStream(url: string): Promise<void> {
  const { openEventPublisher } = await import("../core/nats/publish.ts");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const pub = await openEventPublisher({ url, env: () => undefined });
  await (await jetstreamManager(pub.connection)).streams.add({
    name: "KAIZEN",
    subjects: ["kaizen.>"],
  });
  await pub.close();
}

function metricsTable(r: MetricsRow[] | { error: string }): string {
  if ("error" in r) return `\nmetrics record: FAILED (${r.error}).\n`;
  const out = [
    "",
    "`metrics record` (`bench/metrics.ts`): whole processes of the bundle against the empty script, same run.",
    "",
    "| Case | Past records | Median ms | Empty ms | × empty | Target | Verdict |",
    "|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const x of r) {
    const verdict = x.target === null ? "info" : x.ratio <= x.target ? "PASS" : "MISS";
    out.push(
      `| ${x.label} | ${x.pastRecords} | ${ms(x.medianMs)} | ${ms(x.emptyMedianMs)} | ${
        x.ratio.toFixed(2)
      } | ${x.target === null ? "—" : `≤ ${x.target}×`} | ${verdict} |`,
    );
  }
  return out.join("\n") + "\n";
}

function rosterTable(r: RosterRow[] | { error: string }): string {
  if ("error" in r) return `\nRoster resolver: FAILED (${r.error}).\n`;
  const out = [
    "",
    "Roster resolver (`bench/roster.ts`): whole `roster discover --hub` processes against a loopback hub, " +
    "repos on disk (70% eligible, 10% no manifest, 10% invalid, 5% unreachable, 5% on another host); " +
    "baseline: a process that only reads the same manifests in a loop.",
    "",
    "| Repos | discover ms | baseline ms | × baseline | Peak RSS MiB (discover / baseline) | Runs found |",
    "|---:|---:|---:|---:|---:|---:|",
  ];
  for (const x of r) {
    out.push(
      `| ${x.repos} | ${ms(x.discoverMs)} | ${ms(x.baselineMs)} | ${
        (x.discoverMs / x.baselineMs).toFixed(2)
      } | ${x.discoverRssMiB?.toFixed(0) ?? "—"} / ${
        x.baselineRssMiB?.toFixed(0) ?? "—"
      } | ${x.scheduledRuns} |`,
    );
  }
  const big = r.find((x) => x.repos === 10_000);
  const small = r.find((x) => x.repos === 1_000);
  if (big && small) {
    const growth = big.discoverMs / small.discoverMs;
    const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
    out.push(
      "",
      `Targets: 10,000 repos ≤ ${TARGETS.rosterTenThousandMs} ms: ${ms(big.discoverMs)} ms, ${
        verdict(big.discoverMs <= TARGETS.rosterTenThousandMs)
      }; ≤ ${TARGETS.rosterOverBaseline}× the baseline: ${
        (big.discoverMs / big.baselineMs).toFixed(2)
      }×, ${
        verdict(big.discoverMs / big.baselineMs <= TARGETS.rosterOverBaseline)
      }; growth 1,000 → 10,000 no worse than linear (≤ 10×): ${growth.toFixed(2)}×, ${
        verdict(growth <= 10)
      }.`,
    );
  }
  return out.join("\n") + "\n";
}

function natsTable(r: NatsBench | { error: string } | undefined): string {
  if (r === undefined) return "\nNATS (in-process): not measured (no nats-server).\n";
  if ("error" in r) return `\nNATS (in-process): FAILED (${r.error}).\n`;
  const a = r.prepareEmit;
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  return [
    "",
    "NATS, in-process against a local `nats-server -js` (`bench/nats.ts`):",
    "",
    "| Measure | Result | Target | Verdict |",
    "|---|---:|---:|---|",
    `| (a) ${a.runs} × prepareBundle + publish, ${CONCURRENCY} in flight, one connection | ${
      (a.ms / 1000).toFixed(2)
    } s; stored ${a.stored}, lost ${a.lost}, duplicated ${a.duplicates} | ≤ ${
      TARGETS.prepareEmitThousandMs / 1000
    } s, 0 lost, 0 duplicated | ${
      verdict(a.ms <= TARGETS.prepareEmitThousandMs && a.lost === 0 && a.duplicates === 0)
    } |`,
    `| (b) emit-only, acked one at a time (${r.messages} messages, ours and bare interleaved) | ${
      r.emitPerSecond.toFixed(0)
    }/s vs bare ${r.barePerSecond.toFixed(0)}/s = ${
      r.emitOverBare.toFixed(2)
    }× | ≥ ${TARGETS.emitOverBare}× | ${verdict(r.emitOverBare >= TARGETS.emitOverBare)} |`,
    "",
  ].join("\n");
}

function redactorTable(rows: RedactorRow[] | { error: string } | undefined): string {
  if (rows === undefined) return "";
  if ("error" in rows) return `\nRedactor on adversarial inputs: FAILED (${rows.error}).\n`;
  const out = [
    "",
    `Redactor on adversarial inputs (in-process, \`bench/redact_adversarial.ts\`; target ≤ ${TARGETS.redactorMs} ms each):`,
    "",
    "| Shape | Input | ms | Verdict |",
    "|---|---:|---:|---|",
  ];
  for (const r of rows) {
    const size = r.bytes >= 1024 * 1024
      ? `${(r.bytes / 1024 / 1024).toFixed(2)} MiB`
      : `${(r.bytes / 1024).toFixed(0)} KiB`;
    out.push(
      `| ${String(r.shape).replaceAll("|", "\\|")} | ${size} | ${ms(r.ms)} | ${
        r.ms <= TARGETS.redactorMs ? "PASS" : "MISS"
      } |`,
    );
  }
  return out.join("\n") + "\n";
}

function resultsMd(
  summary: string,
  facts: Record<string, string>,
  benches: Bench[],
  o: Options,
): string {
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const runsFlag = o.runs === 30 ? "" : ` --runs ${o.runs}`;
  return `# kaizen start-up benchmark

Generated by \`bench/run.ts\` on ${date}. Do not edit by hand; re-run:

\`\`\`sh
deno task bench --write${runsFlag}    # or: ./dev bench --write${runsFlag}
\`\`\`

(\`deno task\` forwards the arguments after the task name; a literal \`--\` is passed
through too and ignored by the script. \`--runs N\` changes the run count, \`--no-build\`
skips rebuilding the bundle.)

## Results

${summary}

Targets (issues #2, #3 and #7): \`schedule validate\` and \`schedule list\` ≤ 3× the empty
script; \`schedule prepare\` ≤ 3× the empty script and ≤ 0.15× repomix; \`prepare --format json\`
(which also loads the tokenizer) ≤ 6× the empty script, all in whole-process wall time; the
redactor scans 1 MiB of each adversarial shape in ≤ ${TARGETS.redactorMs} ms (in-process, no start-up).
Issue #8: a whole \`prepare --sink nats\` process ≤ ${TARGETS.natsPrepareOverPrepare}× a plain \`prepare\`; 1,000
prepare + emit through the library in one process ≤ ${
    TARGETS.prepareEmitThousandMs / 1000
  } s with nothing lost or duplicated (counted from the stream); emit-only throughput ≥ ${TARGETS.emitOverBare}× a bare
\`@nats-io/jetstream\` publish loop.
Issue #11: a \`kaizen mcp\` process fed \`initialize\`, \`notifications/initialized\` and
\`prompts/get coach\` on stdin (it answers both and exits when stdin closes) ≤ ${TARGETS.mcpPromptOverPrepare}×
a whole \`prepare\` process producing the same bundle; its peak memory is not measured (the wrapper
gives it an empty stdin).

Per-import start-up costs (to guide lazy loading) come from
\`deno run --allow-all bench/startup_breakdown.ts\`, which is not part of this file.

## Machine

${Object.entries(facts).map(([k, v]) => `- ${k}: ${v}`).join("\n")}

## Commands

All run from the repository root (so every \`deno run\` also does the same config
discovery of \`deno.json\`/\`deno.lock\`), with stdin (but the MCP session's), stdout and stderr on \`/dev/null\`
and \`DENO_NO_UPDATE_CHECK=1\`; each must exit 0 or it is reported as FAILED.

${benches.map((b) => `- **${b.id}**: \`${b.display}\``).join("\n")}

The repomix input directory holds copies of the five files \`prepare coach\` reads:
${PILOT_INPUTS.map((p) => `\`${p}\``).join(", ")}. repomix runs with its defaults
(security check via secretlint and o200k token counting on, which is comparable to kaizen's
redaction and token counts; the temp dir is not a git repository, and no
\`repomix.config.json\` is present), with \`cwd\` = the temp dir. It is started as
\`node <bin>\` directly rather than \`npx repomix\`, which would add npx's own package
resolution (hundreds of ms) to the peer and flatter kaizen's ratio.

## What this measures / what it does not

It measures what a user waits for: the whole process, from spawn to exit, of the bundled
CLI (\`dist/kaizen.js\` and the chunks it loads, rebuilt by \`deno task bundle\` at the
start of each run) on the
pilot example, against two baselines measured in the same run: Deno's own start-up
(empty script) and a peer tool doing the same packing job. The shipped artifact is
\`deno compile\` of that bundle, but \`deno compile\` downloads \`denort\` and cannot run
offline here, so \`deno run dist/kaizen.js\` is the closest measurable proxy: the same
JavaScript, but it also pays \`deno run\`'s CLI start-up, permission-flag parsing and config
discovery, which a compiled binary skips (the empty-script baseline pays them too, so the
ratios are fair; the absolute numbers of a compiled binary should be somewhat lower). Peak memory is the maximum resident
set size of the measured process (for repomix: the node process including its worker
threads, not separate child processes).

It does not measure the compiled binary itself, cold-cache behaviour (warm-ups fill the
OS page cache and Deno's module cache), larger repositories than the pilot, the network
sinks, or code paths these commands do not take (e.g. \`--max-tokens\`). Numbers on a
2-core shared machine are noisy; compare ratios from the same run rather than absolute
milliseconds across runs.
`;
}

if (import.meta.main) await main();

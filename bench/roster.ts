/**
 * Roster resolver benchmark (issue #9): builds N repositories on disk (a mix
 * of the fixture kinds: eligible, no manifest, invalid manifest, unreachable,
 * not on this host), serves them from a loopback state hub, and times whole
 * `kaizen roster discover --hub …` processes for 1,000 and 10,000 repos
 * against a read-only baseline: a plain process that reads the same
 * manifests in a loop and does nothing else.
 *
 * `bench/run.ts` calls {@link measureRoster}; run alone with
 * `deno run --allow-all bench/roster.ts`.
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const HOST = "bench-runner";

const MANIFEST = `version: "1"
timezone: Europe/Berlin
agents:
  coach:
    cadence: weekly
    cron: "0 9 * * 1"
  optimization:
    cadence: weekly
    cron: "0 10 * * 1"
  tdd-workflow:
    cadence: monthly
    enabled: false
`;
const INVALID = `version: "1"\nagents:\n  coach:\n    cadence: hourly\n`;

/** One size's numbers, medians of `runs` processes. */
export interface RosterRow {
  repos: number;
  discoverMs: number;
  baselineMs: number;
  discoverRssMiB: number | null;
  baselineRssMiB: number | null;
  runs: number;
  scheduledRuns: number;
}

interface Fleet {
  dir: string;
  repos: { slug: string; host_paths: Record<string, string> }[];
  manifests: string[];
}

/** Writes `n` repos under `dir`: 70% eligible, 10% each no-manifest / invalid, 5% gone, 5% elsewhere. */
async function buildFleet(dir: string, n: number): Promise<Fleet> {
  const repos: Fleet["repos"] = [];
  const manifests: string[] = [];
  for (let i = 0; i < n; i++) {
    const path = `${dir}/r${String(i).padStart(5, "0")}`;
    const kind = i % 20;
    if (kind === 18) {
      repos.push({ slug: `gone-${i}`, host_paths: { [HOST]: `${path}-missing` } });
      continue;
    }
    if (kind === 19) {
      repos.push({ slug: `elsewhere-${i}`, host_paths: { "other-host": path } });
      continue;
    }
    await Deno.mkdir(`${path}/.kaizen`, { recursive: true });
    if (kind < 14) {
      await Deno.writeTextFile(`${path}/.kaizen/schedule.yml`, MANIFEST);
      manifests.push(`${path}/.kaizen/schedule.yml`);
    } else if (kind < 16) {
      await Deno.writeTextFile(`${path}/.kaizen/schedule.yml`, INVALID);
      manifests.push(`${path}/.kaizen/schedule.yml`);
    }
    repos.push({ slug: `repo-${i}`, host_paths: { [HOST]: path } });
  }
  return { dir, repos, manifests };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function timeProcess(cmd: string[]): Promise<{ ms: number; stdout: string }> {
  const t = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const ms = performance.now() - t;
  if (!out.success) {
    throw new Error(
      `${cmd.slice(0, 6).join(" ")} … exited ${out.code}: ${
        new TextDecoder().decode(out.stderr).split("\n")[0]
      }`,
    );
  }
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}

async function peakRssMiB(cmd: string[]): Promise<number | null> {
  try {
    const out = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%M", ...cmd],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    const kib = Number(new TextDecoder().decode(out.stderr).trim().split("\n").pop());
    return Number.isFinite(kib) ? kib / 1024 : null;
  } catch {
    return null;
  }
}

/** Times discover and the baseline for each size in `sizes` (largest built once). */
export async function measureRoster(sizes = [1_000, 10_000], runs = 3): Promise<RosterRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-roster-bench-" });
  const ac = new AbortController();
  try {
    const fleet = await buildFleet(dir, Math.max(...sizes));
    // The hub's answer is serialised once per size, so its own cost does not
    // count as kaizen's.
    let current = "[]";
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      () => new Response(current, { headers: { "content-type": "application/json" } }),
    );
    const hub = `http://127.0.0.1:${server.addr.port}`;
    const baselineFile = `${dir}/baseline.ts`;
    // The baseline does only what any resolver must: read every manifest once.
    await Deno.writeTextFile(
      baselineFile,
      `const list = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
let bytes = 0;
for (const p of list) bytes += Deno.readTextFileSync(p).length;
console.log(bytes);
`,
    );
    const rows: RosterRow[] = [];
    for (const n of sizes) {
      current = JSON.stringify(fleet.repos.slice(0, n));
      const manifests = fleet.manifests.filter((p) => {
        const i = Number(/r(\d+)\//.exec(p)![1]);
        return i < n;
      });
      await Deno.writeTextFile(`${dir}/manifests-${n}.json`, JSON.stringify(manifests));
      const discover = [
        Deno.execPath(),
        "run",
        ...CLI_PERMISSIONS,
        "dist/kaizen.js",
        "roster",
        "discover",
        "--hub",
        hub,
        "--host",
        HOST,
      ];
      const baseline = [
        Deno.execPath(),
        "run",
        "--allow-read",
        baselineFile,
        `${dir}/manifests-${n}.json`,
      ];
      const d: number[] = [];
      const b: number[] = [];
      let scheduled = 0;
      await timeProcess(discover); // warm the page cache and the code cache
      await timeProcess(baseline);
      for (let r = 0; r < runs; r++) {
        const x = await timeProcess(discover);
        scheduled = JSON.parse(x.stdout).stats.runs;
        d.push(x.ms);
        b.push((await timeProcess(baseline)).ms);
      }
      rows.push({
        repos: n,
        discoverMs: median(d),
        baselineMs: median(b),
        discoverRssMiB: await peakRssMiB(discover),
        baselineRssMiB: await peakRssMiB(baseline),
        runs,
        scheduledRuns: scheduled,
      });
    }
    ac.abort();
    await server.finished;
    return rows;
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await measureRoster(), null, 2));
}

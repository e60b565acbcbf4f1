/**
 * `kaizen fleet status` on a big stream (issue 20): N events (default
 * 1,000,000: 2,000 (repo, agent) runs, daily, prepared and recorded) in a
 * local JetStream stream; the time `fleet status --format json` takes to
 * read and join them, against the bare `@nats-io/jetstream` ordered
 * consumer reading the same stream in the same run (each a process of its
 * own, so both pay start-up), and the peak RSS of the `fleet status`
 * process (VmHWM, polled from /proc).
 *
 * Targets: fleet status ≥ 0.5 × the bare consumer's rate; peak RSS < 250 MB.
 *
 *   deno run --allow-all bench/fleet.ts [--events N] [--write]
 *
 * `--write` appends a section to bench/RESULTS.md. Needs `nats-server`.
 *
 * @module
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { DeliverPolicy } from "@nats-io/jetstream";
import { openEventPublisher } from "../core/nats/publish.ts";
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";
import { haveNatsServer, startNatsServer } from "../tests/_nats_server.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DAY = 86_400_000;
const STREAM = "KAIZEN";
const noEnv = () => undefined;

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/** Bare ordered consumer: count every message of the stream (run as its own process). */
async function bare(url: string, expected: number): Promise<void> {
  const pub = await openEventPublisher({ url, env: noEnv });
  const js = jetstream(pub.connection);
  const consumer = await js.consumers.get(STREAM, {
    filter_subjects: "kaizen.>",
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume({ max_messages: 4096 });
  let n = 0;
  for await (const _m of messages) {
    if (++n >= expected) break;
  }
  await messages.close();
  await pub.close();
  console.log(n);
}

if (Deno.args[0] === "--bare") {
  await bare(Deno.args[1], Number(Deno.args[2]));
  Deno.exit(0);
}

/** Runs `argv`, polling its peak RSS; returns wall time (ms) and VmHWM (MB). */
async function measure(argv: string[]): Promise<{ ms: number; rssMb: number; code: number }> {
  const started = performance.now();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  let hwm = 0;
  const poll = setInterval(() => {
    try {
      const s = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      const m = /VmHWM:\s+(\d+) kB/.exec(s);
      if (m) hwm = Math.max(hwm, Number(m[1]));
    } catch { /* exited */ }
  }, 20);
  const [status, err] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  clearInterval(poll);
  if (!status.success) console.error(err.slice(0, 2000));
  return { ms: performance.now() - started, rssMb: hwm / 1024, code: status.code };
}

function payloads(repo: string, agent: string, at: number, ok: boolean) {
  const base = { version: "1", repo, root: `/srv/${repo}`, agent };
  const prepared = JSON.stringify({
    event: "kaizen.schedule.prepared",
    ...base,
    occurred_at: new Date(at).toISOString(),
    cadence: "daily",
    prepare_command: `kaizen schedule prepare ${agent} --target /srv/${repo}`,
    bundle: {
      format: "markdown",
      agent_prompt_found: true,
      has_memory: true,
      has_metrics: true,
      pointers: ["scope", "todo"],
      bytes: 8421,
    },
    session_close: [`kaizen metrics record ${agent} --success --time <s> --quality <0-1>`],
  });
  const time = 300 + (at / 1000) % 3000;
  const recorded = JSON.stringify({
    event: "kaizen.metrics.recorded",
    ...base,
    occurred_at: new Date(at + time * 1000).toISOString(),
    success: ok,
    time_seconds: time,
    quality: ok ? 0.8 : 0.3,
    helix_session_uid: null,
    summary: {
      runs: 10,
      successes: 9,
      failures: 1,
      success_rate: 0.9,
      avg_time_seconds: 1200,
      avg_quality: 0.75,
    },
  });
  return { prepared, recorded };
}

if (import.meta.main) {
  if (!haveNatsServer()) {
    console.error("bench/fleet.ts: nats-server is not installed");
    Deno.exit(1);
  }
  const events = Number(arg("events") ?? 1_000_000);
  const rows = 2000;
  const runs = Math.floor(events / 2);
  const days = Math.ceil(runs / rows);
  const end = Math.floor(Date.now() / DAY) * DAY;
  const start = end - days * DAY;
  const server = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "kaizen-bench-fleet-" });
  try {
    // The expected runs: 1,000 repos × (coach, optimization), daily at 10:00 UTC.
    const scheduled = [];
    for (let r = 0; r < rows / 2; r++) {
      for (const agent of ["coach", "optimization"]) {
        scheduled.push({
          repo: `repo-${String(r).padStart(4, "0")}`,
          agent,
          cron: "0 10 * * *",
          timezone: "UTC",
        });
      }
    }
    const runsFile = `${dir}/runs.json`;
    await Deno.writeTextFile(runsFile, JSON.stringify({ scheduled_runs: scheduled, skipped: [] }));

    console.error(`publishing ${events.toLocaleString("en")} events ...`);
    const pub = await openEventPublisher({ url: server.url, env: noEnv, timeoutMs: 60_000 });
    const jsm = await jetstreamManager(pub.connection);
    await jsm.streams.add({ name: STREAM, subjects: ["kaizen.>"], storage: "file" as never });
    const nc = pub.connection;
    let sent = 0;
    for (let d = 0; d < days && sent < events; d++) {
      for (const s of scheduled) {
        if (sent >= events) break;
        const at = start + d * DAY + 10 * 3_600_000 + 60_000;
        const p = payloads(s.repo, s.agent, at, (d + s.repo.length) % 10 !== 0);
        nc.publish("kaizen.schedule.prepared", p.prepared);
        nc.publish("kaizen.metrics.recorded", p.recorded);
        sent += 2;
      }
      await nc.flush();
    }
    // Core publishes are stored asynchronously: wait until the stream holds them all.
    for (let i = 0; i < 600; i++) {
      const info = await jsm.streams.info(STREAM);
      if (info.state.messages >= sent) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const stored = (await jsm.streams.info(STREAM)).state.messages;
    await pub.close();
    console.error(`stored ${stored.toLocaleString("en")} messages`);

    const deno = Deno.execPath();
    const bareRun = await measure([
      deno,
      "run",
      "--allow-all",
      `${ROOT}/bench/fleet.ts`,
      "--bare",
      server.url,
      String(stored),
    ]);
    const fleetRun = await measure([
      deno,
      "run",
      ...CLI_PERMISSIONS,
      `${ROOT}/cli.ts`,
      "fleet",
      "status",
      "--runs",
      runsFile,
      "--window",
      `${new Date(start).toISOString()}/${new Date(end).toISOString()}`,
      "--nats-url",
      server.url,
      "--format",
      "json",
      "--out",
      `${dir}/report.json`,
    ]);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    const bareRate = stored / (bareRun.ms / 1000);
    const fleetRate = stored / (fleetRun.ms / 1000);
    const result = {
      events: stored,
      rows: report.rows.length,
      joined: report.source.events,
      bare: { ms: Math.round(bareRun.ms), perSecond: Math.round(bareRate), rssMb: bareRun.rssMb },
      fleet: {
        ms: Math.round(fleetRun.ms),
        perSecond: Math.round(fleetRate),
        rssMb: fleetRun.rssMb,
        code: fleetRun.code,
      },
      ratio: fleetRate / bareRate,
    };
    console.log(JSON.stringify(result, null, 2));
    const ok = result.ratio >= 0.5 && result.fleet.rssMb < 250 && fleetRun.code === 0;
    if (Deno.args.includes("--write")) {
      const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
      const section = [
        "",
        `## fleet status on ${stored.toLocaleString("en")} events (issue 20)`,
        "",
        `Measured ${new Date().toISOString().slice(0, 16)}Z with` +
        ` \`deno run --allow-all bench/fleet.ts --events ${events} --write\`` +
        ` (load average ${load} on ${navigator.hardwareConcurrency} CPUs).` +
        ` ${
          stored.toLocaleString("en")
        } events (prepared + recorded, 2,000 (repo, agent) runs, daily)` +
        " in a file-backed stream on a local `nats-server`; each side is a process of its own.",
        "",
        "| reader | time | events/s | peak RSS |",
        "| --- | ---: | ---: | ---: |",
        `| bare \`@nats-io/jetstream\` ordered consumer | ${(bareRun.ms / 1000).toFixed(1)} s | ${
          Math.round(bareRate).toLocaleString("en")
        } | ${bareRun.rssMb.toFixed(0)} MB |`,
        `| \`kaizen fleet status --format json\` | ${(fleetRun.ms / 1000).toFixed(1)} s | ${
          Math.round(fleetRate).toLocaleString("en")
        } | ${fleetRun.rssMb.toFixed(0)} MB |`,
        "",
        `Ratio ${result.ratio.toFixed(2)} (target ≥ 0.5), peak RSS ${
          fleetRun.rssMb.toFixed(0)
        } MB (target < 250 MB): ${ok ? "met" : "NOT met"}. ${result.rows} rows, ${
          result.joined.toLocaleString("en")
        } events joined.`,
        "",
      ].join("\n");
      await Deno.writeTextFile(`${ROOT}/bench/RESULTS.md`, section, { append: true });
    }
    if (!ok) Deno.exitCode = 1;
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

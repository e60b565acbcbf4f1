/**
 * The HTML report of `kaizen fleet status` opened in a real headless browser
 * (Debian's `chromium`, driven over the DevTools protocol on a loopback
 * websocket): no console error, no request beyond the file itself, the three
 * charts (inline SVG) and every row in the rendered page, a repo slug's
 * markup shown as text. The pilot fleet (the three pilot repos, eight weeks
 * of history) is the fixture; `KAIZEN_WRITE_SCREENSHOT=1` also saves the
 * page as docs/fleet-report.png.
 *
 * Skipped, with a message, when chromium or nats-server is not installed
 * (`.ci/run` installs both).
 */
import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { CLI_ENTRIES, REPO_ROOT, runCli } from "./_cli.ts";
import { haveNatsServer, startNatsServer } from "./_nats_server.ts";
import { openEventPublisher } from "../core/nats/mod.ts";
import { escapeHtml } from "../core/fleet/render_html.ts";
import { firingsFrom } from "../core/fleet/firings.ts";

function chromiumPath(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try {
      const r = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "piped" })
        .outputSync();
      const path = new TextDecoder().decode(r.stdout).trim();
      if (r.success && path) return path;
    } catch { /* no shell */ }
  }
  return undefined;
}

const CHROMIUM = chromiumPath();
if (!CHROMIUM) {
  console.warn(
    "fleet_html_test: chromium is not installed (apt-get install -y chromium): the browser test is skipped",
  );
}
const ignore = !CHROMIUM || !haveNatsServer();

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const EVIL = `pilot<img src=x onerror=alert(1)>`;

/** The pilot fleet: three repos, coach and optimization weekly, tdd-workflow daily on one. */
async function pilotFleet(dir: string): Promise<string> {
  const manifest = (daily: boolean) =>
    [
      'version: "1"',
      "timezone: Europe/Berlin",
      "agents:",
      "  coach:",
      "    cadence: weekly",
      '    cron: "0 9 * * 1"',
      "  optimization:",
      "    cadence: weekly",
      '    cron: "0 10 * * 1"',
      ...(daily ? ["  tdd-workflow:", "    cadence: daily", '    cron: "30 7 * * 1-5"'] : []),
    ].join("\n") + "\n";
  const lines = ['version: "1"', "repos:"];
  for (const slug of ["kaizen-agentic", "the-custodian", "pilot-billing"]) {
    await Deno.mkdir(`${dir}/${slug}/.kaizen`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/${slug}/.kaizen/schedule.yml`,
      manifest(slug === "kaizen-agentic"),
    );
    lines.push(`  - slug: ${slug}`, `    path: ${dir}/${slug}`);
  }
  await Deno.writeTextFile(`${dir}/roster.yml`, lines.join("\n") + "\n");
  return `${dir}/roster.yml`;
}

/** Eight weeks of history: mostly good, a few failures, a stall, misses, an unknown repo. */
async function publishPilotHistory(url: string, start: number, end: number): Promise<void> {
  const pub = await openEventPublisher({ url, env: () => undefined });
  try {
    const jsm = await jetstreamManager(pub.connection);
    await jsm.streams.add({ name: "KAIZEN", subjects: ["kaizen.>"] });
    const js = jetstream(pub.connection);
    let seed = 42;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let n = 0;
    const send = (subject: string, o: Record<string, unknown>) =>
      js.publish(subject, JSON.stringify(o), { msgID: `p${++n}` });
    const runs: [string, string, number][] = [];
    const crons: [string, string, string][] = [];
    for (const repo of ["kaizen-agentic", "the-custodian", "pilot-billing"]) {
      crons.push([repo, "coach", "0 9 * * 1"], [repo, "optimization", "0 10 * * 1"]);
    }
    crons.push(["kaizen-agentic", "tdd-workflow", "30 7 * * 1-5"]);
    for (const [repo, agent, cron] of crons) {
      for (const t of firingsFrom(cron, "Europe/Berlin", start)) {
        if (t >= end) break;
        runs.push([repo, agent, t]);
      }
    }
    runs.sort((a, b) => a[2] - b[2]);
    for (const [repo, agent, fire] of runs) {
      const weeksAgo = Math.floor((end - fire) / WEEK);
      // the-custodian's optimization stopped being prepared two weeks ago.
      if (repo === "the-custodian" && agent === "optimization" && weeksAgo < 2) continue;
      if (rnd() < 0.04) continue;
      const at = fire + Math.floor(rnd() * 600_000);
      const base = { version: "1", repo, root: `/srv/${repo}`, agent };
      await send("kaizen.schedule.prepared", {
        ...base,
        event: "kaizen.schedule.prepared",
        occurred_at: new Date(at).toISOString(),
      });
      if (rnd() < 0.05) continue; // never closed
      // pilot-billing's coach got worse lately.
      const good = repo === "pilot-billing" && agent === "coach" && weeksAgo < 3
        ? rnd() < 0.4
        : rnd() < 0.9;
      const time = agent === "tdd-workflow" ? 300 + rnd() * 900 : 600 + rnd() * 2400;
      await send("kaizen.metrics.recorded", {
        ...base,
        event: "kaizen.metrics.recorded",
        occurred_at: new Date(at + time * 1000).toISOString(),
        success: good,
        time_seconds: Math.round(time),
        quality: Math.round((good ? 0.6 + rnd() * 0.4 : rnd() * 0.5) * 100) / 100,
      });
    }
    await send("kaizen.schedule.prepared", {
      event: "kaizen.schedule.prepared",
      version: "1",
      repo: EVIL,
      agent: "coach",
      occurred_at: new Date(end - DAY).toISOString(),
    });
  } finally {
    await pub.close();
  }
}

/** A minimal DevTools protocol client over the browser's loopback websocket. */
class Cdp {
  #id = 0;
  #pending = new Map<number, (v: Record<string, unknown>) => void>();
  #listeners: ((m: { method: string; params: Record<string, unknown> }) => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.id !== undefined) this.#pending.get(m.id)?.(m);
      else for (const l of this.#listeners) l(m);
    };
  }
  static async open(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    return new Cdp(ws);
  }
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer`)), 30_000);
      this.#pending.set(id, (m) => {
        clearTimeout(timer);
        if (m.error) reject(new Error(`${method}: ${JSON.stringify(m.error)}`));
        else resolve(m.result as Record<string, unknown>);
      });
    });
  }
  on(l: (m: { method: string; params: Record<string, unknown> }) => void): void {
    this.#listeners.push(l);
  }
}

/** Starts headless chromium on a loopback debugging port; returns the page's websocket URL. */
async function startChromium(profile: string) {
  const child = new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--hide-scrollbars",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "--window-size=1400,1000",
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let browserWs: string | undefined;
  const until = Date.now() + 30_000;
  while (!browserWs && Date.now() < until) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    browserWs = /DevTools listening on (ws:\/\/\S+)/.exec(buf)?.[1];
  }
  // Keep draining stderr so chromium never blocks on a full pipe.
  (async () => {
    try {
      while (!(await reader.read()).done) { /* drain */ }
    } catch { /* closed */ }
  })();
  if (!browserWs) {
    child.kill("SIGKILL");
    throw new Error(`chromium did not start: ${buf.slice(0, 500)}`);
  }
  const port = new URL(browserWs).port;
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = targets.find((t: { type: string }) => t.type === "page");
  return { child, pageWs: page.webSocketDebuggerUrl as string };
}

Deno.test({
  name: "fleet status --format html: the pilot fleet's report in headless chromium",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "kaizen-fleet-html-" });
    const server = await startNatsServer();
    let chromium: Deno.ChildProcess | undefined;
    try {
      const roster = await pilotFleet(dir);
      const end = Math.floor(Date.now() / DAY) * DAY;
      const start = end - 8 * WEEK;
      await publishPilotHistory(server.url, start, end);
      // The bundle proves the charting libraries load lazily from their chunk.
      const entry = CLI_ENTRIES.find((e) => e.name === "bundle")!;
      const out = `${dir}/report.html`;
      const r = await runCli(entry, [
        "fleet",
        "status",
        "--roster",
        roster,
        "--window",
        `${new Date(start).toISOString()}/${new Date(end).toISOString()}`,
        "--nats-url",
        server.url,
        "--format",
        "html",
        "--out",
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /wrote .*report\.html \(7 rows\)/);
      const html = await Deno.readTextFile(out);
      // Self-contained: no script, nothing a browser would fetch.
      // (`url(#clipN)` is the SVG referring to its own clip paths.)
      assert.doesNotMatch(html, /<script|<link|<img|@import|url\((?!#)/i);
      assert.doesNotMatch(html, /<[a-z][^>]*\s(src|on[a-z]+)=/i);
      assert.ok(html.includes(escapeHtml(EVIL)), "the slug is shown as text");

      const profile = `${dir}/profile`;
      const started = await startChromium(profile);
      chromium = started.child;
      const cdp = await Cdp.open(started.pageWs);
      const problems: string[] = [];
      const requests: string[] = [];
      cdp.on((m) => {
        if (m.method === "Runtime.consoleAPICalled" && m.params.type === "error") {
          problems.push(`console: ${JSON.stringify(m.params.args)}`);
        }
        if (m.method === "Runtime.exceptionThrown") {
          problems.push(`exception: ${JSON.stringify(m.params.exceptionDetails)}`);
        }
        if (
          m.method === "Log.entryAdded" &&
          (m.params.entry as { level: string }).level === "error"
        ) problems.push(`log: ${JSON.stringify(m.params.entry)}`);
        if (m.method === "Network.requestWillBeSent") {
          requests.push((m.params.request as { url: string }).url);
        }
      });
      await cdp.send("Runtime.enable");
      await cdp.send("Log.enable");
      await cdp.send("Network.enable");
      await cdp.send("Page.enable");
      const loaded = new Promise<void>((resolve) =>
        cdp.on((m) => {
          if (m.method === "Page.loadEventFired") resolve();
        })
      );
      await cdp.send("Page.navigate", { url: `file://${out}` });
      await loaded;
      const evaluate = async (expression: string) =>
        ((await cdp.send("Runtime.evaluate", { expression, returnByValue: true })).result as {
          value: unknown;
        }).value;
      const svgs = await evaluate("document.querySelectorAll('figure svg').length");
      const marks = await evaluate(
        "document.querySelectorAll('figure svg path, figure svg rect').length",
      );
      const rows = await evaluate(
        "[...document.querySelectorAll('#rows tr[data-repo]')].map(r => r.dataset.repo + '/' + r.cells[1].textContent + '/' + r.className)",
      );
      const scripts = await evaluate("document.scripts.length + document.images.length");
      const evilText = await evaluate(
        "[...document.querySelectorAll('td')].some(td => td.textContent === " +
          JSON.stringify(EVIL) + ")",
      );
      assert.deepEqual(problems, []);
      assert.deepEqual(requests.filter((u) => u !== `file://${out}`), []);
      assert.equal(svgs, 3);
      assert.ok((marks as number) > 50, `chart marks: ${marks}`);
      assert.equal(scripts, 0);
      assert.equal(evilText, true);
      const shown = (rows as string[]).map((x) => x.split("/"));
      assert.deepEqual(shown.map(([repo, agent]) => `${repo}/${agent}`).sort(), [
        "kaizen-agentic/coach",
        "kaizen-agentic/optimization",
        "kaizen-agentic/tdd-workflow",
        "pilot-billing/coach",
        "pilot-billing/optimization",
        "the-custodian/coach",
        "the-custodian/optimization",
      ]);
      for (const [, , status] of shown) {
        assert.ok(["missed", "failed", "open", "ok"].includes(status));
      }
      // Missed rows first; the custodian's optimization stopped two weeks ago.
      assert.ok(
        shown.some(([r, a, s]) => r === "the-custodian" && a === "optimization" && s === "missed"),
      );
      const order = shown.map(([, , s]) => ["missed", "failed", "open", "ok"].indexOf(s));
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      if (Deno.env.get("KAIZEN_WRITE_SCREENSHOT") === "1") {
        const metrics = await cdp.send("Page.getLayoutMetrics");
        const size = metrics.cssContentSize as { width: number; height: number };
        const shot = await cdp.send("Page.captureScreenshot", {
          format: "png",
          captureBeyondViewport: true,
          clip: { x: 0, y: 0, width: 1400, height: Math.ceil(size.height), scale: 1 },
        });
        await Deno.writeFile(
          `${REPO_ROOT}/docs/fleet-report.png`,
          Uint8Array.from(atob(shot.data as string), (c) => c.charCodeAt(0)),
        );
      }
      cdp.ws.close();
    } finally {
      try {
        chromium?.kill("SIGKILL");
        await chromium?.status;
      } catch { /* gone */ }
      await server.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

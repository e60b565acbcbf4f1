/**
 * Issue 19's end to end: a loopback state hub whose slugs differ from the
 * checkout folders → `roster discover --due` → each run's `prepare_command`
 * run through a shell with `--sink nats` against a real `nats-server`, on a
 * stream made by `kaizen events setup` → every stored event validates
 * against the contract's schema, names the hub's slug, and its
 * `prepare_command` reproduces the bundle byte for byte.
 */
import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { SchedulePreparedModel } from "../core/events/model.ts";
import { RosterDiscoverModel } from "../core/roster/model.ts";
import { BUNDLE_PATH, CLI_ENTRIES, runCli } from "./_cli.ts";
import { haveNatsServer, startNatsServer } from "./_nats_server.ts";
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

const BUNDLE = CLI_ENTRIES.find((e) => e.name === "bundle")!;
const NOW = "2026-12-07T10:00:00Z";
const MANIFEST = [
  'version: "1"',
  "timezone: Europe/Berlin",
  "agents:",
  "  coach:",
  "    cadence: weekly",
  '    cron: "0 9 * * 1"',
  "  optimization:",
  "    cadence: daily",
  "",
].join("\n");

async function natsClient(url: string) {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  const u = new URL(url);
  return await NatsConnectionImpl.connect({ servers: `${u.hostname}:${u.port}` });
}

/** Runs `command` in bash with `kaizen` standing for the bundled CLI. */
async function shell(command: string, env: Record<string, string>) {
  const kaizen = [Deno.execPath(), "run", ...CLI_PERMISSIONS, BUNDLE_PATH]
    .map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(" ");
  const out = await new Deno.Command("bash", {
    args: ["-c", `kaizen() { ${kaizen} "$@"; }\n${command}`],
    env: { NO_COLOR: "1", KAIZEN_REPO: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name:
    "fleet record: hub slugs → roster discover → prepare --sink nats → valid, reproducible events",
  ignore: !haveNatsServer(),
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-e2e-" }));
    const nats = await startNatsServer({ jetstream: true });
    const ac = new AbortController();
    const hub = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      () =>
        Response.json([
          { slug: "acme-invoices", domain: "billing", host_paths: { "runner-1": `${dir}/alpha` } },
          { slug: "acme-web", domain: "web", host_paths: { "runner-1": `${dir}/beta two` } },
        ]),
    );
    try {
      for (const folder of ["alpha", "beta two"]) {
        await Deno.mkdir(`${dir}/${folder}/.kaizen`, { recursive: true });
        await Deno.mkdir(`${dir}/${folder}/.git`);
        await Deno.writeTextFile(`${dir}/${folder}/.kaizen/schedule.yml`, MANIFEST);
        await Deno.writeTextFile(`${dir}/${folder}/TODO.md`, `# TODO\n\n- [ ] ${folder}\n`);
      }
      const env = { NATS_URL: nats.url, STATE_HUB_URL: `http://127.0.0.1:${hub.addr.port}` };

      const setup = await runCli(BUNDLE, ["events", "setup"], { env });
      assert.equal(setup.code, 0, setup.stderr);

      const found = await runCli(BUNDLE, [
        "roster",
        "discover",
        "--host",
        "runner-1",
        "--due",
        "2026-12-07T00:00:00Z/P1D",
        "--format",
        "json",
      ], { env });
      assert.equal(found.code, 0, found.stderr);
      const roster = RosterDiscoverModel.parse(JSON.parse(found.stdout));
      // Monday 09:00 Berlin (coach) and the daily optimization, in both repos.
      assert.equal(roster.scheduled_runs.length, 4, found.stdout);

      const printed = new Map<string, string>();
      for (const run of roster.scheduled_runs) {
        assert.match(run.prepare_command, new RegExp(`--repo ${run.repo}( |$)`));
        const r = await shell(`${run.prepare_command} --sink nats --now ${NOW}`, env);
        assert.equal(r.code, 0, `${run.prepare_command}: ${r.stderr}`);
        assert.match(r.stderr, /sink 'nats': stored in stream KAIZEN as seq \d+/);
        assert.match(r.stdout, /^# Orientation: /, "the bundle is printed too");
        printed.set(`${run.repo}/${run.agent}`, r.stdout);
      }

      // Read back what the stream stored.
      const nc = await natsClient(nats.url);
      const events: unknown[] = [];
      try {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.info("KAIZEN");
        assert.ok(info.config.duplicate_window >= 2 * 3600 * 1e9, "a 2 h duplicate window");
        const consumer = await jetstream(nc).consumers.get("KAIZEN");
        const messages = await consumer.fetch({ max_messages: 10, expires: 2000 });
        for await (const m of messages) {
          events.push(m.json());
          if (m.info.pending === 0) break;
        }
      } finally {
        await nc.close();
      }
      assert.equal(events.length, 4);
      for (const raw of events) {
        const event = SchedulePreparedModel.parse(raw);
        assert.ok(["acme-invoices", "acme-web"].includes(event.repo), event.repo);
        assert.ok(!event.root.endsWith(event.repo), "the slug is the hub's, not the folder's");
        // The event's command, run again, prints the same bundle.
        const again = await shell(`${event.prepare_command} --now ${NOW}`, {
          ...env,
          KAIZEN_REPO: "not-the-slug",
        });
        assert.equal(again.code, 0, again.stderr);
        assert.equal(again.stdout, printed.get(`${event.repo}/${event.agent}`));
      }
    } finally {
      ac.abort();
      await hub.finished;
      await nats.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

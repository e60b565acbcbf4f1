/**
 * Test helper (not a test): a fleet of fixture repos on disk, a roster file
 * listing them, a real `nats-server -js` with a KAIZEN stream, and a
 * scripted history of events published into it. The window is the last
 * seven whole UTC days before today, so the events are stored (by the
 * server's clock) after the window starts, as real events are.
 *
 * @module
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { openEventPublisher } from "../core/nats/mod.ts";
import { type NatsServer, startNatsServer } from "./_nats_server.ts";
import { fake } from "./_fake_secrets.ts";

/** A token-shaped secret in an unknown repo's slug (built at run time). */
export const SLUG_TOKEN = "gh" + "p_" + fake(36);

const DAY = 86_400_000;

/** The fixture: where things are and the instants the history uses. */
export interface FleetFixture {
  dir: string;
  roster: string;
  server: NatsServer;
  /** Window start (d0 00:00Z) and end (today 00:00Z), ISO. */
  start: string;
  end: string;
  /** The pinned clock: a little after the history was published. */
  now: string;
  /** `d(i, "10:01")`: day i of the window (0–6) at a UTC time, ISO. */
  d(i: number, hhmm: string): string;
  /** The weekly cron, firing on d0 at 09:00 UTC. */
  weekly: string;
  cleanup(): Promise<void>;
}

const noEnv = () => undefined;

function manifest(agents: Record<string, { cadence: string; cron: string }>): string {
  const lines = ['version: "1"', "timezone: UTC", "agents:"];
  for (const [name, a] of Object.entries(agents)) {
    lines.push(`  ${name}:`, `    cadence: ${a.cadence}`, `    cron: "${a.cron}"`);
  }
  return lines.join("\n") + "\n";
}

/** Builds the repos and the server; `history` says whether to publish the scripted events. */
export async function fleetFixture(opts: { history?: boolean } = {}): Promise<FleetFixture> {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const d0 = today - 7 * DAY;
  const d = (i: number, hhmm: string) => {
    const [h, m] = hhmm.split(":").map(Number);
    return new Date(d0 + i * DAY + (h * 60 + m) * 60_000).toISOString();
  };
  const weekly = `0 9 * * ${new Date(d0).getUTCDay()}`;
  const dir = await Deno.makeTempDir({ prefix: "kaizen-fleet-" });
  const repos: Record<string, string | null> = {
    alpha: manifest({
      coach: { cadence: "weekly", cron: weekly },
      optimization: { cadence: "daily", cron: "0 10 * * *" },
    }),
    beta: manifest({ coach: { cadence: "weekly", cron: weekly } }),
    gamma: manifest({ coach: { cadence: "weekly", cron: weekly } }),
    delta: null,
  };
  const rosterLines = ['version: "1"', "repos:"];
  for (const [slug, text] of Object.entries(repos)) {
    await Deno.mkdir(`${dir}/${slug}/.kaizen`, { recursive: true });
    if (text) await Deno.writeTextFile(`${dir}/${slug}/.kaizen/schedule.yml`, text);
    rosterLines.push(`  - slug: ${slug}`, `    path: ${dir}/${slug}`);
  }
  const roster = `${dir}/roster.yml`;
  await Deno.writeTextFile(roster, rosterLines.join("\n") + "\n");
  const server = await startNatsServer();
  const pub = await openEventPublisher({ url: server.url, env: noEnv });
  try {
    const jsm = await jetstreamManager(pub.connection);
    await jsm.streams.add({ name: "KAIZEN", subjects: ["kaizen.>"], duplicate_window: 120e9 });
    if (opts.history !== false) await publishHistory(pub.connection, d);
  } finally {
    await pub.close();
  }
  return {
    dir,
    roster,
    server,
    start: new Date(d0).toISOString(),
    end: new Date(today).toISOString(),
    now: new Date(Date.now() + 60_000).toISOString(),
    d,
    weekly,
    async cleanup() {
      await server.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

let seq = 0;

/** The scripted history (see tests/fleet_status_test.ts for what each event tests). */
async function publishHistory(
  nc: Parameters<typeof jetstream>[0],
  d: (i: number, hhmm: string) => string,
): Promise<void> {
  const js = jetstream(nc);
  const send = async (subject: string, payload: unknown) => {
    const data = typeof payload === "string" ? payload : JSON.stringify(payload);
    await js.publish(subject, data, { msgID: `m${++seq}-${Math.random()}` });
  };
  const prepared = (repo: string, agent: string, at: string) =>
    send("kaizen.schedule.prepared", {
      event: "kaizen.schedule.prepared",
      version: "1",
      occurred_at: at,
      repo,
      root: `/srv/${repo}`,
      agent,
      cadence: "daily",
      prepare_command: `kaizen schedule prepare ${agent} --target /srv/${repo}`,
      bundle: {
        format: "markdown",
        agent_prompt_found: true,
        has_memory: false,
        has_metrics: false,
        pointers: [],
        bytes: 100,
      },
      session_close: ["kaizen metrics record"],
    });
  const recorded = (
    repo: string,
    agent: string,
    at: string,
    success: boolean,
    time: number,
    quality: number,
  ) =>
    send("kaizen.metrics.recorded", {
      event: "kaizen.metrics.recorded",
      version: "1",
      occurred_at: at,
      repo,
      root: `/srv/${repo}`,
      agent,
      success,
      time_seconds: time,
      quality,
      helix_session_uid: null,
      summary: {
        runs: 1,
        successes: 1,
        failures: 0,
        success_rate: 1,
        avg_time_seconds: time,
        avg_quality: quality,
      },
    });
  // alpha/coach: prepared and closed.
  await prepared("alpha", "coach", d(0, "09:01"));
  await recorded("alpha", "coach", d(0, "09:20"), true, 1140, 0.9);
  // alpha/optimization, daily: a duplicate, a failure, one never closed, two never prepared.
  await prepared("alpha", "optimization", d(0, "10:01"));
  await prepared("alpha", "optimization", d(0, "10:01"));
  await recorded("alpha", "optimization", d(0, "10:30"), true, 600, 0.8);
  await prepared("alpha", "optimization", d(1, "10:02"));
  await recorded("alpha", "optimization", d(1, "10:40"), false, 1800, 0.3);
  await prepared("alpha", "optimization", d(2, "10:01"));
  await recorded("alpha", "optimization", d(2, "10:20"), true, 900, 0.7);
  await prepared("alpha", "optimization", d(3, "10:05"));
  await prepared("alpha", "optimization", d(4, "10:01"));
  await recorded("alpha", "optimization", d(4, "10:11"), true, 300, 0.9);
  // beta/coach: never prepared; a record without a prepare.
  await recorded("beta", "coach", d(2, "12:00"), true, 100, 0.5);
  // gamma/coach: closed with a failure.
  await prepared("gamma", "coach", d(0, "09:05"));
  await recorded("gamma", "coach", d(0, "09:40"), false, 2100, 0.2);
  // Outside the window: before it, and dated after the read's horizon.
  await prepared("alpha", "coach", d(-2, "09:00"));
  await recorded("alpha", "optimization", d(9, "10:00"), true, 10, 1);
  // Unknown repos; one with markup, a control character and a token in its slug.
  await prepared("ghost", "coach", d(1, "09:00"));
  await prepared(
    `evil<script>alert(1)</script>\u001b[31m/${SLUG_TOKEN}`,
    "coach",
    d(1, "09:00"),
  );
  // Not an event; and a subject the join does not use.
  await send("kaizen.schedule.prepared", "not json");
  await send("kaizen.agent.installed", {
    event: "kaizen.agent.installed",
    occurred_at: d(0, "08:00"),
    repo: "alpha",
    agent: "coach",
  });
}

/**
 * In-process NATS benchmarks (issue #8), against a JetStream stream on a
 * local `nats-server`:
 *
 * - (a) 1,000 × `prepareBundle` + publish of its `kaizen.schedule.prepared`
 *   event through the library API in one process, one connection; then
 *   the stream is read back to count lost and duplicated events;
 * - (b) emit-only throughput: `EventPublisher.publish` (the payload built
 *   from a bundle, a message id per event, acked one at a time) against a
 *   bare `@nats-io/jetstream` publish loop of the same bytes on the same
 *   kind of connection, in the same run.
 *
 * `bench/run.ts` calls {@link measureNats}; run alone with
 * `deno run --allow-all bench/nats.ts` (it starts its own server).
 *
 * @module
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { prepareBundle } from "../mod.ts";
import { eventMessageId, schedulePrepared } from "../core/events/payloads.ts";
import { SCHEDULE_PREPARED } from "../core/events/subjects.ts";
import { openEventPublisher } from "../core/nats/publish.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const NOW = new Date("2026-11-23T08:00:00Z");
/** Prepares in flight at once in (a). */
export const CONCURRENCY = 4;

/** What {@link measureNats} found. */
export interface NatsBench {
  /** (a) */
  prepareEmit: { runs: number; ms: number; stored: number; duplicates: number; lost: number };
  /** (b) acked publishes per second, ours and the bare client's. */
  emitPerSecond: number;
  barePerSecond: number;
  emitOverBare: number;
  messages: number;
}

function noEnv(_: string): string | undefined {
  return undefined;
}

async function resetStream(url: string, name: string): Promise<void> {
  const pub = await openEventPublisher({ url, env: noEnv });
  const jsm = await jetstreamManager(pub.connection);
  // Any stream already capturing the subjects (e.g. bench/run.ts's) would overlap.
  for await (const info of jsm.streams.list()) {
    if (info.config.subjects?.some((x) => x.startsWith("kaizen."))) {
      await jsm.streams.delete(info.config.name).catch(() => {});
    }
  }
  await jsm.streams.add({ name, subjects: ["kaizen.>"], duplicate_window: 120e9 });
  await pub.close();
}

async function streamCount(url: string, name: string): Promise<number> {
  const pub = await openEventPublisher({ url, env: noEnv });
  const info = await (await jetstreamManager(pub.connection)).streams.info(name);
  await pub.close();
  return info.state.messages;
}

/** Runs (a) and (b) against the server at `url` (its `KAIZEN_BENCH` stream is recreated). */
export async function measureNats(url: string, runs = 1000, messages = 4000): Promise<NatsBench> {
  const stream = "KAIZEN_BENCH";
  await resetStream(url, stream);

  // (a) prepare + emit, 1,000 distinct bundles (one repo slug each).
  // A few prepares in flight at once, as an orchestrator preparing a fleet
  // would run them: one waits on the file system while another computes.
  const pub = await openEventPublisher({ url, env: noEnv });
  let duplicates = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < runs; i = next++) {
      const { bundle } = await prepareBundle({
        target: `${ROOT}/examples/pilot`,
        agent: "coach",
        repo: `pilot-${i}`,
        now: NOW,
      });
      const id = await eventMessageId(SCHEDULE_PREPARED, bundle.repo, bundle.agent, bundle.sha256);
      const payload = new TextEncoder().encode(JSON.stringify(schedulePrepared(bundle)));
      const r = await pub.publish(SCHEDULE_PREPARED, payload, id);
      if (r.mode === "jetstream" && r.duplicate) duplicates++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  await pub.close();
  const stored = await streamCount(url, stream);

  // (b) emit-only, ours vs bare, same payload bytes, interleaved halves.
  await resetStream(url, stream);
  const { bundle } = await prepareBundle({ target: `${ROOT}/examples/pilot`, agent: "coach" });
  const event = schedulePrepared(bundle);
  const ours = await openEventPublisher({ url, env: noEnv });
  const bare = await openEventPublisher({ url, env: noEnv });
  const js = jetstream(bare.connection);
  const bytes = new TextEncoder().encode(JSON.stringify(event));
  let oursMs = 0;
  let bareMs = 0;
  const rounds = 4;
  const per = messages / (2 * rounds);
  const runOurs = async (round: number) => {
    const t = performance.now();
    for (let i = 0; i < per; i++) {
      // What the sink does per event: payload, id, acked publish.
      const body = new TextEncoder().encode(JSON.stringify(schedulePrepared(bundle)));
      const id = await eventMessageId(SCHEDULE_PREPARED, `r${round}`, String(i), bundle.sha256);
      await ours.publish(SCHEDULE_PREPARED, body, id);
    }
    oursMs += performance.now() - t;
  };
  const runBare = async (round: number) => {
    const t = performance.now();
    for (let i = 0; i < per; i++) {
      await js.publish(SCHEDULE_PREPARED, bytes, { msgID: `bare-${round}-${i}` });
    }
    bareMs += performance.now() - t;
  };
  // Alternate which goes first, so neither always pays a cold start.
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      await runOurs(round);
      await runBare(round);
    } else {
      await runBare(round);
      await runOurs(round);
    }
  }
  await ours.close();
  await bare.close();
  const emitPerSecond = (per * rounds) / (oursMs / 1000);
  const barePerSecond = (per * rounds) / (bareMs / 1000);
  await resetStream(url, stream);
  return {
    prepareEmit: { runs, ms, stored, duplicates, lost: runs - stored },
    emitPerSecond,
    barePerSecond,
    emitOverBare: emitPerSecond / barePerSecond,
    messages: per * rounds * 2,
  };
}

if (import.meta.main) {
  const { startNatsServer } = await import("../tests/_nats_server.ts");
  const server = await startNatsServer();
  try {
    console.log(JSON.stringify(await measureNats(server.url), null, 2));
  } finally {
    await server.stop();
  }
}

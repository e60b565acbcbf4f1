/**
 * The webhook sink example (examples/plugins/webhook/) against an in-test
 * HTTP server on 127.0.0.1 that checks what it receives, run through the
 * plugin harness exactly as `prepare --sink webhook` runs it.
 */
import assert from "node:assert/strict";
import { runSink } from "../testing.ts";
import { SchedulePreparedModel } from "../core/events/model.ts";
import { webhook, webhookSink } from "../examples/plugins/webhook/webhook.ts";
import { REPO_ROOT } from "./_cli.ts";

interface Received {
  path: string;
  headers: Headers;
  body: string;
}

/** A hook that answers each request with the next status (the last one repeats). */
async function withHook(
  statuses: number[],
  fn: (url: string, received: Received[]) => Promise<void>,
): Promise<void> {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    received.push({
      path: new URL(req.url).pathname + new URL(req.url).search,
      headers: req.headers,
      body: await req.text(),
    });
    const status = statuses[Math.min(received.length, statuses.length) - 1];
    return new Response(status === 204 ? null : "nope", {
      status,
      headers: status === 503 ? { "retry-after": "0" } : {},
    });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, received);
  } finally {
    await server.shutdown();
  }
}

const PILOT = `${REPO_ROOT}/examples/pilot`;

/** The smallest repository whose coach run is a scheduled one (the event is only for those). */
const SCHEDULED = {
  ".kaizen/schedule.yml": 'version: "1"\nagents:\n  coach:\n    cadence: weekly\n',
};

Deno.test("webhook: POSTs the schedule.prepared event as JSON, with its key and token", async () => {
  await withHook([204], async (base, received) => {
    const run = await runSink(webhook, {
      files: PILOT,
      repo: "acme/invoices",
      sinkOptions: { "webhook-url": `${base}/hooks/kaizen?key=s3cr3t-in-query` },
      env: { KAIZEN_WEBHOOK_TOKEN: "hook-token" },
    });
    assert.equal(run.ok, true, run.detail);
    // Only the origin is shown: the path and query may be the hook's secret.
    assert.equal(run.detail, `posted to ${base} (204)`);
    assert.equal(received.length, 1);
    const [req] = received;
    assert.equal(req.path, "/hooks/kaizen?key=s3cr3t-in-query");
    assert.equal(req.headers.get("content-type"), "application/json");
    assert.equal(req.headers.get("authorization"), "Bearer hook-token");
    assert.match(req.headers.get("idempotency-key") ?? "", /^[0-9a-f]{40}$/);
    const event = SchedulePreparedModel.parse(JSON.parse(req.body));
    assert.equal(event.repo, "acme/invoices");
    assert.equal(event.agent, "coach");
    assert.equal(event.occurred_at, "2026-01-05T09:00:00Z");
    assert.deepEqual(event.bundle.pointers, ["scope", "todo"]);
    assert.equal(event.bundle.bytes, run.received?.bundle.bytes);
  });
});

Deno.test("webhook: a 503 is retried with the same idempotency key", async () => {
  await withHook([503, 204], async (base, received) => {
    const run = await runSink(webhook, {
      sections: [],
      files: SCHEDULED,
      sinkOptions: { "webhook-url": `${base}/hook` },
    });
    assert.equal(run.ok, true, run.detail);
    assert.equal(run.detail, `posted to ${base} (204) after 2 tries`);
    assert.equal(received.length, 2);
    assert.equal(received[0].body, received[1].body);
    assert.equal(
      received[0].headers.get("idempotency-key"),
      received[1].headers.get("idempotency-key"),
    );
    assert.equal(received[0].headers.get("authorization"), null);
  });
});

Deno.test("webhook: an error status fails the sink; a 4xx is not retried", async () => {
  await withHook([500], async (base, received) => {
    const run = await runSink(webhook, {
      sections: [],
      files: SCHEDULED,
      sinkOptions: { "webhook-url": base },
    });
    assert.equal(run.ok, false);
    assert.equal(run.detail, `${base} answered 500 after 3 tries`);
    assert.equal(received.length, 3);
  });
  await withHook([401], async (base, received) => {
    const run = await runSink(webhook, {
      sections: [],
      files: SCHEDULED,
      sinkOptions: { "webhook-url": base },
    });
    assert.equal(run.detail, `${base} answered 401`);
    assert.equal(received.length, 1);
    assert.deepEqual(run.reports.map((r) => r.level), ["error"]);
  });
});

Deno.test("webhook: the URL can come from KAIZEN_WEBHOOK_URL", async () => {
  await withHook([204], async (base, received) => {
    const run = await runSink(webhook, {
      sections: [],
      files: SCHEDULED,
      env: { KAIZEN_WEBHOOK_URL: `${base}/from-env` },
    });
    assert.equal(run.ok, true, run.detail);
    assert.equal(received[0].path, "/from-env");
  });
});

Deno.test("webhook: no URL, a bad URL, and a dry run send nothing", async () => {
  const none = await runSink(webhook, { sections: [], files: SCHEDULED });
  assert.equal(none.ok, false);
  assert.equal(none.detail, "no URL: pass --webhook-url URL or set KAIZEN_WEBHOOK_URL");

  const ftp = await runSink(webhook, {
    sections: [],
    files: SCHEDULED,
    sinkOptions: { "webhook-url": "ftp://user:pw@example.com/x" },
  });
  assert.equal(ftp.detail, "the webhook URL must be http(s), not ftp:");

  await withHook([204], async (base, received) => {
    const dry = await runSink(webhook, {
      sections: [],
      files: SCHEDULED,
      sinkOptions: { "webhook-url": `${base}/secret-path`, "dry-run": true },
    });
    assert.equal(dry.ok, true);
    assert.equal(dry.detail, "dry run: nothing sent");
    assert.equal(received.length, 0);
    const shown = JSON.parse(dry.printed.join(""));
    assert.equal(shown.to, base);
    assert.equal(shown.event.event, "kaizen.schedule.prepared");
    assert.ok(!dry.printed.join("").includes("secret-path"));
  });
});

Deno.test("webhook: a bundle that is not a scheduled run is not announced", async () => {
  await withHook([204], async (base, received) => {
    const run = await runSink(webhook, { sections: [], sinkOptions: { "webhook-url": base } });
    assert.equal(run.ok, false);
    assert.match(run.detail, /no \.kaizen\/schedule\.yml, so this is not a scheduled run/);
    assert.equal(received.length, 0);
  });
});

Deno.test("webhook check: reachable, refused token, server error, no answer, not configured", async () => {
  const run = async (url: string | undefined, env: Record<string, string> = {}) => {
    const lines: string[] = [];
    await webhookSink.check!({
      options: { "webhook-url": url },
      env: (k) => env[k],
      signal: AbortSignal.timeout(5_000),
      now: new Date(),
      report: {
        step: () => {},
        pass: (id, detail) => lines.push(`pass ${id} ${detail}`),
        warn: (id, detail) => lines.push(`warn ${id} ${detail}`),
        fail: (id, detail) => lines.push(`fail ${id} ${detail}`),
        skip: (id, detail) => lines.push(`skip ${id} ${detail}`),
      },
    });
    return lines;
  };
  await withHook([405], async (base, received) => {
    assert.deepEqual(await run(`${base}/hook`), [`pass webhook.reachable ${base} answered 405`]);
    assert.equal(received.length, 1);
    assert.equal(received[0].body, "");
  });
  await withHook([401], async (base, received) => {
    assert.deepEqual(await run(base, { KAIZEN_WEBHOOK_TOKEN: "t0ken" }), [
      `fail webhook.auth ${base} refused the request (401)`,
    ]);
    assert.equal(received[0].headers.get("authorization"), "Bearer t0ken");
  });
  await withHook([500], async (base) => {
    assert.deepEqual(await run(base), [`warn webhook.reachable ${base} answered 500`]);
  });
  // A port nothing listens on: the server is shut down before the check.
  let closed = "";
  await withHook([204], (base) => Promise.resolve(void (closed = base)));
  assert.deepEqual(await run(`${closed}/secret-path`), [
    `fail webhook.reachable ${closed}: the connection failed`,
  ]);
  assert.deepEqual(await run(undefined), [
    "skip webhook.reachable no --webhook-url or KAIZEN_WEBHOOK_URL",
  ]);
});

/**
 * The artifact-store client against a real HTTP server on loopback that
 * implements the contract of docs/integrations/artifact-store.md and checks
 * everything it receives. Waits between attempts are injected and recorded,
 * so the retry tests are fast and assert the exact delays.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  ArtifactStoreError,
  backoffDelay,
  describeArtifactRequest,
  parseRetryAfter,
  publishArtifact,
  type PublishArtifactOptions,
} from "../core/artifact_store/mod.ts";
import { VERSION } from "../core/version.ts";

const TOKEN = "tok-SECRET-4f9a1c77e2";
const KEY = "a".repeat(64);
const MARKDOWN = "# Bundle\n\nnaïve café — ✓\n";
const JSON_TEXT = JSON.stringify({ agent: "coach", sha256: KEY });

/** What the store saw of one request. */
interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body?: unknown;
}

interface Store {
  url: string;
  seen: Seen[];
  /** Contract violations the server noticed; every test expects none. */
  problems: string[];
  /** Bytes the oversized reply actually produced before the client hung up. */
  streamed: number;
}

/** Decides the answer to request number `n` (1-based); `contract` is the honest store. */
type Behaviour = (
  req: Request,
  n: number,
  tools: { contract: () => Promise<Response>; store: Store; hang: () => Promise<Response> },
) => Response | Promise<Response>;

const honest: Behaviour = (_req, _n, { contract }) => contract();

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function sha256(text: string): string {
  return createHash("sha256").update(new TextEncoder().encode(text)).digest("hex");
}

/** Checks a body against the contract; returns what is wrong. */
function checkPackage(body: unknown): string[] {
  const problems: string[] = [];
  const b = body as Record<string, unknown>;
  const keys = Object.keys(b ?? {}).sort().join(",");
  if (keys !== "files,metadata,name,producer,retention_class") problems.push(`body keys ${keys}`);
  if (typeof b.name !== "string" || b.name === "") problems.push("name");
  if (b.retention_class !== "bundle" && b.retention_class !== "raw-evidence") {
    problems.push("retention_class");
  }
  const producer = b.producer as Record<string, unknown>;
  if (producer?.name !== "kaizen" || producer?.version !== VERSION) problems.push("producer");
  for (const f of (b.files ?? []) as Record<string, unknown>[]) {
    const content = String(f.content);
    const fileKeys = Object.keys(f).sort().join(",");
    if (fileKeys !== "bytes,content,encoding,media_type,path,sha256") {
      problems.push(`file keys ${fileKeys}`);
    }
    if (f.encoding !== "utf-8") problems.push(`${f.path}: encoding`);
    if (f.sha256 !== sha256(content)) problems.push(`${f.path}: sha256`);
    if (f.bytes !== new TextEncoder().encode(content).length) problems.push(`${f.path}: bytes`);
  }
  return problems;
}

/** Runs `fn` against a store on 127.0.0.1 with a random port; always shuts it down. */
async function withStore(behaviour: Behaviour, fn: (store: Store) => Promise<void>) {
  const packages = new Map<string, string>();
  const release = Promise.withResolvers<void>();
  let n = 0;
  const store: Store = { url: "", seen: [], problems: [], streamed: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    n++;
    const seen: Seen = {
      method: req.method,
      path: new URL(req.url).pathname,
      headers: req.headers,
    };
    store.seen.push(seen);
    const text = await req.text();
    try {
      seen.body = JSON.parse(text);
    } catch {
      store.problems.push("request body is not JSON");
    }
    const contract = (): Promise<Response> => {
      if (req.method !== "POST" || seen.path !== "/v1/packages") {
        return Promise.resolve(json(404, { error: "no such endpoint" }));
      }
      if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) {
        return Promise.resolve(json(401, { error: "invalid bearer token" }));
      }
      if (req.headers.get("content-type") !== "application/json") store.problems.push("type");
      if (req.headers.get("user-agent") !== `kaizen/${VERSION}`) store.problems.push("ua");
      const key = req.headers.get("idempotency-key");
      if (!key) return Promise.resolve(json(400, { error: "Idempotency-Key is required" }));
      store.problems.push(...checkPackage(seen.body));
      const known = packages.get(key);
      if (known) return Promise.resolve(json(200, { id: known, created: false }));
      const id = `pkg-${packages.size + 1}`;
      packages.set(key, id);
      return Promise.resolve(json(201, { id }, { location: `/v1/packages/${id}` }));
    };
    // Answers only when the test ends.
    const hang = async () => {
      // Released when the test ends, so the server can shut down; the
      // client has given up long before.
      await release.promise;
      return json(201, { id: "too-late" });
    };
    return await behaviour(req, n, { contract, store, hang });
  });
  store.url = `http://127.0.0.1:${server.addr.port}`;
  try {
    await fn(store);
    assert.deepEqual(store.problems, []);
  } finally {
    release.resolve();
    await server.shutdown();
  }
}

/** Options for a publish to `store`, with sleeps recorded instead of waited. */
function options(store: Store, waits: number[] = [], extra: Partial<PublishArtifactOptions> = {}) {
  return {
    baseUrl: `${store.url}/`,
    token: TOKEN,
    retentionClass: "bundle",
    idempotencyKey: KEY,
    name: "kaizen-bundle/pilot/coach",
    metadata: { repo: "pilot", agent: "coach", bytes: 42, redacted: false, cadence: null },
    files: [
      { path: "bundle.md", mediaType: "text/markdown; charset=utf-8", content: MARKDOWN },
      { path: "bundle.json", mediaType: "application/json", content: JSON_TEXT },
    ],
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...extra,
  } satisfies PublishArtifactOptions;
}

/** The error `work` rejects with, checked to be ours and free of the token. */
async function failure(work: Promise<unknown>): Promise<ArtifactStoreError> {
  try {
    await work;
  } catch (e) {
    assert.ok(e instanceof ArtifactStoreError, `not an ArtifactStoreError: ${e}`);
    assert.ok(!e.message.includes(TOKEN), `token in message: ${e.message}`);
    assert.ok(!e.message.includes("\n"), `multi-line message: ${e.message}`);
    assert.ok(!e.message.includes("naïve café"), `body in message: ${e.message}`);
    return e;
  }
  assert.fail("expected the publish to fail");
}

Deno.test("201: the package is stored once, with auth, key and checksums the store verifies", async () => {
  await withStore(honest, async (store) => {
    const result = await publishArtifact(options(store));
    assert.deepEqual(result, {
      id: "pkg-1",
      created: true,
      attempts: 1,
      location: `${store.url}/v1/packages/pkg-1`,
    });
    assert.equal(store.seen.length, 1);
    const [seen] = store.seen;
    assert.equal(seen.path, "/v1/packages"); // the trailing slash of baseUrl is not doubled
    assert.equal(seen.headers.get("authorization"), `Bearer ${TOKEN}`);
    assert.equal(seen.headers.get("idempotency-key"), KEY);
    const body = seen.body as { files: { path: string }[]; metadata: unknown };
    assert.deepEqual(body.files.map((f) => f.path), ["bundle.md", "bundle.json"]);
    assert.deepEqual(body.metadata, options(store).metadata);
  });
});

Deno.test("200: publishing the same key again is a replay, created false", async () => {
  await withStore(honest, async (store) => {
    const first = await publishArtifact(options(store));
    const again = await publishArtifact(options(store));
    assert.equal(again.id, first.id);
    assert.equal(first.created, true);
    assert.equal(again.created, false);
  });
});

Deno.test("500 then 201: retried once after a jittered backoff", async () => {
  const waits: number[] = [];
  await withStore(
    (_req, n, t) => n === 1 ? json(500, { error: "db down" }) : t.contract(),
    async (store) => {
      const result = await publishArtifact(options(store, waits));
      assert.equal(result.attempts, 2);
      assert.equal(result.created, true);
      assert.deepEqual(waits, [backoffDelay(1, () => 0.5)]);
      assert.equal(
        store.seen[0].headers.get("idempotency-key"),
        store.seen[1].headers.get("idempotency-key"),
      );
    },
  );
});

Deno.test("429 with Retry-After: 1 waits 1000 ms, then succeeds", async () => {
  const waits: number[] = [];
  await withStore(
    (_req, n, t) =>
      n === 1 ? json(429, { error: "slow down" }, { "retry-after": "1" }) : t.contract(),
    async (store) => {
      const result = await publishArtifact(options(store, waits));
      assert.equal(result.attempts, 2);
      assert.deepEqual(waits, [1000]);
    },
  );
});

Deno.test("429 asking for longer than the deadline leaves fails at once, without waiting", async () => {
  const waits: number[] = [];
  await withStore(() => json(429, {}, { "retry-after": "120" }), async (store) => {
    const e = await failure(publishArtifact(options(store, waits, { deadlineMs: 5_000 })));
    assert.equal(e.status, 429);
    assert.equal(e.retryable, true);
    assert.deepEqual(waits, []);
    assert.match(e.message, /asked to wait 120 s, more than the [\d.]+ s left/);
  });
});

Deno.test("503 every time: gives up after maxAttempts with growing waits", async () => {
  const waits: number[] = [];
  await withStore(() => json(503, { error: { message: "maintenance" } }), async (store) => {
    const e = await failure(publishArtifact(options(store, waits)));
    assert.equal(e.status, 503);
    assert.equal(e.attempts, 4);
    assert.equal(store.seen.length, 4);
    assert.deepEqual(waits, [1, 2, 3].map((r) => backoffDelay(r, () => 0.5)));
    assert.match(e.message, /answered 503 .*maintenance.*\(4 attempts\)$/);
  });
});

for (const status of [401, 403]) {
  Deno.test(`${status}: not retried; the message names ARTIFACTSTORE_API_TOKEN, never the token`, async () => {
    const waits: number[] = [];
    // The server echoes the token back; the client must still not print it.
    await withStore(() => json(status, { error: `token ${TOKEN} rejected` }), async (store) => {
      const e = await failure(publishArtifact(options(store, waits)));
      assert.equal(e.status, status);
      assert.equal(e.retryable, false);
      assert.equal(e.attempts, 1);
      assert.equal(store.seen.length, 1);
      assert.deepEqual(waits, []);
      assert.match(e.message, new RegExp(`answered ${status}\\b`));
      assert.match(e.message, /ARTIFACTSTORE_API_TOKEN/);
      assert.match(e.message, /token \*\*\* rejected/);
    });
  });
}

Deno.test("401 without a token says to set the variable", async () => {
  await withStore(honest, async (store) => {
    const e = await failure(publishArtifact(options(store, [], { token: "" })));
    assert.equal(e.status, 401);
    assert.equal(store.seen[0].headers.get("authorization"), null);
    assert.match(e.message, /no token was sent: set ARTIFACTSTORE_API_TOKEN/);
  });
});

Deno.test("400: not retried, the store's error quoted on one line", async () => {
  await withStore(() => json(400, { error: "name:\n  must not be empty" }), async (store) => {
    const e = await failure(publishArtifact(options(store)));
    assert.equal(e.status, 400);
    assert.equal(e.retryable, false);
    assert.equal(e.code, "http");
    assert.equal(store.seen.length, 1);
    assert.match(e.message, /answered 400 Bad Request: name: must not be empty$/);
  });
});

Deno.test("a redirect is not followed (the token would go with it)", async () => {
  await withStore(
    () =>
      new Response(null, { status: 307, headers: { location: "http://127.0.0.2:1/elsewhere" } }),
    async (store) => {
      const e = await failure(publishArtifact(options(store)));
      assert.equal(e.status, 307);
      assert.equal(store.seen.length, 1);
      assert.match(
        e.message,
        /redirect to http:\/\/127\.0\.0\.2:1\/elsewhere; set ARTIFACTSTORE_API_URL/,
      );
    },
  );
});

Deno.test("a hang: each attempt times out, the total is bounded", async () => {
  const waits: number[] = [];
  await withStore((_req, _n, t) => t.hang(), async (store) => {
    const started = performance.now();
    const e = await failure(
      publishArtifact(options(store, waits, { timeoutMs: 200, maxAttempts: 2 })),
    );
    const elapsed = performance.now() - started;
    assert.equal(e.code, "timeout");
    assert.equal(e.retryable, true);
    assert.equal(e.attempts, 2);
    assert.equal(store.seen.length, 2);
    assert.ok(elapsed >= 400 && elapsed < 2_000, `took ${elapsed} ms`);
    assert.match(e.message, /got no complete answer within 0\.2 s \(2 attempts\)/);
  });
});

Deno.test("a hang: the caller's signal stops the publish promptly", async () => {
  await withStore((_req, _n, t) => t.hang(), async (store) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 150);
    const started = performance.now();
    try {
      const e = await failure(publishArtifact(options(store, [], { signal: controller.signal })));
      assert.equal(e.code, "aborted");
      assert.equal(e.attempts, 1);
    } finally {
      clearTimeout(timer);
    }
    assert.ok(performance.now() - started < 1_000);
  });
});

Deno.test("the caller's signal also ends a wait between attempts", async () => {
  const controller = new AbortController();
  await withStore(() => json(502, {}), async (store) => {
    const e = await failure(publishArtifact(options(store, [], {
      signal: controller.signal,
      sleep: () => {
        controller.abort();
        return Promise.resolve();
      },
    })));
    assert.equal(e.code, "aborted");
    assert.equal(store.seen.length, 1);
  });
});

Deno.test("the default sleep honours Retry-After and is cut short by the caller's signal", async () => {
  await withStore(() => json(503, {}, { "retry-after": "5" }), async (store) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 150);
    const started = performance.now();
    try {
      const opts = { ...options(store), sleep: undefined, signal: controller.signal };
      const e = await failure(publishArtifact(opts));
      assert.equal(e.code, "aborted");
      assert.equal(e.attempts, 1);
    } finally {
      clearTimeout(timer);
    }
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 100 && elapsed < 1_000, `took ${elapsed} ms`);
  });
});

Deno.test("an already-aborted signal sends nothing", async () => {
  await withStore(honest, async (store) => {
    const e = await failure(publishArtifact(options(store, [], { signal: AbortSignal.abort() })));
    assert.equal(e.code, "aborted");
    assert.equal(e.attempts, 0);
    assert.equal(store.seen.length, 0);
  });
});

Deno.test("an oversized streamed reply (10 MB) is refused quickly, without reading it all", async () => {
  const total = 10 * 1024 * 1024;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  await withStore((_req, _n, { store }) => {
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (store.streamed >= total) return controller.close();
        store.streamed += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(body, { status: 201, headers: { "content-type": "application/json" } });
  }, async (store) => {
    const started = performance.now();
    const e = await failure(publishArtifact(options(store)));
    assert.equal(e.code, "response");
    assert.equal(e.status, 201);
    assert.equal(e.retryable, false);
    assert.match(e.message, /answered 201 Created with a reply over the 64 KiB cap$/);
    assert.ok(performance.now() - started < 2_000);
    assert.ok(store.streamed < total, `the whole ${store.streamed} bytes were sent`);
  });
});

Deno.test("a reply whose Content-Length is over the cap is refused before reading", async () => {
  await withStore(() => json(201, { id: "x".repeat(2_000) }), async (store) => {
    const e = await failure(publishArtifact(options(store, [], { maxResponseBytes: 1_000 })));
    assert.equal(e.code, "response");
    assert.match(e.message, /over the 1000 bytes cap/);
  });
});

Deno.test("a 2xx that is not JSON with a string id is a clear error", async () => {
  const replies = [
    () => new Response("<html>ok</html>", { status: 201 }),
    () => json(201, { id: 7 }),
    () => json(200, ["pkg-1"]),
  ];
  for (const reply of replies) {
    await withStore(reply, async (store) => {
      const e = await failure(publishArtifact(options(store)));
      assert.equal(e.code, "response");
      assert.equal(e.retryable, false);
      assert.match(e.message, /answered 20[01] \w+ but its reply is not JSON with a string "id"$/);
    });
  }
});

Deno.test("connection refused: retried as a network error, then reported", async () => {
  const closed = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(),
  );
  const url = `http://127.0.0.1:${closed.addr.port}`;
  await closed.shutdown();
  const waits: number[] = [];
  const e = await failure(publishArtifact({
    ...options({ url, seen: [], problems: [], streamed: 0 }, waits),
    maxAttempts: 2,
  }));
  assert.equal(e.code, "network");
  assert.equal(e.retryable, true);
  assert.equal(e.attempts, 2);
  assert.equal(waits.length, 1);
});

Deno.test("describeArtifactRequest: the request as sent, token and userinfo masked, nothing connected", () => {
  let called = false;
  const store = {
    url: "https://user:hunter2@store.example/prefix//",
    seen: [],
    problems: [],
    streamed: 0,
  };
  const opts = options(store, [], {
    fetch: () => {
      called = true;
      return Promise.reject(new Error("must not connect"));
    },
  });
  const req = describeArtifactRequest(opts);
  assert.equal(called, false);
  assert.equal(req.method, "POST");
  assert.equal(req.url, "https://***@store.example/prefix/v1/packages");
  assert.equal(req.headers["Authorization"], "Bearer ***");
  assert.equal(req.headers["Idempotency-Key"], KEY);
  assert.equal(req.headers["User-Agent"], `kaizen/${VERSION}`);
  assert.ok(!JSON.stringify(req).includes(TOKEN));
  assert.ok(!JSON.stringify(req).includes("hunter2"));
  assert.deepEqual(checkPackage(req.body), []);
  const body = req.body as { files: { sha256: string; bytes: number }[] };
  assert.equal(body.files[0].sha256, sha256(MARKDOWN));
  assert.equal(body.files[0].bytes, new TextEncoder().encode(MARKDOWN).length);
});

Deno.test("bad options fail before connecting, without quoting secrets", () => {
  const store = { url: "http://127.0.0.1:9", seen: [], problems: [], streamed: 0 };
  const cases: [Partial<PublishArtifactOptions>, RegExp][] = [
    [{ baseUrl: "ftp://u:hunter2@host/" }, /must be an http:\/\/ or https:\/\/ URL/],
    [{ baseUrl: "not a url hunter2" }, /ARTIFACTSTORE_API_URL is not a URL/],
    [{ baseUrl: "http://host/?k=hunter2" }, /must not have a query/],
    [{ token: `${TOKEN}\nX-Evil: 1` }, /ARTIFACTSTORE_API_TOKEN contains spaces or characters/],
    [{ retentionClass: "Bundle!" }, /retention class/],
    [{ idempotencyKey: "" }, /idempotency key/],
    [{ files: [] }, /at least one file/],
    [{ files: [{ path: "../x", mediaType: "text/plain", content: "" }] }, /must be relative/],
    [{ metadata: { n: NaN } }, /metadata "n"/],
  ];
  for (const [extra, pattern] of cases) {
    try {
      describeArtifactRequest(options(store, [], extra));
      assert.fail(`accepted ${JSON.stringify(extra)}`);
    } catch (e) {
      assert.ok(e instanceof ArtifactStoreError);
      assert.equal(e.code, "config");
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes("hunter2") && !e.message.includes(TOKEN), e.message);
    }
  }
});

Deno.test("parseRetryAfter: seconds, HTTP-date, nonsense", () => {
  const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");
  assert.equal(parseRetryAfter("1", now), 1000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2026 07:28:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2026 07:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("1.5", now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

Deno.test("backoffDelay: doubles, capped, jitter within [50 %, 100 %]", () => {
  assert.equal(backoffDelay(1, () => 0), 125);
  assert.equal(backoffDelay(1, () => 1), 250);
  assert.equal(backoffDelay(2, () => 1), 500);
  assert.equal(backoffDelay(20, () => 1), 5_000);
  assert.equal(backoffDelay(20, () => 0), 2_500);
});

/**
 * `kaizen doctor`'s network probes (hub, NATS, artifact store), each run
 * alone through `runDoctor` against a real `nats-server -js` or an in-test
 * HTTP server on 127.0.0.1 that checks what it receives. Every case asserts
 * each check's id, status and fix line, and that no credential appears in
 * the report although the runner was given no secrets to scrub.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import { hubProbe } from "../core/doctor/probe_hub.ts";
import { natsProbe, subjectMatches } from "../core/doctor/probe_nats.ts";
import { artifactStoreProbe } from "../core/doctor/probe_artifact_store.ts";
import { runDoctor } from "../core/doctor/run.ts";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { VERSION } from "../core/version.ts";
import {
  closedPort,
  doctorContext,
  expectChecks,
  json,
  type Seen,
  startHttp,
  startTcp,
} from "./_doctor_servers.ts";
import { haveNatsServer, type NatsServer, startNatsServer } from "./_nats_server.ts";

/** The probes as shipped (8 s deadlines), and copies with short ones for the hang cases. */
const hub = hubProbe;
const nats = natsProbe;
const store = artifactStoreProbe;
const hubHang = { ...hubProbe, deadlineMs: 1_500 };
const natsHang = { ...natsProbe, deadlineMs: 1_500 };
const storeHang = { ...artifactStoreProbe, deadlineMs: 1_500 };

// ---------------------------------------------------------------- hub

const HUB_TOKEN = "hub-token-5f1e9c2a";

interface HubOptions {
  repos: Record<string, unknown>[];
  /** Whether `?kaizen_schedule_enabled=true` filters. */
  honour?: boolean;
}

/** A state hub implementing `GET /repos/`; records contract problems. */
function startHub(opts: HubOptions) {
  const problems: string[] = [];
  const server = startHttp((req, url) => {
    if (req.method !== "GET" || url.pathname !== "/repos/") {
      problems.push(`${req.method} ${url.pathname}`);
      return json(404, { detail: "Not Found" });
    }
    for (const [k, v] of url.searchParams) {
      if (k !== "kaizen_schedule_enabled" || v !== "true") problems.push(`query ${k}=${v}`);
    }
    if (req.headers.get("authorization") !== `Bearer ${HUB_TOKEN}`) {
      return json(401, { detail: "Invalid token" });
    }
    const filtered = url.searchParams.get("kaizen_schedule_enabled") === "true" && opts.honour;
    return json(
      200,
      filtered ? opts.repos.filter((r) => r.kaizen_schedule_enabled === true) : opts.repos,
    );
  });
  return { ...server, problems };
}

/** A checkout whose git remote names it `pilot`, and a symlink to it. */
async function checkout(): Promise<{ dir: string; path: string; link: string }> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-doctor-net-" });
  const path = join(dir, "pilot-checkout");
  await Deno.mkdir(join(path, ".git"), { recursive: true });
  await Deno.writeTextFile(
    join(path, ".git/config"),
    '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/pilot.git\n',
  );
  const link = join(dir, "via-link");
  await Deno.symlink(path, link);
  return { dir, path, link };
}

async function withHub(
  opts: (co: { path: string; link: string }) => HubOptions,
  fn: (url: string, co: { path: string; link: string }, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const co = await checkout();
  const server = startHub(opts(co));
  try {
    await fn(server.url, co, server.seen);
    assert.deepEqual(server.problems, []);
  } finally {
    await server.close();
    await Deno.remove(co.dir, { recursive: true });
  }
}

const withToken = { STATE_HUB_TOKEN: HUB_TOKEN };

Deno.test("hub: not configured is one skip naming --hub and STATE_HUB_URL", async () => {
  await expectChecks(hub, doctorContext(), [
    ["hub.reachable", "skip", null, /--hub URL or set STATE_HUB_URL/],
  ]);
});

Deno.test("hub: healthy — listed with this host's path (via a symlink), filter honoured", async () => {
  await withHub((co) => ({
    honour: true,
    repos: [
      // The hub names the checkout through a symlink; doctor compares real paths.
      { slug: "pilot", host_paths: { "runner-1": co.link }, kaizen_schedule_enabled: true },
      { slug: "other", host_paths: { "runner-2": "/srv/other" }, kaizen_schedule_enabled: false },
    ],
  }), async (url, co, seen) => {
    await expectChecks(
      hub,
      doctorContext({ hubUrl: url, target: co.path }, withToken),
      [
        ["hub.reachable", "pass", null, /answered with 2 repos/],
        ["hub.auth", "pass", null, /accepted STATE_HUB_TOKEN/],
        ["hub.repo", "pass", null, /'pilot' is listed with host_paths\['runner-1'\]/],
        ["hub.filter", "pass", null, /honours \?kaizen_schedule_enabled=true \(1 repo back/],
      ],
      [HUB_TOKEN],
    );
    assert.deepEqual(
      seen.map((s) => [s.method, s.path, s.query, s.authorization]),
      [
        ["GET", "/repos/", "", `Bearer ${HUB_TOKEN}`],
        ["GET", "/repos/", "?kaizen_schedule_enabled=true", `Bearer ${HUB_TOKEN}`],
      ],
    );
  });
});

Deno.test("hub: a wrong token and no token fail hub.auth with the variable to set", async () => {
  await withHub(() => ({ repos: [] }), async (url) => {
    const wrong = "not-the-hub-token-77";
    await expectChecks(
      hub,
      doctorContext({ hubUrl: url }, { STATE_HUB_TOKEN: wrong }),
      [
        ["hub.reachable", "pass", null, /answered 401/],
        ["hub.auth", "fail", /^set STATE_HUB_TOKEN to a valid token for http:\/\/127/, /refused/],
      ],
      [wrong],
    );
    await expectChecks(hub, doctorContext({ hubUrl: url }), [
      ["hub.reachable", "pass", null, /answered 401/],
      ["hub.auth", "fail", /^set STATE_HUB_TOKEN/, /STATE_HUB_TOKEN is not set/],
    ]);
  });
});

Deno.test("hub: the listed path for this host is another checkout", async () => {
  await withHub(() => ({
    honour: true,
    repos: [{
      slug: "pilot",
      host_paths: { "runner-1": "/srv/elsewhere/pilot" },
      kaizen_schedule_enabled: true,
    }],
  }), async (url, co) => {
    await expectChecks(
      hub,
      doctorContext({ hubUrl: url, target: co.path }, withToken),
      [
        ["hub.reachable", "pass", null],
        ["hub.auth", "pass", null],
        [
          "hub.repo",
          "fail",
          /^on the hub, set host_paths\['runner-1'\] of 'pilot' to \/.*pilot-checkout, or run doctor with --target/,
          /points at \/srv\/elsewhere\/pilot \(not found on this host\), not at this checkout/,
        ],
        ["hub.filter", "pass", null],
      ],
      [HUB_TOKEN],
    );
  });
});

Deno.test("hub: the repo is listed without an entry for this host", async () => {
  await withHub(() => ({
    honour: true,
    repos: [{
      slug: "pilot",
      host_paths: { "runner-2": "/srv/pilot" },
      kaizen_schedule_enabled: true,
    }],
  }), async (url, co) => {
    await expectChecks(hub, doctorContext({ hubUrl: url, target: co.path }, withToken), [
      ["hub.reachable", "pass", null],
      ["hub.auth", "pass", null],
      [
        "hub.repo",
        "fail",
        /set host_paths\['runner-1'\] of 'pilot' .* \(or pass --host with the name the hub uses/,
        /no host_paths entry for host 'runner-1' \(it names runner-2\)/,
      ],
      ["hub.filter", "pass", null],
    ]);
  });
});

Deno.test("hub: listed under another slug (found by path) warns; KAIZEN_REPO agreeing passes", async () => {
  await withHub((co) => ({
    honour: true,
    repos: [{
      slug: "pilot-svc",
      host_paths: { "runner-1": co.path },
      kaizen_schedule_enabled: true,
    }],
  }), async (url, co) => {
    await expectChecks(hub, doctorContext({ hubUrl: url, target: co.path }, withToken), [
      ["hub.reachable", "pass", null],
      ["hub.auth", "pass", null],
      [
        "hub.repo",
        "warn",
        /^set KAIZEN_REPO=pilot-svc on this host/,
        /listed as 'pilot-svc', but kaizen names it 'pilot' \(from the git remote\)/,
      ],
      ["hub.filter", "pass", null],
    ]);
    await expectChecks(
      hub,
      doctorContext({ hubUrl: url, target: co.path }, { ...withToken, KAIZEN_REPO: "pilot-svc" }),
      [
        ["hub.reachable", "pass", null],
        ["hub.auth", "pass", null],
        ["hub.repo", "pass", null, /'pilot-svc' is listed/],
        ["hub.filter", "pass", null],
      ],
    );
  });
});

Deno.test("hub: not listed at all fails with what to register", async () => {
  await withHub(() => ({
    honour: true,
    repos: [{
      slug: "other",
      host_paths: { "runner-1": "/srv/other" },
      kaizen_schedule_enabled: true,
    }],
  }), async (url, co) => {
    await expectChecks(hub, doctorContext({ hubUrl: url, target: co.path }, withToken), [
      ["hub.reachable", "pass", null],
      ["hub.auth", "pass", null],
      [
        "hub.repo",
        "fail",
        /^register 'pilot' on the hub with host_paths\['runner-1'\] = \/.*pilot-checkout$/,
        /'pilot' is not among the hub's 1 repo,/,
      ],
      ["hub.filter", "pass", null],
    ]);
  });
});

Deno.test("hub: without a target, how many repos this host would run", async () => {
  await withHub(() => ({
    honour: true,
    repos: [
      { slug: "a", host_paths: { "runner-1": "/srv/a" }, kaizen_schedule_enabled: true },
      { slug: "b", host_paths: { "*": "/srv/b" }, kaizen_schedule_enabled: true },
      { slug: "c", host_paths: { "runner-2": "/srv/c" }, kaizen_schedule_enabled: false },
    ],
  }), async (url) => {
    await expectChecks(hub, doctorContext({ hubUrl: url }, withToken), [
      ["hub.reachable", "pass", null],
      ["hub.auth", "pass", null],
      ["hub.repo", "pass", null, /2 of 3 repos name a checkout on host 'runner-1'/],
      ["hub.filter", "pass", null, /2 repos back; 2 of 3 flagged/],
    ]);
    await expectChecks(hub, doctorContext({ hubUrl: url, host: "runner-9" }, withToken), [
      ["hub.reachable", "pass", null],
      ["hub.auth", "pass", null],
      // `*` matches every host, so runner-9 still has one.
      ["hub.repo", "pass", null, /1 of 3 repos name a checkout on host 'runner-9'/],
      ["hub.filter", "pass", null],
    ]);
  });
  await withHub(() => ({
    honour: true,
    repos: [{ slug: "c", host_paths: { "runner-2": "/srv/c" }, kaizen_schedule_enabled: true }],
  }), async (url) => {
    await expectChecks(hub, doctorContext({ hubUrl: url }, withToken), [
      ["hub.reachable", "pass", null],
      ["hub.auth", "pass", null],
      [
        "hub.repo",
        "warn",
        /^pass --host with the name the hub's host_paths use/,
        /no repo on the hub \(1 listed\) names a checkout on host 'runner-1' \(hosts the hub knows: runner-2\)/,
      ],
      ["hub.filter", "pass", null],
    ]);
  });
});

Deno.test("hub: an empty roster — nothing for this host, and the filter cannot be judged", async () => {
  await withHub(() => ({ honour: true, repos: [] }), async (url) => {
    await expectChecks(hub, doctorContext({ hubUrl: url }, withToken), [
      ["hub.reachable", "pass", null, /answered with 0 repos/],
      ["hub.auth", "pass", null],
      ["hub.repo", "warn", /^pass --host/, /\(0 listed\).*\(no repo names any host\)/],
      ["hub.filter", "skip", null, /lists no repos/],
    ]);
  });
});

Deno.test("hub: a hub that ignores the pre-filter warns (v2 flags and v1 without them)", async () => {
  const flagged = (co: { path: string }) => [
    { slug: "pilot", host_paths: { "runner-1": co.path }, kaizen_schedule_enabled: true },
    { slug: "other", host_paths: { "runner-1": "/srv/other" }, kaizen_schedule_enabled: false },
  ];
  const co = await checkout();
  const ignoring = startHub({ honour: false, repos: flagged(co) });
  const v1 = startHub({
    honour: false,
    repos: [{ slug: "pilot", host_paths: { "runner-1": co.path } }],
  });
  const honouring = startHub({
    honour: true,
    repos: [
      { slug: "pilot", host_paths: { "runner-1": co.path }, kaizen_schedule_enabled: false },
      { slug: "other", host_paths: {}, kaizen_schedule_enabled: true },
    ],
  });
  try {
    const ok: [string, string, null][] = [
      ["hub.reachable", "pass", null],
      ["hub.auth", "pass", null],
      ["hub.repo", "pass", null],
    ];
    await expectChecks(hub, doctorContext({ hubUrl: ignoring.url, target: co.path }, withToken), [
      ...ok,
      [
        "hub.filter",
        "warn",
        /^harmless \(kaizen drops unflagged repos itself\)/,
        /ignored \?kaizen_schedule_enabled=true: 1 of the 2 repos it returned are not flagged/,
      ],
    ]);
    await expectChecks(hub, doctorContext({ hubUrl: v1.url, target: co.path }, withToken), [
      ...ok,
      [
        "hub.filter",
        "warn",
        /^resolve without --hub-filter until the hub has kaizen_schedule_enabled/,
        /none carries the flag/,
      ],
    ]);
    await expectChecks(hub, doctorContext({ hubUrl: honouring.url, target: co.path }, withToken), [
      ...ok,
      [
        "hub.filter",
        "warn",
        /^set kaizen_schedule_enabled=true for 'pilot' on the hub, or resolve without --hub-filter$/,
        /honours the pre-filter .* but 'pilot' is not flagged/,
      ],
    ]);
    for (const s of [ignoring, v1, honouring]) assert.deepEqual(s.problems, []);
  } finally {
    await Promise.all([ignoring.close(), v1.close(), honouring.close()]);
    await Deno.remove(co.dir, { recursive: true });
  }
});

Deno.test("hub: a hang is cut at the deadline and reported on hub.reachable", async () => {
  const server = startHttp((_req, _url, t) => t.hang());
  try {
    await expectChecks(hubHang, doctorContext({ hubUrl: server.url }, withToken), [
      ["hub.reachable", "fail", /^check --hub \/ STATE_HUB_URL/, /^no answer within 1.5 s$/],
    ], [HUB_TOKEN]);
  } finally {
    await server.close();
  }
});

Deno.test("hub: a hang on the filtered request is reported on hub.filter, after the passes", async () => {
  const server = startHttp((_req, url, t) =>
    url.searchParams.has("kaizen_schedule_enabled")
      ? t.hang()
      : json(200, [{ slug: "a", host_paths: { "runner-1": "/srv/a" } }])
  );
  try {
    await expectChecks(hubHang, doctorContext({ hubUrl: `${server.url}/` }), [
      ["hub.reachable", "pass", null, /^http:\/\/127\.0\.0\.1:\d+\/repos\/ answered with 1 repo$/],
      ["hub.auth", "pass", null, /answers without a token/],
      ["hub.repo", "pass", null],
      [
        "hub.filter",
        "fail",
        /^the hub hangs on \?kaizen_schedule_enabled=true: resolve without --hub-filter/,
        /^no answer within 1.5 s$/,
      ],
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("hub: down, not JSON, a wrong base URL (404) and a 503 fail hub.reachable", async () => {
  const port = closedPort();
  // A password in the URL is masked; the runner is given no secrets.
  await expectChecks(
    hub,
    doctorContext({ hubUrl: `http://ops:hub-pass-31@127.0.0.1:${port}` }, withToken),
    [[
      "hub.reachable",
      "fail",
      /^check --hub \/ STATE_HUB_URL \(http:\/\/ops:\*\*\*@127/,
      /cannot reach .*\/repos\/: connection refused/,
    ]],
    ["hub-pass-31", HUB_TOKEN],
  );
  const html = startHttp(() => new Response("<html>login</html>", { status: 200 }));
  const notFound = startHttp(() => json(404, { detail: "Not Found" }));
  const failing = startHttp(() => json(503, { detail: "maintenance" }));
  try {
    await expectChecks(hub, doctorContext({ hubUrl: html.url }, withToken), [
      ["hub.reachable", "fail", /GET \/repos\/ must answer a JSON list of repos/, /not .*JSON/],
    ]);
    await expectChecks(hub, doctorContext({ hubUrl: `${notFound.url}/api` }, withToken), [
      ["hub.reachable", "fail", /kaizen requests <base>\/repos\/$/, /answered 404/],
    ]);
    assert.deepEqual(notFound.seen.map((s) => s.path), ["/api/repos/"]);
    await expectChecks(hub, doctorContext({ hubUrl: failing.url }, withToken), [
      ["hub.reachable", "fail", /^the hub is failing \(503\): check its health and logs/, /503/],
    ]);
  } finally {
    await Promise.all([html.close(), notFound.close(), failing.close()]);
  }
});

// ---------------------------------------------------------------- artifact store

const STORE_TOKEN = "store-token-0b7d41";

/** A store answering the read-only check; `status` picks the answer. */
function startStore(answer: (req: Request) => Response | Promise<Response>) {
  const problems: string[] = [];
  const server = startHttp((req, url, t) => {
    if (req.method !== "GET") problems.push(`method ${req.method}`);
    if (url.pathname !== "/store/v1/packages" && url.pathname !== "/v1/packages") {
      return json(404, { error: "no such endpoint" });
    }
    if (url.search !== "?limit=1") problems.push(`query ${url.search}`);
    if (req.headers.get("user-agent") !== `kaizen/${VERSION}`) problems.push("user-agent");
    if (req.headers.get("accept") !== "application/json") problems.push("accept");
    if (answer === HANG) return t.hang();
    return answer(req);
  });
  return { ...server, problems };
}

const HANG = () => new Response();
const contract = (req: Request) =>
  req.headers.get("authorization") === `Bearer ${STORE_TOKEN}`
    ? json(200, { packages: [] })
    : json(401, { error: "invalid bearer token" });

const storeEnv = { ARTIFACTSTORE_API_TOKEN: STORE_TOKEN };

Deno.test("artifact store: not configured is one skip", async () => {
  await expectChecks(store, doctorContext(), [
    ["artifact-store.reachable", "skip", null, /--artifact-store URL or set ARTIFACTSTORE_API_URL/],
  ]);
});

Deno.test("artifact store: healthy — one GET with the token, both checks pass", async () => {
  const s = startStore(contract);
  try {
    // A path prefix and a trailing slash, as the publish client accepts them.
    await expectChecks(
      store,
      doctorContext({ artifactStoreUrl: `${s.url}/store/` }, storeEnv),
      [
        [
          "artifact-store.reachable",
          "pass",
          null,
          /GET http:\/\/127.*\/store\/v1\/packages\?limit=1 answered 200/,
        ],
        ["artifact-store.auth", "pass", null, /accepted ARTIFACTSTORE_API_TOKEN/],
      ],
      [STORE_TOKEN],
    );
    assert.deepEqual(
      s.seen.map((r) => [r.method, r.path, r.query, r.authorization]),
      [["GET", "/store/v1/packages", "?limit=1", `Bearer ${STORE_TOKEN}`]],
    );
    assert.deepEqual(s.problems, []);
  } finally {
    await s.close();
  }
});

Deno.test("artifact store: 401 (wrong or missing token) and 403 fail the auth check", async () => {
  const s = startStore(contract);
  const forbidden = startStore(() => json(403, { error: "read-only token" }));
  try {
    const wrong = "wrong-store-token-55";
    await expectChecks(
      store,
      doctorContext({ artifactStoreUrl: s.url }, { ARTIFACTSTORE_API_TOKEN: wrong }),
      [
        ["artifact-store.reachable", "pass", null, /answered 401/],
        [
          "artifact-store.auth",
          "fail",
          /^set ARTIFACTSTORE_API_TOKEN to a valid token for this store$/,
          /refused ARTIFACTSTORE_API_TOKEN \(401\)/,
        ],
      ],
      [wrong],
    );
    await expectChecks(store, doctorContext({ artifactStoreUrl: s.url }), [
      ["artifact-store.reachable", "pass", null],
      ["artifact-store.auth", "fail", /^set ARTIFACTSTORE_API_TOKEN/, /is not set/],
    ]);
    await expectChecks(store, doctorContext({ artifactStoreUrl: forbidden.url }, storeEnv), [
      ["artifact-store.reachable", "pass", null, /answered 403/],
      ["artifact-store.auth", "fail", /token with access to \/v1\/packages/, /\(403\)/],
    ], [STORE_TOKEN]);
    assert.equal(s.seen[1].authorization, null, "no token: no Authorization header");
    assert.deepEqual([...s.problems, ...forbidden.problems], []);
  } finally {
    await Promise.all([s.close(), forbidden.close()]);
  }
});

Deno.test("artifact store: 404, 405, 5xx, a redirect and a non-JSON 200", async () => {
  const cases: [
    (req: Request) => Response,
    [string, string, RegExp | null, RegExp][],
  ][] = [
    [() => json(404, { error: "nope" }), [[
      "artifact-store.reachable",
      "fail",
      /^set ARTIFACTSTORE_API_URL to the store's base URL \(kaizen appends \/v1\/packages\)$/,
      /answered 404.*base URL is probably wrong/,
    ]]],
    [() => json(405, { error: "POST only" }), [
      ["artifact-store.reachable", "pass", null, /answered 405/],
      [
        "artifact-store.auth",
        "warn",
        /have the store answer GET \/v1\/packages/,
        /could not be checked/,
      ],
    ]],
    [() => json(503, { error: "maintenance" }), [[
      "artifact-store.reachable",
      "fail",
      /^the store is failing: check its health and logs/,
      /answered 503/,
    ]]],
    [() => new Response(null, { status: 302, headers: { location: "https://login.example/x" } }), [[
      "artifact-store.reachable",
      "fail",
      /^set ARTIFACTSTORE_API_URL to the final address of the store$/,
      /a redirect to https:\/\/login\.example\)/,
    ]]],
    [() => new Response("<html>store UI</html>", { status: 200 }), [[
      "artifact-store.reachable",
      "fail",
      /the store's API base URL, not a web page/,
      /answered 200 OK but not with JSON/,
    ]]],
  ];
  for (const [answer, expected] of cases) {
    const s = startStore(answer);
    try {
      await expectChecks(store, doctorContext({ artifactStoreUrl: s.url }, storeEnv), expected, [
        STORE_TOKEN,
      ]);
      assert.deepEqual(s.problems, []);
    } finally {
      await s.close();
    }
  }
});

Deno.test("artifact store: a hang hits the deadline; a closed port is refused", async () => {
  const s = startStore(HANG);
  try {
    await expectChecks(storeHang, doctorContext({ artifactStoreUrl: s.url }, storeEnv), [
      [
        "artifact-store.reachable",
        "fail",
        /^check --artifact-store \/ ARTIFACTSTORE_API_URL \(http:\/\/127.*\) and that the store is up/,
        /^no answer within 1.5 s$/,
      ],
    ], [STORE_TOKEN]);
  } finally {
    await s.close();
  }
  const port = closedPort();
  await expectChecks(
    store,
    doctorContext({ artifactStoreUrl: `https://u:store-pass-9@127.0.0.1:${port}` }, storeEnv),
    [[
      "artifact-store.reachable",
      "fail",
      /and that the store is running$/,
      /GET https:\/\/\*\*\*@127.*cannot connect \(connection refused\)/,
    ]],
    ["store-pass-9", STORE_TOKEN],
  );
});

Deno.test("artifact store: a token that cannot be a header value is not sent", async () => {
  const s = startStore(contract);
  try {
    const bad = "two words\n";
    await expectChecks(
      store,
      doctorContext({ artifactStoreUrl: s.url }, { ARTIFACTSTORE_API_TOKEN: bad }),
      [
        ["artifact-store.reachable", "skip", null],
        ["artifact-store.auth", "fail", /without spaces, quotes or a newline/, /not allowed/],
      ],
      ["two words"],
    );
    assert.equal(s.seen.length, 0);
  } finally {
    await s.close();
  }
});

// ---------------------------------------------------------------- NATS

const SUBJECT = "kaizen.schedule.prepared";
const ignore = !haveNatsServer();

async function client(url: string, extra: Record<string, unknown> = {}): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  return await NatsConnectionImpl.connect({ servers: url, reconnect: false, ...extra });
}

async function addStream(url: string, duplicateWindowNs: number, extra = {}): Promise<void> {
  const nc = await client(url, extra);
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: "KAIZEN",
      subjects: ["kaizen.>"],
      duplicate_window: duplicateWindowNs,
    });
  } finally {
    await nc.close();
  }
}

async function withNats(
  opts: Parameters<typeof startNatsServer>[0],
  fn: (s: NatsServer) => Promise<void>,
): Promise<void> {
  const s = await startNatsServer(opts);
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

const HOURS = 3_600e9;
const connected = (detail?: RegExp): [string, string, null, RegExp?][] => [
  ["nats.reachable", "pass", null, /is nats-server \d+\.\d+\.\d+ with JetStream/],
  ["nats.auth", "pass", null, detail],
  ["nats.jetstream", "pass", null, /JetStream is enabled/],
];

Deno.test("nats: not configured is one skip", async () => {
  await expectChecks(nats, doctorContext(), [
    ["nats.reachable", "skip", null, /--nats-url URL or set NATS_URL/],
  ]);
});

Deno.test({
  name: "nats: JetStream with a capturing stream and a 2 h window — every check passes",
  ignore,
  fn: () =>
    withNats({}, async (s) => {
      await addStream(s.url, 2 * HOURS);
      await expectChecks(nats, doctorContext({ natsUrl: s.url }), [
        ...connected(/requires no credentials/),
        [
          "nats.stream",
          "pass",
          null,
          /stream KAIZEN captures kaizen.schedule.prepared \(subjects kaizen.>\)/,
        ],
        ["nats.duplicate-window", "pass", null, /de-duplicates for 2h/],
        ["nats.publish", "pass", null, /no authorization configured/],
      ]);
      // Nothing was published: the stream is still empty.
      const nc = await client(s.url);
      try {
        const info = await (await jetstreamManager(nc)).streams.info("KAIZEN");
        assert.equal(info.state.messages, 0);
      } finally {
        await nc.close();
      }
    }),
});

Deno.test({
  name: "nats: a stream with JetStream's default 2-minute window warns with the edit command",
  ignore,
  fn: () =>
    withNats({}, async (s) => {
      await addStream(s.url, 120e9);
      await expectChecks(nats, doctorContext({ natsUrl: s.url }), [
        ...connected(),
        ["nats.stream", "pass", null],
        [
          "nats.duplicate-window",
          "warn",
          /^kaizen events setup --stream KAIZEN --duplicate-window 2h$/,
          /de-duplicates for only 2m: a re-run .* stored twice/,
        ],
        ["nats.publish", "pass", null],
      ]);
    }),
});

Deno.test({
  name: "nats: JetStream without a capturing stream fails nats.stream with the add command",
  ignore,
  fn: () =>
    withNats({}, async (s) => {
      await expectChecks(nats, doctorContext({ natsUrl: s.url }), [
        ...connected(),
        [
          "nats.stream",
          "fail",
          /^create a stream capturing it: kaizen events setup$/,
          /no stream captures kaizen.schedule.prepared/,
        ],
        ["nats.publish", "pass", null],
      ]);
    }),
});

Deno.test({
  name: "nats: a server without JetStream fails nats.jetstream",
  ignore,
  fn: () =>
    withNats({ jetstream: false }, async (s) => {
      await expectChecks(nats, doctorContext({ natsUrl: s.url }), [
        ["nats.reachable", "pass", null, /is nats-server [\d.]+$/],
        ["nats.auth", "pass", null],
        ["nats.jetstream", "fail", /^enable JetStream: run nats-server with -js/, /not enabled/],
        ["nats.publish", "pass", null],
      ]);
    }),
});

const NATS_TOKEN = "nats-token-c81f3d";

Deno.test({
  name: "nats: token auth — right token (env or URL) passes, a wrong one fails nats.auth",
  ignore,
  fn: () =>
    withNats({ extraConfig: `authorization { token: "${NATS_TOKEN}" }` }, async (s) => {
      await addStream(s.url, 2 * HOURS, { token: NATS_TOKEN });
      const rest: [string, string, RegExp | null, RegExp?][] = [
        ["nats.stream", "pass", null],
        ["nats.duplicate-window", "pass", null],
        // nats-server 2.9 cannot say what a client may publish: an honest warning.
        [
          "nats.publish",
          "warn",
          /^if this user has a publish allow list, make sure it covers kaizen.schedule.prepared \(e.g. kaizen.>\); nats-server 2.10\+ lets doctor check it$/,
          /^cannot tell: nats-server 2\.9\.\d+ cannot report a client's permissions/,
        ],
      ];
      await expectChecks(
        nats,
        doctorContext({ natsUrl: s.url }, { NATS_TOKEN }),
        [...connected(/accepted NATS_TOKEN$/), ...rest],
        [NATS_TOKEN],
      );
      const inUrl = `nats://${NATS_TOKEN}@127.0.0.1:${s.port}`;
      const report = await expectChecks(
        nats,
        doctorContext({ natsUrl: inUrl }),
        [...connected(/accepted the URL's token$/), ...rest],
        [NATS_TOKEN],
      );
      assert.match(report.checks[0].detail, /^nats:\/\/\*\*\*@127\.0\.0\.1:\d+ is nats-server/);
      const wrong = "wrong-nats-token-42";
      await expectChecks(nats, doctorContext({ natsUrl: s.url }, { NATS_TOKEN: wrong }), [
        ["nats.reachable", "pass", null],
        [
          "nats.auth",
          "fail",
          /^set NATS_TOKEN, NATS_CREDS or NATS_NKEY \(or user:password@ in NATS_URL\) to credentials this server accepts$/,
          /refused NATS_TOKEN \(Authorization Violation\)/,
        ],
      ], [wrong, NATS_TOKEN]);
      await expectChecks(nats, doctorContext({ natsUrl: s.url }), [
        ["nats.reachable", "pass", null],
        ["nats.auth", "fail", /^set NATS_TOKEN/, /requires credentials and none are set/],
      ]);
    }),
});

/** Users: `admin` (no limits), `narrow` (no kaizen.>, no $SYS.REQ.USER.INFO), `denied`. */
const USERS = `authorization {
  users = [
    { user: admin, password: "admin-pw-1" }
    { user: narrow, password: "narrow-pw-2", permissions: {
        publish: { allow: ["_INBOX.>", "$JS.API.>"] }, subscribe: { allow: ["_INBOX.>"] } } }
    { user: denied, password: "denied-pw-3", permissions: { publish: { deny: ["kaizen.>"] } } }
  ]
}`;
const PASSWORDS = ["admin-pw-1", "narrow-pw-2", "denied-pw-3"];

/**
 * Answers `$SYS.REQ.USER.INFO` with a fixed reply of nats-server 2.10's
 * shape (`ServerAPIResponse{data: UserInfo}`, server/events.go), standing in
 * for the 2.10 server this machine does not have.
 */
async function fakeUserInfo(url: string, permissions: unknown): Promise<NatsConnection> {
  const nc = await client(url, { user: "admin", pass: "admin-pw-1" });
  nc.subscribe("$SYS.REQ.USER.INFO", {
    callback: (_err, msg) => {
      msg.respond(JSON.stringify({
        server: { name: "fake", version: "2.10.0" },
        data: { user: "denied", account: "$G", permissions },
      }));
    },
  });
  await nc.flush();
  return nc;
}

Deno.test({
  name: "nats: publish permission — 2.9 cannot tell (warn); a 2.10-shaped USER.INFO is matched",
  ignore,
  fn: () =>
    withNats({ extraConfig: USERS }, async (s) => {
      const url = (user: string, pw: string) => `nats://${user}:${pw}@127.0.0.1:${s.port}`;
      await addStream(s.url, 2 * HOURS, { user: "admin", pass: "admin-pw-1" });
      const head = (user: string): [string, string, null, RegExp?][] => [
        ["nats.reachable", "pass", null, /^nats:\/\/\w+:\*\*\*@127/],
        ["nats.auth", "pass", null, new RegExp(`accepted user '${user}' from the URL`)],
        ["nats.jetstream", "pass", null],
        ["nats.stream", "pass", null],
        ["nats.duplicate-window", "pass", null],
      ];
      // The real 2.9 server: no permissions query.
      await expectChecks(nats, doctorContext({ natsUrl: url("denied", "denied-pw-3") }), [
        ...head("denied"),
        ["nats.publish", "warn", /nats-server 2.10\+ lets doctor check it$/, /cannot tell/],
      ], PASSWORDS);
      // A user whose allow list lacks $SYS.REQ.USER.INFO cannot even ask.
      await expectChecks(nats, doctorContext({ natsUrl: url("narrow", "narrow-pw-2") }), [
        ...head("narrow"),
        [
          "nats.publish",
          "warn",
          /covers kaizen.schedule.prepared \(e.g. kaizen.>\); allowing \$SYS.REQ.USER.INFO lets doctor check it$/,
          /does not include \$SYS.REQ.USER.INFO/,
        ],
      ], PASSWORDS);
      // What a 2.10 server answers, for a denied and an allowed user.
      const cases: [unknown, string, RegExp | null, RegExp][] = [
        [
          { publish: { deny: ["kaizen.>"] }, subscribe: {} },
          "fail",
          /^allow this user to publish kaizen.schedule.prepared \(e.g. kaizen.>\) in the server's authorization config$/,
          /may not publish kaizen.schedule.prepared: denied by 'kaizen.>'/,
        ],
        [
          { publish: { allow: ["_INBOX.>", "$JS.API.>"] } },
          "fail",
          /^allow this user to publish/,
          /not in its allow list \(_INBOX.>, \$JS.API.>\)/,
        ],
        [
          { publish: { allow: ["kaizen.*.prepared", "$JS.API.>"], deny: ["kaizen.metrics.>"] } },
          "pass",
          null,
          /may publish kaizen.schedule.prepared \(allowed by 'kaizen.\*.prepared'\)/,
        ],
        [undefined, "pass", null, /no publish restrictions/],
      ];
      for (const [permissions, status, fix, detail] of cases) {
        const responder = await fakeUserInfo(s.url, permissions);
        try {
          await expectChecks(nats, doctorContext({ natsUrl: url("denied", "denied-pw-3") }), [
            ...head("denied"),
            ["nats.publish", status, fix, detail],
          ], PASSWORDS);
        } finally {
          await responder.close();
        }
      }
    }),
});

Deno.test({
  name: "nats: a server that is down fails nats.reachable",
  ignore,
  fn: async () => {
    const port = closedPort();
    await expectChecks(
      nats,
      doctorContext({ natsUrl: `nats://kaizen:nats-pw-8@127.0.0.1:${port}` }),
      [[
        "nats.reachable",
        "fail",
        /^check --nats-url \/ NATS_URL \(nats:\/\/kaizen:\*\*\*@127.0.0.1:\d+\) and that nats-server is running there$/,
        /cannot connect to .*: connection refused/,
      ]],
      ["nats-pw-8"],
    );
  },
});

Deno.test("nats: a listener that never speaks hits the deadline on nats.reachable", async () => {
  const silent = startTcp();
  try {
    await expectChecks(natsHang, doctorContext({ natsUrl: `nats://127.0.0.1:${silent.port}` }), [[
      "nats.reachable",
      "fail",
      /a port that accepts but never greets is not a NATS client port/,
      /^no answer within 1.5 s$/,
    ]]);
  } finally {
    await silent.close();
  }
});

Deno.test("nats: a server that greets with something else is not NATS", async () => {
  const http = startTcp("HTTP/1.1 400 Bad Request\r\n\r\n");
  try {
    await expectChecks(nats, doctorContext({ natsUrl: `nats://127.0.0.1:${http.port}` }), [[
      "nats.reachable",
      "fail",
      /^point --nats-url \/ NATS_URL at the server's client port/,
      /greeting is not NATS INFO: 'HTTP\/1.1 400 Bad Request'/,
    ]]);
  } finally {
    await http.close();
  }
});

Deno.test("nats: subject matching follows NATS wildcard rules", () => {
  assert.equal(subjectMatches("kaizen.>", SUBJECT), true);
  assert.equal(subjectMatches(">", SUBJECT), true);
  assert.equal(subjectMatches("kaizen.*", SUBJECT), false);
  assert.equal(subjectMatches("kaizen.*.prepared", SUBJECT), true);
  assert.equal(subjectMatches("kaizen.schedule.prepared.>", SUBJECT), false);
  assert.equal(subjectMatches("kaizen.schedule", SUBJECT), false);
  assert.equal(subjectMatches(SUBJECT, SUBJECT), true);
});

// ---------------------------------------------------------------- together

Deno.test("the shipped deadlines keep doctor inside its 15 s budget even if every server hangs", () => {
  for (const p of [hubProbe, natsProbe, artifactStoreProbe]) {
    assert.equal(p.network, true);
    assert.ok(p.deadlineMs <= 8_000, `${p.area}: ${p.deadlineMs} ms`);
  }
});

Deno.test("all three hanging at once: each is cut at its own deadline; passed secrets are scrubbed too", async () => {
  const silent = startTcp();
  const hanging = startHttp((_req, _url, t) => t.hang());
  try {
    const report = await runDoctor(
      [hubHang, natsHang, storeHang],
      doctorContext({
        hubUrl: hanging.url,
        natsUrl: `nats://127.0.0.1:${silent.port}`,
        artifactStoreUrl: hanging.url,
      }, { ...withToken, ...storeEnv }),
      { secrets: [HUB_TOKEN, STORE_TOKEN] },
    );
    assert.deepEqual(
      report.checks.map((c) => `${c.id} ${c.status} ${c.detail}`),
      [
        "hub.reachable fail no answer within 1.5 s",
        "nats.reachable fail no answer within 1.5 s",
        "artifact-store.reachable fail no answer within 1.5 s",
      ],
    );
    assert.equal(report.summary.ok, false);
    assert.ok(!JSON.stringify(report).includes(HUB_TOKEN));
  } finally {
    await Promise.all([silent.close(), hanging.close()]);
  }
});

Deno.test("offline skips all three without touching the network", async () => {
  const report = await runDoctor(
    [hubProbe, natsProbe, artifactStoreProbe],
    doctorContext({
      offline: true,
      hubUrl: "http://127.0.0.1:1",
      natsUrl: "nats://127.0.0.1:1",
      artifactStoreUrl: "http://127.0.0.1:1",
    }),
  );
  assert.deepEqual(report.checks.map((c) => `${c.id} ${c.status}`), [
    "hub.reachable skip",
    "nats.reachable skip",
    "artifact-store.reachable skip",
  ]);
});

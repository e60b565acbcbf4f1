/**
 * Pins (issue 16) what doctor and the network clients promise about
 * credentials and server text:
 *
 * - `kaizen doctor --format json` scrubs the credentials it was given from
 *   every detail and fix line, longest first (a token that contains another
 *   must not leave its tail), and keeps no control characters a server sent;
 * - the hub client never echoes the hub token in a network error
 *   (`kaizen roster discover`);
 * - NATS timeouts name the server with its password masked.
 *
 * Servers are in-test, on 127.0.0.1 (a state hub, silent TCP listeners).
 * Where a second layer hides the first from the CLI (doctor's scrub masks
 * URL passwords too), the probe or client runs in process with nothing to
 * scrub, as tests/doctor_network_test.ts does. Credentials are assembled at
 * run time.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliEntry, cliTest, runCli } from "./_cli.ts";
import { closedPort, doctorContext, json, startHttp, startTcp } from "./_doctor_servers.ts";
import { ALNUM, fake } from "./_fake_secrets.ts";
import { DoctorReportModel, type Probe } from "../core/doctor/model.ts";
import { natsProbe } from "../core/doctor/probe_nats.ts";
import { runDoctor } from "../core/doctor/run.ts";
import { publishEvent } from "../core/nats/publish.ts";

const HOST = "runner-1";
/** STATE_HUB_TOKEN; the artifact store's token below starts with it. */
const HUB_TOKEN = "hubtok" + fake(14, ALNUM, 91);
const TAIL = "Tail" + fake(12, ALNUM, 92);
const STORE_TOKEN = HUB_TOKEN + TAIL;
const NATS_PASSWORD = "Pw" + fake(18, ALNUM, 93);

/** C0, DEL, C1 and bidi controls, as a terminal would act on them. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** `text` with every control shown as `\uXXXX`, for failure messages. */
function escaped(text: string): string {
  return text.replace(
    new RegExp(CONTROL.source, "g"),
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The controls doctor's runner strips itself (C0 and DEL). */
// deno-lint-ignore no-control-regex
const C0 = /[\u0000-\u001f\u007f]/;

/** A checkout whose git remote names it `pilot` (as doctor_network_test.ts makes it). */
async function checkout(): Promise<{ dir: string; path: string }> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-pin-doctor-" }));
  const path = join(dir, "pilot-checkout");
  await Deno.mkdir(join(path, ".git"), { recursive: true });
  await Deno.writeTextFile(
    join(path, ".git/config"),
    '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/pilot.git\n',
  );
  return { dir, path };
}

interface Check {
  id: string;
  status: string;
  detail: string;
  fix: string | null;
}

/**
 * `kaizen doctor --format json` against a hub that lists this checkout
 * under `slug`; returns the hub.repo check and the whole stdout.
 */
async function doctorWithHub(
  entry: CliEntry,
  slug: string,
  env: Record<string, string>,
): Promise<{ check: Check | undefined; stdout: string; stderr: string }> {
  const co = await checkout();
  const hub = startHttp((_req, url) =>
    url.pathname === "/repos/"
      ? json(200, [{ slug, host_paths: { [HOST]: co.path }, kaizen_schedule_enabled: true }])
      : json(404, { detail: "Not Found" })
  );
  try {
    const r = await runCli(entry, [
      "doctor",
      "--format",
      "json",
      "--target",
      co.path,
      "--host",
      HOST,
      "--hub",
      hub.url,
    ], { env: { STATE_HUB_URL: "", NATS_URL: "", ARTIFACTSTORE_API_URL: "", ...env } });
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const report = DoctorReportModel.parse(JSON.parse(r.stdout));
    const check = report.checks.find((c) => c.id === "hub.repo");
    return { check, stdout: r.stdout, stderr: r.stderr };
  } finally {
    await hub.close();
    await Deno.remove(co.dir, { recursive: true });
  }
}

// ---------------------------------------------------------------------------
// doctor's scrub

cliTest(
  "pin: doctor scrubs tokens from detail and fix lines, the longest first",
  async (entry) => {
    // The hub lists this checkout under a slug that is the store's token;
    // doctor quotes the slug in both the detail and the fix.
    const { check, stdout, stderr } = await doctorWithHub(entry, STORE_TOKEN, {
      STATE_HUB_TOKEN: HUB_TOKEN,
      ARTIFACTSTORE_API_TOKEN: STORE_TOKEN,
    });
    for (const [name, text] of [["stdout", stdout], ["stderr", stderr]]) {
      assert.ok(!text.includes(HUB_TOKEN), `the hub token reached ${name}`);
      // Masking the shorter token first would leave the longer one's tail.
      assert.ok(!text.includes(TAIL), `the tail of the store token reached ${name}`);
    }
    assert.ok(check, stdout);
    assert.equal(check.status, "warn");
    assert.match(check.detail, /^this checkout is listed as '\*\*\*', but kaizen names it /);
    assert.match(check.fix ?? "", /^set KAIZEN_REPO=\*\*\* on this host/);
  },
);

cliTest("pin: doctor's JSON keeps no control characters a server sent", async (entry) => {
  const slug = "acme\u001b[2J\u0007\u009b31m\u202eslug\u0085end";
  const { stdout } = await doctorWithHub(entry, slug, {});
  // Such a slug cannot become a --repo word: the hub answer is refused, and
  // the check that says so quotes it.
  const report = DoctorReportModel.parse(JSON.parse(stdout));
  const quoting = report.checks.filter((c) => c.detail.includes("acme"));
  assert.ok(quoting.length > 0, "no check quotes the slug");
  for (const c of report.checks) {
    for (const text of [c.detail, c.fix ?? ""]) {
      assert.ok(!CONTROL.test(text), `a control character in ${escaped(text)}`);
    }
  }
  assert.ok(!CONTROL.test(stdout.replace(/\n/g, "")), "a control character in the JSON");
});

Deno.test("pin: doctor's runner makes every detail and fix one clean line", async () => {
  // Probes are meant to pass server text through printable(); the runner
  // strips what one forgets, and what an unexpected error says.
  const careless: Probe = {
    area: "hub",
    network: false,
    deadlineMs: 5_000,
    run(_ctx, report) {
      report.warn("hub.repo", "listed as 'a\u001b[31mb'\r\nfake line\u0007", "set\tX=\u0000y\n");
      return Promise.resolve();
    },
  };
  const throwing: Probe = {
    area: "nats",
    network: false,
    deadlineMs: 5_000,
    run() {
      throw new Error("server said\u001b]0;owned\u0007\nsecond line");
    },
  };
  const report = await runDoctor([careless, throwing], doctorContext());
  assert.deepEqual(report.checks.map((c) => [c.id, c.status]), [
    ["hub.repo", "warn"],
    ["nats.error", "fail"],
  ]);
  for (const c of report.checks) {
    for (const text of [c.detail, c.fix ?? ""]) {
      assert.ok(!C0.test(text), `control character in ${JSON.stringify(text)}`);
    }
  }
  assert.equal(report.checks[0].detail, "listed as 'a [31mb' fake line");
  assert.equal(report.checks[1].detail, "server said ]0;owned second line");
});

Deno.test("pin: doctor's runner masks a secret containing another whole, in either order", async () => {
  const leaky: Probe = {
    area: "hub",
    network: false,
    deadlineMs: 5_000,
    run(_ctx, report) {
      report.warn("hub.repo", `slug ${STORE_TOKEN} and ${HUB_TOKEN}`, `use ${STORE_TOKEN}`);
      return Promise.resolve();
    },
  };
  for (const secrets of [[HUB_TOKEN, STORE_TOKEN], [STORE_TOKEN, HUB_TOKEN]]) {
    const [check] = (await runDoctor([leaky], doctorContext(), { secrets })).checks;
    assert.equal(check.detail, "slug *** and ***");
    assert.equal(check.fix, "use ***");
  }
});

// ---------------------------------------------------------------------------
// The hub token in network errors

/** `kaizen roster discover` with a hub token fetch refuses to send; stderr must not show it. */
async function discoverWithToken(entry: CliEntry, token: string, parts: string[]) {
  const r = await runCli(entry, [
    "roster",
    "discover",
    "--hub",
    `http://127.0.0.1:${closedPort()}`,
    "--host",
    HOST,
  ], { env: { STATE_HUB_TOKEN: token } });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^kaizen: error: cannot reach hub http:\/\/127\.0\.0\.1:\d+\/repos\/: /);
  for (const part of parts) {
    assert.ok(
      !r.stderr.includes(part),
      `part of the hub token in: ${r.stderr.replace(part, "<part>")}`,
    );
  }
  assert.ok(!r.stdout.includes(parts[0]));
}

cliTest("pin: a hub token is never echoed in a network error", async (entry) => {
  // fetch refuses a header value with a carriage return and quotes it in its error.
  const a = "hubA" + fake(16, ALNUM, 94);
  const b = "hubB" + fake(16, ALNUM, 95);
  await discoverWithToken(entry, `${a}\r${b}`, [a, b]);
});

cliTest(
  "pin: a hub token with a line break is not echoed either (its first line)",
  async (entry) => {
    // A token read from a file with a second line: fetch's error quotes it
    // across two lines, and the message keeps only the first.
    const a = "hubA" + fake(16, ALNUM, 96);
    const b = "hubB" + fake(16, ALNUM, 97);
    await discoverWithToken(entry, `${a}\n${b}`, [a, b]);
  },
);

// ---------------------------------------------------------------------------
// NATS passwords in timeout messages

Deno.test("pin: a NATS publish that times out names the server with its password masked", async () => {
  const silent = startTcp(); // accepts, never greets
  try {
    const url = `nats://kaizen:${NATS_PASSWORD}@127.0.0.1:${silent.port}`;
    let message = "";
    try {
      await publishEvent(new TextEncoder().encode("{}"), {
        url,
        subject: "kaizen.pin.test",
        msgId: "pin-1",
        env: () => undefined,
        timeoutMs: 1_000,
        attempts: 1,
      });
      assert.fail("a silent server cannot acknowledge");
    } catch (err) {
      message = (err as Error).message;
    }
    assert.ok(!message.includes(NATS_PASSWORD), "the NATS password is in the timeout message");
    assert.match(message, /^nats:\/\/kaizen:\*\*\*@127\.0\.0\.1:\d+: /);
    assert.match(message, /timed out|no acknowledgement|timeout/i);
  } finally {
    await silent.close();
  }
});

Deno.test("pin: doctor's NATS handshake timeout masks the URL's password (nothing to scrub)", async () => {
  // Greets like NATS, then never answers CONNECT/PING: the client times out.
  const info = JSON.stringify({
    server_id: "PIN",
    version: "2.9.10",
    proto: 1,
    host: "127.0.0.1",
    port: 4222,
    max_payload: 1048576,
    auth_required: true,
  });
  const server = startTcp(`INFO ${info}\r\n`);
  try {
    const url = `nats://kaizen:${NATS_PASSWORD}@127.0.0.1:${server.port}`;
    // No secrets handed to the runner: the probe itself must not print it.
    const report = await runDoctor([natsProbe], doctorContext({ natsUrl: url }));
    const text = JSON.stringify(report);
    assert.ok(!text.includes(NATS_PASSWORD), "the NATS password is in the report");
    const auth = report.checks.find((c) => c.id === "nats.auth");
    assert.ok(auth, text);
    assert.equal(auth.status, "fail");
    assert.match(auth.detail, /nats:\/\/kaizen:\*\*\*@127\.0\.0\.1:\d+/);
  } finally {
    await server.close();
  }
});

Deno.test("pin: doctor masks a short credential as a word, never inside other words", async () => {
  const wordy: Probe = {
    area: "hub",
    network: false,
    deadlineMs: 5_000,
    run(_ctx, report) {
      report.warn("hub.repo", "1,725 tokens seen; tok=tok used", "pass tok, not tokens");
      return Promise.resolve();
    },
  };
  const [check] = (await runDoctor([wordy], doctorContext(), { secrets: ["tok"] })).checks;
  assert.equal(check.detail, "1,725 tokens seen; ***=*** used");
  assert.equal(check.fix, "pass ***, not tokens");
  // A long one goes wherever it appears, glued to other text or not.
  const long = "Zx9qT4mW2pLr8vNc";
  const glued: Probe = {
    area: "hub",
    network: false,
    deadlineMs: 5_000,
    run(_ctx, report) {
      report.warn("hub.repo", `id=x${long}y`, "none");
      return Promise.resolve();
    },
  };
  const [g] = (await runDoctor([glued], doctorContext(), { secrets: [long] })).checks;
  assert.equal(g.detail, "id=x***y");
});

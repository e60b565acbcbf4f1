/**
 * Notification sinks add, content sinks replace; only scheduled runs are
 * announced (docs/sinks.md). Through the real CLI, source and bundle.
 */
import assert from "node:assert/strict";
import { cliTest, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";
import { haveNatsServer, startNatsServer } from "./_nats_server.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-12-06T08:00:00Z";
const ignore = !(await haveNatsServer());

cliTest("--sink nats alone still prints the bundle, byte for byte, and announces it", async (e) => {
  if (ignore) return console.warn("skipped: no nats-server");
  const s = await startNatsServer({ jetstream: true });
  try {
    const plain = await runCli(e, [
      "schedule",
      "prepare",
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    const r = await runCli(e, [
      "schedule",
      "prepare",
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--sink",
      "nats",
      "--nats-url",
      s.url,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    assert.match(r.stderr, /^kaizen: notice: sink 'nats': published to kaizen\.schedule\.prepared/);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, "the added stdout delivery is quiet");
  } finally {
    await s.stop();
  }
});

cliTest(
  "--sink nats with --out writes the bundle to the file; a content sink replaces",
  async (e) => {
    const dir = await Deno.makeTempDir({ prefix: "kaizen-roles-" });
    try {
      const out = `${dir}/bundle.md`;
      const r = await runCli(e, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--out",
        out,
        "--sink",
        "nats",
        "--nats-url",
        "nats://127.0.0.1:1",
        "--sink-timeout",
        "3000",
      ]);
      // The server is down: the announcement fails, the bundle is still written.
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(await Deno.readTextFile(out), /^# Orientation: coach in /);
      // Naming a content sink replaces the default: nothing on stdout.
      const f = await runCli(e, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        PILOT,
        "--sink",
        "file",
        "--out",
        `${dir}/only.md`,
      ]);
      assert.equal(f.code, 0, f.stderr);
      assert.equal(f.stdout, "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

cliTest(
  "a run that is not scheduled is not announced: one line naming why, bundle printed, exit 1",
  async (e) => {
    const noManifest = await tempRepo({ "README.md": "# demo\n" });
    const unlisted = await tempRepo({
      ".kaizen/schedule.yml":
        'version: "1"\ntimezone: UTC\nagents:\n  optimization:\n    cadence: weekly\n',
    });
    const invalid = await tempRepo({ ".kaizen/schedule.yml": "version: 7\n" });
    try {
      for (
        const [root, why] of [
          [noManifest, /no \.kaizen\/schedule\.yml, so this is not a scheduled run/],
          [unlisted, /agent 'coach' is not listed in \.kaizen\/schedule\.yml/],
          [invalid, /\.kaizen\/schedule\.yml is invalid, so this is not a scheduled run/],
        ] as const
      ) {
        const r = await runCli(e, [
          "schedule",
          "prepare",
          "coach",
          "--target",
          root,
          "--sink",
          "nats",
          // Refused before any connection: a closed port is never dialled.
          "--nats-url",
          "nats://127.0.0.1:1",
        ]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /^# Orientation: coach in /, "the bundle is still printed");
        const failure = r.stderr.split("\n").filter((l) => /sink 'nats' failed/.test(l));
        assert.equal(failure.length, 1, r.stderr);
        assert.match(failure[0], why);
        assert.doesNotMatch(r.stderr, /connect|refused/);
      }
    } finally {
      for (const d of [noManifest, unlisted, invalid]) await Deno.remove(d, { recursive: true });
    }
  },
);

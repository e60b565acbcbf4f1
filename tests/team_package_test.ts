/**
 * kaizen as a package: `deno publish --dry-run` (offline) accepts it with no
 * slow-type errors and no warnings, and publishes the library, not the
 * project around it.
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "./_cli.ts";

Deno.test("package: deno publish --dry-run is clean and ships only the library", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.doesNotMatch(text, /^\s*warning[[:]/im);
  assert.match(text, /Success Dry run complete/);
  const files = [...text.matchAll(/file:\/\/(\S+) \(/g)].map((m) =>
    m[1].slice(REPO_ROOT.length + 1)
  );
  for (const f of ["LICENSE", "mod.ts", "plugin.ts", "testing.ts", "cli.ts", "deno.json"]) {
    assert.ok(files.includes(f), `${f} is not published`);
  }
  const stray = files.filter((f) => /^(tests|bench|dist|examples|docs)\//.test(f));
  assert.deepEqual(stray, []);
});

Deno.test("package: MIT licensed, three entries, one version", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  assert.equal(config.name, "@kaizen/kaizen");
  assert.equal(config.license, "MIT");
  assert.deepEqual(config.exports, {
    ".": "./mod.ts",
    "./plugin": "./plugin.ts",
    "./testing": "./testing.ts",
  });
  assert.match(await Deno.readTextFile(`${REPO_ROOT}/LICENSE`), /^MIT License\n/);
  const { VERSION } = await import("../core/version.ts");
  assert.equal(config.version, VERSION);
});

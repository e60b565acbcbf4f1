/**
 * Behaviour that only shows on a real terminal or a closed pipe: colour on a
 * TTY, none under NO_COLOR, and a quiet exit when the reader goes away.
 */
import assert from "node:assert/strict";
import { CLI_ENTRIES, cliTest, tempRepo } from "./_cli.ts";

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs the CLI under a pseudo-terminal (util-linux `script`), returning what the terminal saw. */
async function onTty(argv: string[], env: Record<string, string>): Promise<string> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'"'"'`)}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", quoted, "/dev/null"],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

for (const entry of CLI_ENTRIES) {
  Deno.test({
    name: `[${entry.name}] errors are coloured on a terminal, and not under NO_COLOR`,
    ignore: !hasScript,
    fn: async () => {
      const args = [...entry.argv, "schedule", "validate", "--target", "/nonexistent-kaizen"];
      const coloured = await onTty(args, { NO_COLOR: "" });
      assert.ok(
        coloured.includes("kaizen: \x1b[31merror\x1b[0m: --target"),
        JSON.stringify(coloured),
      );
      const plain = await onTty(args, { NO_COLOR: "1" });
      assert.match(plain, /kaizen: error: --target/);
      assert.ok(!plain.includes("\x1b["), JSON.stringify(plain));
    },
  });
}

cliTest("a reader that goes away (| head) ends the run quietly, exit 0", async (entry) => {
  // A memory file far larger than a pipe buffer, so the CLI is still writing
  // when we stop reading.
  const big = Array.from({ length: 6000 }, (_, i) => `- note ${i}: ${"lorem ipsum ".repeat(8)}`)
    .join("\n");
  const dir = await tempRepo({ ".kaizen/agents/coach/memory.md": `# Memory\n\n${big}\n` });
  try {
    const child = new Deno.Command(entry.argv[0], {
      args: [...entry.argv.slice(1), "schedule", "prepare", "coach", "--target", dir],
      env: { NO_COLOR: "1", XDG_CONFIG_HOME: dir, KAIZEN_REPO: "" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.ok(!first.done);
    await reader.cancel();
    const [status, err] = await Promise.all([child.status, new Response(child.stderr).text()]);
    assert.equal(status.code, 0, err);
    assert.ok(!/internal error|\n\s+at /.test(err), err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest("a --target named with escape and bidi characters never reaches stderr raw", async (e) => {
  const { runCli } = await import("./_cli.ts");
  const base = await Deno.makeTempDir({ prefix: "kaizen-term-" });
  const evil = `${base}/repo\u001b[31m\u0007\u202e`;
  await Deno.mkdir(`${evil}/.kaizen`, { recursive: true });
  await Deno.writeTextFile(`${evil}/.kaizen/schedule.yml`, "version: 1\nagents: {}\n");
  try {
    for (
      const args of [
        ["schedule", "validate", "--target", evil],
        ["schedule", "list", "--target", evil],
        ["schedule", "list", "--target", `${evil}-missing`],
        ["schedule", "init", "--target", `${evil}-missing`],
        ["schedule", "prepare", "coach", "--target", `${evil}-missing`],
      ]
    ) {
      const r = await runCli(e, args);
      assert.notEqual(r.code, 0, args.join(" "));
      const shown = r.stdout + r.stderr;
      assert.ok(
        // deno-lint-ignore no-control-regex
        !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/.test(shown),
        JSON.stringify(shown),
      );
      assert.match(r.stderr, /repo\\u001b\[31m\\u0007\\u202e/, args.join(" "));
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

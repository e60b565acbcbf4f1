import assert from "node:assert/strict";
import { REPO_ROOT } from "./_cli.ts";

// A team entry point that registers a malformed in-process plugin gets a
// one-line setup error (exit 1), not an internal error or a stack trace.
Deno.test("runCli: a malformed embedded plugin is a one-line error, exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-entry-" });
  try {
    const entry = `${dir}/team.ts`;
    await Deno.writeTextFile(
      entry,
      `import { runCli } from "${REPO_ROOT}/mod.ts";\n` +
        `// deno-lint-ignore no-explicit-any\n` +
        `Deno.exit(await runCli(Deno.args, { plugins: [{ name: "Bad Name", apiVersion: 1 } as any] }));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        `${REPO_ROOT}/deno.json`,
        entry,
        "schedule",
        "prepare",
        "coach",
        "--target",
        `${REPO_ROOT}/examples/pilot`,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.equal(new TextDecoder().decode(out.stdout), "");
    assert.equal(
      stderr,
      "kaizen: error: plugin 'Bad Name': name must match ^[a-z0-9][a-z0-9-]*$\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

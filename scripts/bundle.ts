/**
 * `deno task bundle`: builds `dist/kaizen.js` with `deno bundle`.
 *
 * We bundle with code splitting: every command's implementation (and heavy
 * dependencies such as the tokenizer's 3 MB vocabulary or the NATS client) lands in
 * its own chunk that is loaded only when a command imports it, so `--version`
 * or `schedule validate` do not parse code they never run. The entry chunk is
 * renamed to `kaizen.js`; the chunks sit next to it in `dist/`, and
 * `deno compile dist/kaizen.js` embeds them all (their imports are static).
 *
 * The chunks are minified (names kept): `deno run` reads every chunk named by
 * a static `import()` when it starts, so their size is paid by every command
 * (measured: the MCP SDK's ~1 MB added 3.4 ms to `--version`; minifying took
 * `prepare` back to within 1 ms of the bundle without it).
 *
 * `--platform browser` selects the ESM builds of npm packages (e.g. `yaml`),
 * which start much faster under Deno than their CommonJS builds.
 */
const root = new URL("..", import.meta.url).pathname;

// The list of packaged prompt hashes is computed at build time (and refuses a
// prompt the redactor flags), so the bundle always carries a current one.
const hashes = await new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-read", "--allow-write", "scripts/gen-prompt-hashes.ts"],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!hashes.success) Deno.exit(hashes.code || 1);

const staging = await Deno.makeTempDir({ dir: root, prefix: ".bundle-" });
try {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--code-splitting",
      // `deno run` reads (and hashes) every chunk a static `import()` names at
      // start-up, used or not: fewer bytes make every command start sooner.
      // Names are kept: errors are matched by `name` and read by people.
      "--minify",
      "--keep-names",
      "--outdir",
      staging,
      "cli.ts",
    ],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) Deno.exit(out.code || 1);
  await Deno.rename(`${staging}/cli.js`, `${staging}/kaizen.js`);
  // Replace dist/ wholesale so stale chunks from older builds never linger.
  await Deno.remove(`${root}dist`, { recursive: true }).catch(() => {});
  await Deno.rename(staging, `${root}dist`);
  let files = 0;
  let bytes = 0;
  for await (const e of Deno.readDir(`${root}dist`)) {
    files++;
    bytes += (await Deno.stat(`${root}dist/${e.name}`)).size;
  }
  console.log(`dist/kaizen.js + ${files - 1} chunks, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
} finally {
  await Deno.remove(staging, { recursive: true }).catch(() => {});
}

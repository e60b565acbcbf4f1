/**
 * A bundle's `prepare_command` reproduces the bundle: over random sets of
 * the options that shape it (slug, format, token budget, per-file cap,
 * plugins file, trusted repo plugins), running the command it names again,
 * with the same `--now`, prints the same bytes. Run through a real shell,
 * as an orchestrator would.
 */
import assert from "node:assert/strict";
import { BUNDLE_PATH, CLI_ENTRIES, REPO_ROOT, runCli } from "./_cli.ts";
import { prng } from "./_prng.ts";
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

const BUNDLE = CLI_ENTRIES.find((e) => e.name === "bundle")!;
const NOW = "2026-12-06T08:00:00Z";
const SEED = Number(Deno.env.get("PREPARE_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const replay = `(seed ${SEED}; replay with PREPARE_SEED=${SEED})`;

/** The command a bundle names: from the JSON field, or the markdown footer. */
function commandOf(output: string, format: string): string {
  if (format === "json") return JSON.parse(output).prepare_command;
  const m = output.match(/ · (kaizen schedule prepare .*)_\n*$/);
  assert.ok(m, "no prepare_command in the markdown footer");
  return m[1];
}

/** Runs `command` in bash with `kaizen` standing for the bundled CLI. */
async function runInShell(command: string, env: Record<string, string>): Promise<string> {
  const kaizen = [Deno.execPath(), "run", ...CLI_PERMISSIONS, BUNDLE_PATH]
    .map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(" ");
  const script = `kaizen() { ${kaizen} "$@"; }\n${command} --now ${NOW}`;
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    env: { NO_COLOR: "1", KAIZEN_REPO: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `${command}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

const PLUGIN = `
await new Response(Deno.stdin.readable).text();
console.log(JSON.stringify({ protocol: "kaizen.plugin/v1", content: "team notes: deploy on Fridays" }));
`;

Deno.test("prepare_command re-run with the same --now prints the same bytes", async () => {
  const rand = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const tmp = await Deno.makeTempDir({ prefix: "kaizen-cmd-" });
  try {
    // A checkout whose path needs quoting, with its own plugins file.
    const root = `${tmp}/my checkout's copy`;
    await new Deno.Command("cp", { args: ["-r", `${REPO_ROOT}/examples/pilot`, root] }).output();
    await Deno.writeTextFile(`${tmp}/plugin.ts`, PLUGIN);
    const pluginsFile = `${tmp}/plugins.yml`;
    const command = [Deno.execPath(), "run", "--no-config", `${tmp}/plugin.ts`];
    const pluginYaml = (id: string) =>
      [
        "version: 1",
        "plugins:",
        `  - name: ${id}`,
        `    command: ${JSON.stringify(command)}`,
        "    timeout_ms: 20000",
        "    sections:",
        `      - ${JSON.stringify({ id, title: "Team notes", order: 350 })}`,
      ].join("\n") + "\n";
    await Deno.writeTextFile(pluginsFile, pluginYaml("team-notes"));
    await Deno.mkdir(`${root}/.kaizen`, { recursive: true });
    await Deno.writeTextFile(`${root}/.kaizen/plugins.yml`, pluginYaml("repo-notes"));
    // An XDG config home with a plugins file: the command must name it, so a
    // runner with another XDG_CONFIG_HOME still reproduces the bundle.
    const xdg = `${tmp}/xdg`;
    await Deno.mkdir(`${xdg}/kaizen`, { recursive: true });
    await Deno.writeTextFile(`${xdg}/kaizen/plugins.yml`, pluginYaml("host-notes"));

    for (let i = 0; i < 10; i++) {
      const format = pick(["markdown", "json"]);
      const args = ["schedule", "prepare", pick(["coach", "optimization"]), "--target", root];
      const repo = pick([undefined, "acme/invoice-service", "acme invoices", "it's-mine"]);
      if (repo) args.push("--repo", repo);
      if (format === "json") args.push("--format", "json");
      const maxTokens = pick([undefined, 2000, 5000]);
      if (maxTokens) args.push("--max-tokens", String(maxTokens));
      const maxFileBytes = pick([undefined, 2048, 65536]);
      if (maxFileBytes) args.push("--max-file-bytes", String(maxFileBytes));
      const plugins = pick(["none", "given", "host-default"]);
      if (plugins === "given") args.push("--plugins", pluginsFile);
      if (rand() < 0.3) args.push("--trust-repo-plugins");
      const env: Record<string, string> = plugins === "host-default"
        ? { XDG_CONFIG_HOME: xdg }
        : {};
      const first = await runCli(BUNDLE, [...args, "--now", NOW], { env });
      const label = `${args.join(" ")} ${replay}`;
      assert.equal(first.code, 0, `${label}: ${first.stderr}`);
      const cmd = commandOf(first.stdout, format);
      if (repo) assert.ok(cmd.includes("--repo "), `${label}: no --repo in ${cmd}`);
      // Elsewhere: another XDG home, a KAIZEN_REPO that would change the slug.
      const again = await runInShell(cmd, {
        XDG_CONFIG_HOME: `${tmp}/elsewhere`,
        KAIZEN_REPO: "not-the-slug",
      });
      assert.equal(again, first.stdout, `${label}: re-running ${cmd} gave other bytes`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

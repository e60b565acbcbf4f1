/**
 * The one list of permissions the kaizen CLI runs with: the compiled binary,
 * `deno task kaizen`, `./dev kaizen`, the CLI tests and the bench. Files that
 * cannot import it (deno.json tasks, the `./dev` shell script) spell it out,
 * and `tests/permissions_test.ts` fails when any of them drifts.
 *
 * - read/write: the target repository, `--out`, the plugins file;
 * - env: `KAIZEN_REPO`, `NO_COLOR`, `XDG_CONFIG_HOME`, `NATS_*`, `ARTIFACTSTORE_*`;
 * - run: external-command plugins and `git` for the repo slug;
 * - net: the NATS and artifact-store sinks, to hosts the operator names at run
 *   time (so it cannot be narrowed at build time). `prepare` without a network
 *   sink opens no connection.
 * - sys=hostname: `roster discover` picks this host's checkouts by name.
 */
export const CLI_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-net",
  "--allow-sys=hostname",
];

/**
 * Runs one command group's subcommand in process, through the parser as
 * `cli.ts` does, so a test's options arrive typed and checked exactly as a
 * user's would (a usage error throws `UsageError`).
 */
import { type CommandSpec, parseArgv } from "../core/cli/framework.ts";

/** Options as a test writes them: a string is a value, `true` a flag, anything else left out. */
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** `{ target: "x", force: true }` → `["--target", "x", "--force"]`. */
export function flagsArgv(flags: Flags): string[] {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(flags)) {
    if (value === true) argv.push(`--${name}`);
    else if (typeof value === "string") argv.push(`--${name}`, value);
  }
  return argv;
}

/** `kaizen <group> <sub> <args> <flags>`: the command's exit code. */
export async function runCommand(
  group: CommandSpec,
  sub: string,
  args: string[],
  flags: Flags,
): Promise<number> {
  const tree = { name: "kaizen", description: "", subcommands: [group] };
  const outcome = parseArgv(tree, [group.name, sub, ...args, ...flagsArgv(flags)]);
  if (outcome.kind !== "run") throw new Error(`'${group.name} ${sub}' did not parse to a run`);
  return await outcome.command.run!(outcome.invocation);
}

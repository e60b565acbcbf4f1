/**
 * The team's kaizen: the whole stock CLI plus the team's plugins. Run it
 * with `deno task kaizen …`, or compile it into one binary for the runner
 * hosts with `deno task compile`.
 *
 * @module
 */
import { runCli } from "@kaizen/kaizen";
import { conventions } from "./conventions.ts";
import { webhook } from "./plugins/webhook/webhook.ts";

Deno.exit(await runCli(Deno.args, { plugins: [conventions, webhook] }));

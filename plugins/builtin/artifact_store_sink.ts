/**
 * `--sink artifact-store`: archives the bundle, as markdown and as JSON, in
 * one artifact package (contract: docs/integrations/artifact-store.md). The
 * bundle's sha256 is the idempotency key, so a re-run of an identical bundle
 * is stored once.
 *
 * The HTTP client is imported when this sink runs.
 *
 * @module
 */
import {
  ARTIFACT_STORE_TOKEN_VARIABLE,
  ARTIFACT_STORE_URL_VARIABLE,
  checkArtifactStore,
  describeArtifactRequest,
  publishArtifact,
  type SinkPlugin,
} from "../../plugin.ts";

/** Retention classes the store knows; `bundle` for prepared bundles. */
const RETENTION = /^[a-z][a-z0-9-]{0,63}$/;

export const artifactStoreSink: SinkPlugin = {
  name: "artifact-store",
  credentialVariables: [ARTIFACT_STORE_TOKEN_VARIABLE],
  options: [
    {
      flag: "artifact-store",
      env: ARTIFACT_STORE_URL_VARIABLE,
      kind: "string",
      valueName: "URL",
      description:
        `Artifact store API base URL for --sink artifact-store and doctor (default: $${ARTIFACT_STORE_URL_VARIABLE})`,
    },
    {
      flag: "retention-class",
      kind: "string",
      valueName: "CLASS",
      description: "Retention class for --sink artifact-store (default: bundle)",
    },
  ],
  check: (ctx) =>
    checkArtifactStore(
      typeof ctx.options["artifact-store"] === "string" ? ctx.options["artifact-store"] : undefined,
      ctx,
    ),
  async emit(bundle, ctx) {
    const retentionClass = typeof ctx.options?.["retention-class"] === "string"
      ? ctx.options["retention-class"]
      : "bundle";
    if (!RETENTION.test(retentionClass)) {
      throw new Error(
        `--retention-class '${retentionClass}' is not a retention class (e.g. bundle)`,
      );
    }
    // `artifact-store` arrives resolved (flag, else the variable); a library caller may pass neither.
    const baseUrl =
      (typeof ctx.options?.["artifact-store"] === "string" ? ctx.options["artifact-store"] : "") ||
      ctx.env?.(ARTIFACT_STORE_URL_VARIABLE) || "";
    if (baseUrl === "") {
      throw new Error(
        `${ARTIFACT_STORE_URL_VARIABLE} is not set (the artifact store's base URL)`,
      );
    }
    const markdown = ctx.render ? await ctx.render("markdown") : ctx.rendered;
    const json = ctx.render ? await ctx.render("json") : ctx.rendered;
    const options = {
      baseUrl,
      token: ctx.env?.(ARTIFACT_STORE_TOKEN_VARIABLE),
      retentionClass,
      idempotencyKey: bundle.sha256,
      name: `kaizen-bundle/${bundle.repo}/${bundle.agent}`,
      metadata: {
        repo: bundle.repo,
        agent: bundle.agent,
        cadence: bundle.cadence,
        generated_at: bundle.generated_at,
        sha256: bundle.sha256,
        kaizen_version: bundle.kaizen_version,
      },
      files: [
        { path: "bundle.md", mediaType: "text/markdown; charset=utf-8", content: markdown },
        { path: "bundle.json", mediaType: "application/json", content: json },
      ],
      fetch: ctx.fetch,
      signal: ctx.signal,
      deadlineMs: ctx.timeoutMs,
    };
    if (ctx.options?.["dry-run"] === true) {
      const req = await describeArtifactRequest(options);
      ctx.print?.(JSON.stringify({ sink: "artifact-store", ...req }, null, 2) + "\n");
      return `dry run: would ${req.method} ${req.url}`;
    }
    const r = await publishArtifact(options);
    const tries = r.attempts > 1 ? ` after ${r.attempts} attempts` : "";
    return r.created
      ? `stored as ${r.id} (retention ${retentionClass})${tries}`
      : `duplicate: already stored as ${r.id}${tries}`;
  },
};

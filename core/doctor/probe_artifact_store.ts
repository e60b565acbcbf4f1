/**
 * `kaizen doctor`'s artifact-store checks. Configured by `--artifact-store
 * URL` or `ARTIFACTSTORE_API_URL`; the token is `ARTIFACTSTORE_API_TOKEN`,
 * sent as a bearer token exactly as the publish client sends it.
 *
 * One read-only request, documented in docs/integrations/artifact-store.md
 * ("Checking a store: `kaizen doctor`"): `GET {base}/v1/packages?limit=1`
 * with `Authorization`, `Accept: application/json` and the kaizen
 * `User-Agent`. Redirects are not followed (the token would go with them),
 * the reply is read to at most 64 KiB, and nothing is ever uploaded.
 *
 * | id                        | what it checks                                                     |
 * | ------------------------- | ------------------------------------------------------------------ |
 * | `artifact-store.reachable`| the store answers at that URL: a refused connection, a hang, a redirect, 404 (wrong base URL), 5xx, another unexpected status or a 2xx that is not JSON fail. |
 * | `artifact-store.auth`     | the token is accepted: 2xx pass, 401/403 fail, 405 (the store does not offer the read) is a warning because the token could not be checked. |
 *
 * @module
 */
import type { DoctorContext, Probe, Reporter } from "./model.ts";
import { serviceProbe } from "./service_probe.ts";
import { readCapped } from "../http/read_capped.ts";
import {
  PACKAGES_PATH,
  resolveEndpoint,
  TOKEN_VARIABLE,
  URL_VARIABLE,
} from "../artifact_store/request.ts";
import { VERSION } from "../version.ts";
import { printable } from "../text/printable.ts";
import { networkReason } from "./net.ts";

/** The answer to the read is small; more than this is not the store's API. */
const MAX_REPLY_BYTES = 64 * 1024;
/** Header values must be visible ASCII (the publish client's own rule). */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const DOC = "docs/integrations/artifact-store.md";

export const artifactStoreProbe: Probe = serviceProbe({
  area: "artifact-store",
  url: (ctx) => ctx.artifactStoreUrl,
  configure: `pass --artifact-store URL or set ${URL_VARIABLE}`,
  check: checkArtifactStoreAt,
});

/** Checks the store at `baseUrl` with one read-only request. */
async function checkArtifactStoreAt(
  baseUrl: string,
  ctx: DoctorContext,
  report: Reporter,
): Promise<void> {
  const urlFix = `check --artifact-store / ${URL_VARIABLE}`;
  let endpoint: ReturnType<typeof resolveEndpoint>;
  try {
    endpoint = resolveEndpoint(baseUrl);
  } catch (err) {
    report.fail(
      "artifact-store.reachable",
      printable((err as Error).message, 200),
      `${urlFix}: the store's http(s) base URL, without query or fragment`,
    );
    return;
  }
  const url = `${endpoint.url}?limit=1`;
  const shown = printable(`GET ${endpoint.displayUrl}?limit=1`, 240);
  const token = ctx.env(TOKEN_VARIABLE) || undefined;
  if (token !== undefined && !HEADER_SAFE.test(token)) {
    report.skip("artifact-store.reachable", "not checked: the token cannot be sent");
    report.fail(
      "artifact-store.auth",
      `${TOKEN_VARIABLE} contains spaces or characters not allowed in a header`,
      `set ${TOKEN_VARIABLE} to the token itself, without spaces, quotes or a newline`,
    );
    return;
  }
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": `kaizen/${VERSION}`,
  };
  if (token) headers.authorization = `Bearer ${token}`;

  report.step(
    "artifact-store.reachable",
    `${urlFix} (${endpoint.displayUrl}) and that the store is up: it did not answer`,
  );
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: ctx.signal, redirect: "manual" });
  } catch (err) {
    report.fail(
      "artifact-store.reachable",
      `${shown}: cannot connect (${networkReason(err)})`,
      `${urlFix} (host, port, scheme) and that the store is running`,
    );
    return;
  }
  const status = res.status;
  const answered = `${shown} answered ${status}${res.statusText ? ` ${res.statusText}` : ""}`;
  let body: Awaited<ReturnType<typeof readCapped>>;
  try {
    body = await readCapped(res, MAX_REPLY_BYTES);
  } catch (err) {
    report.fail(
      "artifact-store.reachable",
      `${answered} but the reply broke off: ${printable((err as Error)?.message ?? "", 100)}`,
      `${urlFix} points at the store's API, and check its logs`,
    );
    return;
  }
  if (status >= 300 && status < 400) {
    const location = res.headers.get("location");
    let where = "";
    try {
      if (location) where = ` to ${new URL(location, endpoint.url).origin}`;
    } catch { /* unparseable Location: say nothing of it */ }
    report.fail(
      "artifact-store.reachable",
      `${answered} (a redirect${where}); kaizen does not follow redirects, which would carry the token`,
      `set ${URL_VARIABLE} to the final address of the store`,
    );
    return;
  }
  if (status === 404) {
    report.fail(
      "artifact-store.reachable",
      `${answered}: no ${PACKAGES_PATH} there, the base URL is probably wrong`,
      `set ${URL_VARIABLE} to the store's base URL (kaizen appends ${PACKAGES_PATH})`,
    );
    return;
  }
  if (status >= 500) {
    report.fail(
      "artifact-store.reachable",
      answered,
      "the store is failing: check its health and logs, then re-run kaizen doctor",
    );
    return;
  }
  if (status === 401 || status === 403) {
    report.pass("artifact-store.reachable", answered);
    report.fail(
      "artifact-store.auth",
      !token
        ? `the store wants a token (${status}) and ${TOKEN_VARIABLE} is not set`
        : status === 401
        ? `the store refused ${TOKEN_VARIABLE} (401): not a valid token`
        : `the store refused ${TOKEN_VARIABLE} (403): the token may not use ${PACKAGES_PATH}`,
      status === 403 && token
        ? `set ${TOKEN_VARIABLE} to a token with access to ${PACKAGES_PATH} (publishing needs write access)`
        : `set ${TOKEN_VARIABLE} to a valid token for this store`,
    );
    return;
  }
  if (status === 405) {
    report.pass("artifact-store.reachable", answered);
    report.warn(
      "artifact-store.auth",
      `the store does not offer the read-only GET ${PACKAGES_PATH} (405), so the token could not be checked without uploading`,
      `have the store answer GET ${PACKAGES_PATH} (${DOC}), or check the token with a real publish`,
    );
    return;
  }
  if (status < 200 || status >= 300) {
    report.fail(
      "artifact-store.reachable",
      answered,
      `${urlFix} points at a kaizen artifact store (${DOC})`,
    );
    return;
  }
  let json = false;
  if (body.ok) {
    try {
      JSON.parse(body.text);
      json = true;
    } catch { /* not JSON */ }
  }
  if (!json) {
    report.fail(
      "artifact-store.reachable",
      `${answered} but ${
        body.ok ? "not with JSON" : `with more than ${MAX_REPLY_BYTES} bytes`
      }: probably not the store's API`,
      `${urlFix}: the store's API base URL, not a web page or proxy (${DOC})`,
    );
    return;
  }
  report.pass("artifact-store.reachable", answered);
  report.pass(
    "artifact-store.auth",
    token
      ? `the store accepted ${TOKEN_VARIABLE}`
      : `the store answered without a token (${TOKEN_VARIABLE} is not set)`,
  );
}

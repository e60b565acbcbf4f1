/**
 * The request half of the artifact-store contract, as pure functions: which
 * URL, which headers, which JSON body. `publishArtifact` sends exactly what
 * these build and `describeArtifactRequest` shows it for `--dry-run`, so the
 * two cannot drift apart.
 *
 * Everything is checked here, before any connection: an unusable option is
 * an `ArtifactStoreError` with code `config`, never a `TypeError` from
 * `fetch` or `Headers` (whose messages quote the offending header value —
 * which would be the token).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { VERSION } from "../version.ts";
import { ArtifactStoreError } from "./errors.ts";

/** Path of the one endpoint, appended to the base URL. */
export const PACKAGES_PATH = "/v1/packages";

import { TOKEN_VARIABLE, URL_VARIABLE } from "./variables.ts";

export { TOKEN_VARIABLE, URL_VARIABLE };

/** One file of a package. `content` is text; it is sent as UTF-8. */
export interface ArtifactFile {
  /** Relative path inside the package, `/`-separated, e.g. `bundle.md`. */
  path: string;
  mediaType: string;
  content: string;
}

/** A metadata value: JSON scalars only, so the store can index them. */
export type ArtifactMetadataValue = string | number | boolean | null;

/** The parts of the publish options that decide what is sent. */
export interface ArtifactRequestInput {
  /** The store's base URL (`ARTIFACTSTORE_API_URL`); http or https, a path prefix allowed. */
  baseUrl: string;
  /** Bearer token (`ARTIFACTSTORE_API_TOKEN`); empty or absent sends no `Authorization`. */
  token?: string;
  /** `bundle` for prepared bundles, `raw-evidence` for optimizer output. */
  retentionClass: string;
  /** The bundle's sha256: the same package published twice is stored once. */
  idempotencyKey: string;
  /** Package name, e.g. `kaizen-bundle/<repo>/<agent>`. */
  name: string;
  metadata: Record<string, ArtifactMetadataValue>;
  /** The package's files, e.g. `bundle.md` and `bundle.json`. */
  files: ArtifactFile[];
}

/** One file as it appears in the request body. */
export interface WireFile {
  path: string;
  media_type: string;
  encoding: "utf-8";
  bytes: number;
  sha256: string;
  content: string;
}

/** The JSON body of `POST /v1/packages`. */
export interface WirePackage {
  name: string;
  retention_class: string;
  producer: { name: "kaizen"; version: string };
  metadata: Record<string, ArtifactMetadataValue>;
  files: WireFile[];
}

/** A request ready to send, plus what messages may show of it. */
export interface PreparedRequest {
  /** The URL sent to: userinfo removed (the contract authenticates by bearer token only). */
  url: string;
  /** The same URL for messages; any userinfo shows as `***`. */
  displayUrl: string;
  /** Whether the base URL carried userinfo (which is not sent). */
  droppedUserinfo: boolean;
  headers: Record<string, string>;
  body: WirePackage;
  /** `body` serialised once; what goes on the wire. */
  bodyText: string;
}

// Header values must be visible ASCII; anything else would be refused by
// `Headers` with a message quoting the value.
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const RETENTION_CLASS = /^[a-z0-9][a-z0-9_-]*$/;
const MAX_KEY_LENGTH = 255;

function configError(message: string): ArtifactStoreError {
  return new ArtifactStoreError(`artifact store: ${message}`, { code: "config", retryable: false });
}

/**
 * Resolves the packages endpoint from a base URL: http(s) only, trailing
 * slashes dropped (a path prefix such as `https://host/store/` is kept),
 * query and fragment refused (they would silently be lost or misplaced).
 */
export function resolveEndpoint(
  baseUrl: string,
): { url: string; displayUrl: string; droppedUserinfo: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl.trim());
  } catch {
    // The raw text may hold credentials; it is not quoted.
    throw configError(`${URL_VARIABLE} is not a URL`);
  }
  const droppedUserinfo = parsed.username !== "" || parsed.password !== "";
  parsed.username = "";
  parsed.password = "";
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw configError(
      `${URL_VARIABLE} must be an http:// or https:// URL, not ${parsed.protocol}//${parsed.host}`,
    );
  }
  if (parsed.search !== "" || parsed.hash !== "") {
    throw configError(`${URL_VARIABLE} must not have a query or fragment (${parsed.origin})`);
  }
  const prefix = parsed.pathname.replace(/\/+$/, "");
  const url = `${parsed.origin}${prefix}${PACKAGES_PATH}`;
  const displayUrl = droppedUserinfo ? url.replace("://", "://***@") : url;
  return { url, displayUrl, droppedUserinfo };
}

/** SHA-256 of bytes as lowercase hex (synchronous, so a dry run needs no `await`). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function checkFiles(files: readonly ArtifactFile[]): void {
  if (files.length === 0) throw configError("a package needs at least one file");
  const seen = new Set<string>();
  for (const f of files) {
    const parts = f.path.split("/");
    if (
      f.path === "" || f.path.startsWith("/") || f.path.includes("\\") ||
      parts.some((p) => p === "" || p === "." || p === "..")
    ) {
      throw configError(`file path ${JSON.stringify(f.path)} must be relative, without . or ..`);
    }
    if (seen.has(f.path)) throw configError(`file path ${JSON.stringify(f.path)} appears twice`);
    seen.add(f.path);
    if (!f.mediaType) throw configError(`file ${JSON.stringify(f.path)} has no media type`);
  }
}

function checkMetadata(metadata: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(metadata)) {
    const ok = v === null || typeof v === "string" || typeof v === "boolean" ||
      (typeof v === "number" && Number.isFinite(v));
    if (!ok) {
      throw configError(
        `metadata ${JSON.stringify(k)} must be a string, finite number, boolean or null`,
      );
    }
  }
}

/**
 * Checks the options and builds the request. Throws an `ArtifactStoreError`
 * (code `config`) for anything that would fail or mislead on the wire.
 */
export function prepareRequest(input: ArtifactRequestInput): PreparedRequest {
  const { url, displayUrl, droppedUserinfo } = resolveEndpoint(input.baseUrl);
  const token = input.token ?? "";
  // Deliberately no detail: the token's own characters must not be printed.
  if (token !== "" && !HEADER_SAFE.test(token)) {
    throw configError(`${TOKEN_VARIABLE} contains spaces or characters not allowed in a header`);
  }
  if (!HEADER_SAFE.test(input.idempotencyKey) || input.idempotencyKey.length > MAX_KEY_LENGTH) {
    throw configError(`the idempotency key must be 1-${MAX_KEY_LENGTH} visible ASCII characters`);
  }
  if (!RETENTION_CLASS.test(input.retentionClass)) {
    throw configError(
      `retention class ${
        JSON.stringify(input.retentionClass)
      } must match ${RETENTION_CLASS.source}`,
    );
  }
  if (input.name.trim() === "") throw configError("the package name is empty");
  checkFiles(input.files);
  checkMetadata(input.metadata);

  const encoder = new TextEncoder();
  const body: WirePackage = {
    name: input.name,
    retention_class: input.retentionClass,
    producer: { name: "kaizen", version: VERSION },
    metadata: { ...input.metadata },
    files: input.files.map((f) => {
      const bytes = encoder.encode(f.content);
      return {
        path: f.path,
        media_type: f.mediaType,
        encoding: "utf-8",
        bytes: bytes.length,
        sha256: sha256Hex(bytes),
        content: f.content,
      };
    }),
  };
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "User-Agent": `kaizen/${VERSION}`,
    "Idempotency-Key": input.idempotencyKey,
  };
  if (token !== "") headers["Authorization"] = `Bearer ${token}`;
  return { url, displayUrl, droppedUserinfo, headers, body, bodyText: JSON.stringify(body) };
}

/** `headers` with the bearer token replaced by `***`, for printing. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  if ("Authorization" in out) out["Authorization"] = "Bearer ***";
  return out;
}

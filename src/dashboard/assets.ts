/**
 * The dashboard's stylesheet and script, served from inside the binary. They are imported
 * as text so `bun build --compile` embeds them: the binary reads nothing from disk.
 */
import { createHash } from "node:crypto";
import script from "./assets/app.js" with { type: "text" };
import stylesheet from "./assets/style.css" with { type: "text" };

interface Asset {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
}

function asset(body: string, contentType: string): Asset {
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 22);
  return { body, contentType, etag: `"${hash}"` };
}

const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ["style.css", asset(stylesheet, "text/css; charset=utf-8")],
  ["app.js", asset(script, "text/javascript; charset=utf-8")],
]);

/** The names served under /dashboard/assets/. */
export const DASHBOARD_ASSET_NAMES: readonly string[] = [...ASSETS.keys()];

/**
 * The asset called `name` (e.g. `style.css`) as a Response, or undefined when there is
 * none. With the request, an `If-None-Match` naming the current ETag gets a bodiless 304.
 * Cached for an hour (the URLs are not versioned, so not longer: a new binary's assets
 * should show up the same day); the ETag makes revalidation cheap.
 */
export function dashboardAssetResponse(name: string, request?: Request): Response | undefined {
  const found = ASSETS.get(name);
  if (found === undefined) return undefined;
  const headers = {
    "content-type": found.contentType,
    "cache-control": "public, max-age=3600",
    etag: found.etag,
    "x-content-type-options": "nosniff",
  };
  if (request !== undefined && matchesEtag(request.headers.get("if-none-match"), found.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(found.body, { headers });
}

function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === etag || tag === "*");
}

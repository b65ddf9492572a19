/**
 * The origin to show in URLs a user copies (curl lines, a source's URL to give its
 * provider): the host the client used. Behind a proxy that ends TLS we see http; its
 * `X-Forwarded-Proto` is taken for display only (it decides nothing; a wrong one only
 * shows a wrong scheme).
 */
export function displayOrigin(request: Request): string {
  const url = new URL(request.url);
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const protocol = forwarded === "https" || forwarded === "http" ? `${forwarded}:` : url.protocol;
  return `${protocol}//${url.host}`;
}

/**
 * The request headers worth keeping with a stored event for debugging, by name and cut
 * to 512 characters; signatures and credentials are never among the names callers pass.
 */
export function pickHeaders(headers: Headers, names: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value.slice(0, 512);
  }
  return kept;
}

/**
 * The rule Svix applies to application uids, event ids (message uids) and event type names
 * (svix-server `validate_limited_str`, and `BaseUid` for the reserved prefixes). A notification
 * that breaks it could never be accepted by Svix, so hookyard refuses it at the door instead of
 * storing a message that can only end `failed` a day later.
 */

const SVIX_NAME = /^[a-zA-Z0-9\-_.]+$/;
export const SVIX_NAME_MAX_LENGTH = 256;

/** Svix reads a uid with its own id prefix as an id, so it refuses such uids. */
export const SVIX_APP_ID_PREFIX = "app_";
export const SVIX_MESSAGE_ID_PREFIX = "msg_";

/** Why `value` is not a valid Svix name, or undefined when it is. */
export function svixNameProblem(value: string, reservedPrefix?: string): string | undefined {
  if (value.length > SVIX_NAME_MAX_LENGTH) {
    return `must be at most ${SVIX_NAME_MAX_LENGTH} characters`;
  }
  if (!SVIX_NAME.test(value)) {
    return "may contain only letters, digits, '-', '_' and '.'";
  }
  if (reservedPrefix !== undefined && value.startsWith(reservedPrefix)) {
    return `must not start with '${reservedPrefix}' (Svix reserves it for its own ids)`;
  }
  return undefined;
}

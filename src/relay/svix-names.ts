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

/**
 * Which part of the rule `value` breaks ("letters, digits, -, _ and . only"), or undefined
 * when Svix would accept it.
 */
export function svixNameProblem(value: string, reservedPrefix?: string): string | undefined {
  if (value.length > SVIX_NAME_MAX_LENGTH) return `at most ${SVIX_NAME_MAX_LENGTH} characters`;
  if (!SVIX_NAME.test(value)) return "letters, digits, -, _ and . only";
  if (reservedPrefix !== undefined && value.startsWith(reservedPrefix)) {
    return `not starting with ${reservedPrefix}, Svix's own id prefix`;
  }
  return undefined;
}

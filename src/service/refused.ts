// What a use case answers when it refuses a request, without HTTP: the HTTP layer maps each reason to an HTTP
// status and an OCPI status_code in one table (src/http/outcomes.ts).
//
// Refused: the request itself is refused. RegistrationError: a registration (credentials module) failed, with the
// OCPI status code to answer.

export type RefusalReason =
  /** The request or its body is not acceptable (ids differ from the URL, invalid object). */
  | 'invalid'
  /** Nothing the caller may see here: missing, or another party's (the two are answered alike). */
  | 'not-visible'
  /** The object the request names does not exist (PATCH before PUT, GET of an unknown session). */
  | 'unknown-object'
  /** The object exists but cannot do what is asked (an EVSE without the capability). */
  | 'not-supported'
  /** Not in this state (POST credentials when registered, PUT/DELETE before registering). */
  | 'not-now';

export class Refused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/** The issues of a parse, as one message (at most 20 of them). */
export function describeIssues(what: string, issues: { path: string; message: string }[]): string {
  const text = issues
    .slice(0, 20)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  return `${what}: ${text}`;
}

/**
 * A registration failure with its OCPI status code (2.2.1 §5: 2001, 3001, 3002, 3003). `message` is what the
 * remote caller of POST/PUT credentials is told: generic, since the URL we called came from that caller and
 * details of what answered there (addresses, errno, HTTP status, body) must not leak back to it. `detail` is
 * for our own log and for our operator's `register` command.
 */
export class RegistrationError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

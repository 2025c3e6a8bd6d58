// The logging a use case needs, in pino's shape (the server's logger, Fastify's, is passed as it is): a message
// with structured fields. Optional everywhere: a use case run without one logs nothing.
export interface Log {
  warn(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
}

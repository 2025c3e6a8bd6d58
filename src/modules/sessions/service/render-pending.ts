// Use case: bodies of a wire format added after sessions were stored (a store migration lists it in
// pending_renders) are rendered before the server answers, so the read path keeps serving stored bytes.
import type { SessionStore } from '../../../store/contract.js';
import { codecFor } from '../wire/codecs.js';

export function renderPendingBodies(store: SessionStore): Promise<number> {
  return store.renderPendingBodies((format, session) => codecFor(format).render(session));
}

// PUT /ocpi/cpo/2.2.1/sessions/{session_id}/charging_preferences (OCPI 2.2.1 §9.2.1.2).
import { SENDER_TAG, sessionsModule } from '../module.js';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { setChargingPreferences } from '../service/charging-preferences.js';
import type { SessionStore } from '../../../store/contract.js';
import { ChargingPreferencesSchema } from '../wire/charging-preferences.js';
import { sendEnvelope, STATUS } from '../../../http/envelope.js';
import { interfacePath } from '../../descriptor.js';

const Params = Type.Object({
  session_id: Type.String({ minLength: 1, maxLength: 36, description: 'Session id, CiString(36)' }),
});

export function registerChargingPreferences(app: FastifyInstance, store: SessionStore): void {
  app.put<{ Params: Static<typeof Params> }>(
    `${interfacePath(sessionsModule, 'SENDER', '2.2.1')}/:session_id/charging_preferences`,
    {
      config: { access: 'partner', ocpiVersion: '2.2.1' },
      schema: {
        summary: 'Set charging preferences of an ongoing session (OCPI 2.2.1)',
        tags: [SENDER_TAG],
        params: Params,
        documentedBody: ChargingPreferencesSchema,
      },
    },
    async (request, reply) => {
      // A refusal (unknown session, EVSE without the capability, invalid body) is answered by outcomes.ts.
      const result = await setChargingPreferences(
        store,
        request.partner!,
        request.params.session_id,
        request.body,
      );
      return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', JSON.stringify(result));
    },
  );
}

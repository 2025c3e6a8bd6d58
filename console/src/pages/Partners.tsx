// Partners: registration, the 2.3.0 Hub party and the parties it speaks for, version, roles, format, endpoints, token encoding (never a token), the last check
// verdict, the push lane; the actions pause / resume pushing, retry now and re-run pull, each after a confirmation.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ConsolePartner as Partner, PartnerAction } from '../../../src/domain/console-types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { useLoad } from '../components/load.js';
import { ErrorNote } from '../components/Notice.js';
import { fmtTime } from '../format.js';

const ACTIONS: Record<PartnerAction, { label: string; confirm: string; explain: string }> = {
  pause: {
    label: 'Pause pushing',
    confirm: 'Pause',
    explain: 'Nothing is pushed to this partner until you resume; changes wait in the outbox.',
  },
  resume: { label: 'Resume pushing', confirm: 'Resume', explain: 'Pushing to this partner starts again.' },
  retry: {
    label: 'Retry now',
    confirm: 'Retry now',
    explain: 'Every delivery waiting for its next attempt to this partner is tried now.',
  },
  pull: {
    label: 'Re-run pull',
    confirm: 'Run the pull',
    explain: "One pull of this partner's sessions runs in the background.",
  },
};

function actionsFor(p: Partner): PartnerAction[] {
  const lane: PartnerAction[] = p.lane.paused_by_operator ? ['resume', 'retry'] : ['pause', 'retry'];
  return p.roles.includes('CPO') ? [...lane, 'pull'] : lane;
}

function Card(props: { p: Partner; onAction: (p: Partner, a: PartnerAction) => void }) {
  const { p } = props;
  const lane = p.lane;
  const id = `partner-${p.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <section class="card" aria-labelledby={id} data-partner={p.key}>
      <h2 id={id}>
        {p.key} <span class="tag">{p.roles.join(', ') || 'no role'}</span>
      </h2>
      <dl class="facts">
        <dt>Party</dt>
        <dd>
          {p.country_code}-{p.party_id}
        </dd>
        <dt>Hub party</dt>
        <dd data-field="hub">{p.hub_party_id ?? '—'}</dd>
        <dt>Speaks for</dt>
        <dd data-field="parties">{p.parties.map((x) => `${x.role} ${x.key}`).join(', ') || '—'}</dd>
        <dt>Registration</dt>
        <dd data-field="registered">{p.registered ? 'registered' : 'not registered'}</dd>
        <dt>Version</dt>
        <dd>{p.version ?? '—'}</dd>
        <dt>Format</dt>
        <dd>{p.format}</dd>
        <dt>Token encoding</dt>
        <dd>{p.token_encoding ?? '—'}</dd>
        <dt>Last check</dt>
        <dd>
          {p.check_verdict ? `${p.check_verdict.result} (${fmtTime(p.check_verdict.at)})` : 'never checked'}
        </dd>
        <dt>Push lane</dt>
        <dd data-field="lane">
          {`${lane.pending} pending, ${lane.in_flight} in flight` +
            (lane.failing ? `, ${lane.failing} failing` : '') +
            (lane.paused_by_operator ? ', paused by an operator' : '') +
            (lane.paused_until ? `, paused until ${fmtTime(lane.paused_until)}` : '')}
        </dd>
        <dt>Last success</dt>
        <dd>{fmtTime(lane.last_success)}</dd>
        <dt>Last error</dt>
        <dd class="wrap">{lane.last_error ?? '—'}</dd>
      </dl>
      <details>
        <summary>Endpoints ({p.endpoints.length})</summary>
        <ul class="endpoints">
          {p.endpoints.map((e) => (
            <li key={`${e.identifier}/${e.role}`}>
              <strong>{e.identifier}</strong> {e.role}: <code class="wrap">{e.url}</code>
            </li>
          ))}
        </ul>
      </details>
      <div class="actions">
        {actionsFor(p).map((a) => (
          <button
            key={a}
            type="button"
            class="secondary"
            data-action={a}
            onClick={() => props.onAction(p, a)}
          >
            {ACTIONS[a].label}
            <span class="visually-hidden"> ({p.key})</span>
          </button>
        ))}
      </div>
    </section>
  );
}

export function Partners() {
  const loaded = useLoad(() => api.partners(), []);
  const [pending, setPending] = useState<{ partner: Partner; action: PartnerAction } | null>(null);
  const [outcome, setOutcome] = useState<string>('');
  const [error, setError] = useState<string | undefined>(undefined);
  async function confirm() {
    if (!pending) return;
    const { partner, action } = pending;
    setPending(null);
    setError(undefined);
    try {
      await api.partnerAction(partner.key, action);
      setOutcome(`${ACTIONS[action].label}: done for ${partner.key}.`);
      await loaded.reload();
    } catch (err) {
      setError(
        `${ACTIONS[action].label} for ${partner.key} failed: ${err instanceof Error ? err.message : err}`,
      );
    }
  }
  return (
    <>
      <h1>Partners</h1>
      <p class="meta" role="status" data-testid="action-outcome">
        {outcome}
      </p>
      <ErrorNote error={loaded.error ?? error} />
      {loaded.data?.length === 0 && <p>No partners yet.</p>}
      <div class="cards">
        {loaded.data?.map((p) => (
          <Card key={p.key} p={p} onAction={(partner, action) => setPending({ partner, action })} />
        ))}
      </div>
      <ConfirmDialog
        open={pending !== null}
        title={pending ? `${ACTIONS[pending.action].label} for ${pending.partner.key}?` : ''}
        confirmLabel={pending ? ACTIONS[pending.action].confirm : 'Confirm'}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        <p>{pending ? ACTIONS[pending.action].explain : ''}</p>
      </ConfirmDialog>
    </>
  );
}

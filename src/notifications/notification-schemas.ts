import { z } from 'zod';

/** An email as enqueued and as stored in the `email.send` job's payload. */
export const emailMessageSchema = z.object({
  to: z.email().max(254),
  subject: z
    .string()
    .trim()
    .min(1)
    .max(250)
    .refine((s) => !/[\r\n]/.test(s), 'must be a single line'),
  text: z.string().min(1).max(100_000),
  html: z.string().min(1).max(500_000).optional(),
});

export type EmailMessageInput = z.input<typeof emailMessageSchema>;
export type ValidEmailMessage = z.output<typeof emailMessageSchema>;

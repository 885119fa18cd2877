import { z } from 'zod';

// Lone surrogates cannot be encoded (two would hash alike) and NUL cannot be stored in PostgreSQL.
// eslint-disable-next-line no-control-regex
const unencodable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const encodable = (text: string) => !unencodable.test(text);

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'Enter a valid email address.' }).max(254, 'At most 254 characters.'));

// Exactly as typed: no trimming, no normalisation.
export const Password = z
  .string()
  .min(8, 'At least 8 characters.')
  .max(128, 'At most 128 characters.')
  .refine(encodable, 'Contains characters that cannot be used.');

export const DisplayName = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(80, 'At most 80 characters.')
  .refine(encodable, 'Contains characters that cannot be used.');

export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
});
export type User = z.infer<typeof User>;

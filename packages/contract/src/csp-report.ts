import { z } from 'zod';

// What browsers send to POST /api/csp-reports when the page policy (page-policy.ts) refuses
// something: the older report-uri format, one report per request, and the Reporting API's
// (report-to), a batch. Loose objects: browsers add fields of their own, and which they send varies.

const text = z.string();
const count = z.number().int().nonnegative();

/** `Content-Type: application/csp-report` (report-uri). */
export const CspReportUriBody = z.object({
  'csp-report': z.looseObject({
    'document-uri': text.optional(),
    referrer: text.optional(),
    'violated-directive': text.optional(),
    'effective-directive': text.optional(),
    'original-policy': text.optional(),
    disposition: text.optional(),
    'blocked-uri': text.optional(),
    'source-file': text.optional(),
    'line-number': count.optional(),
    'column-number': count.optional(),
    'status-code': count.optional(),
    'script-sample': text.optional(),
  }),
});

/** One report of a Reporting API batch (`Content-Type: application/reports+json`, report-to). */
export const ReportingApiReport = z.looseObject({
  type: text,
  url: text.optional(),
  age: z.number().optional(),
  user_agent: text.optional(),
  body: z
    .looseObject({
      documentURL: text.optional(),
      referrer: text.optional(),
      effectiveDirective: text.optional(),
      originalPolicy: text.optional(),
      disposition: text.optional(),
      blockedURL: text.optional(),
      sourceFile: text.optional(),
      lineNumber: count.optional(),
      columnNumber: count.optional(),
      statusCode: count.optional(),
      sample: text.optional(),
    })
    .optional(),
});

export const CspReportRequest = z.union([CspReportUriBody, z.array(ReportingApiReport).max(100)]);
export type CspReportRequest = z.infer<typeof CspReportRequest>;

/** The media types a violation report comes in (besides plain JSON). */
export const cspReportMediaTypes = ['application/csp-report', 'application/reports+json', 'application/json'] as const;

import { endpoints, type CspReportRequest } from '@authbench/contract';
import type { Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config';
import type { EndpointHandlers } from '../http/endpoint-router';
import { parse } from '../http/parse';
import { clientOf, rateLimited } from '../http/rate-limited';

/** Reports logged from one request (a Reporting API batch); a body is at most 10,240 bytes anyway. */
export const cspReportsPerRequest = 20;

/** One refused thing, as it is logged (a field the browser left out is left out of the line). */
export interface CspViolation {
  documentUrl: string | undefined;
  directive: string | undefined;
  blockedUrl: string | undefined;
  disposition: string | undefined;
  sourceFile: string | undefined;
  line: number | undefined;
  column: number | undefined;
  statusCode: number | undefined;
  sample: string | undefined;
}

/**
 * A URL without its query and fragment, which may carry what no log should hold; a keyword a
 * browser reports instead of a URL ('inline', 'eval', 'trusted-types-sink') as it is.
 */
function withoutQuery(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!URL.canParse(value)) return value.slice(0, 64);
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? `${url.origin}${url.pathname}`.slice(0, 512) : `${url.protocol}…`;
}

/** The violations of either format (report-uri's one, the Reporting API's batch), in one shape. */
export function violationsIn(body: CspReportRequest): CspViolation[] {
  if (!Array.isArray(body)) {
    const report = body['csp-report'];
    return [
      {
        documentUrl: withoutQuery(report['document-uri']),
        directive: (report['effective-directive'] ?? report['violated-directive'])?.slice(0, 64),
        blockedUrl: withoutQuery(report['blocked-uri']),
        disposition: report.disposition?.slice(0, 16),
        sourceFile: withoutQuery(report['source-file']),
        line: report['line-number'],
        column: report['column-number'],
        statusCode: report['status-code'],
        // Browsers quote at most 40 characters of what they refused ('report-sample').
        sample: report['script-sample']?.slice(0, 40),
      },
    ];
  }
  return body
    .filter((report) => report.type === 'csp-violation' && report.body)
    .map((report) => {
      const violation = report.body!;
      return {
        documentUrl: withoutQuery(violation.documentURL ?? report.url),
        directive: violation.effectiveDirective?.slice(0, 64),
        blockedUrl: withoutQuery(violation.blockedURL),
        disposition: violation.disposition?.slice(0, 16),
        sourceFile: withoutQuery(violation.sourceFile),
        line: violation.lineNumber,
        column: violation.columnNumber,
        statusCode: violation.statusCode,
        sample: violation.sample?.slice(0, 40),
      };
    });
}

const retryAfterMs = (req: Request) => {
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  return reset ? reset.getTime() - Date.now() : 60_000;
};

/**
 * POST /api/csp-reports: what the page policy refused, one warning per violation in the request
 * log (tied to its request line by reqId), so that an operator sees attacks and mistakes. Bounded
 * as every body is (10,240 bytes), and rate limited per client IP (CSP_REPORTS_PER_MINUTE) before
 * anything is logged.
 */
export function cspReportHandlers(config: Pick<Config, 'cspReportsPerMinute'>): EndpointHandlers {
  const limit = rateLimit({
    windowMs: 60_000,
    limit: config.cspReportsPerMinute,
    keyGenerator: clientOf,
    standardHeaders: false,
    legacyHeaders: false,
    handler: (req, _res, next) => next(rateLimited(retryAfterMs(req))),
  });
  return {
    cspReports: [
      limit,
      (req, res) => {
        const violations = violationsIn(parse(endpoints.cspReports.request, req.body));
        for (const violation of violations.slice(0, cspReportsPerRequest)) req.log.warn({ reqId: req.id, cspViolation: violation }, 'page policy violation');
        if (violations.length > cspReportsPerRequest) req.log.warn({ reqId: req.id, dropped: violations.length - cspReportsPerRequest }, 'page policy violations not logged');
        // A report-uri report is a no-cors request: helmet's same-origin CORP would have the
        // browser refuse this empty answer, and say so in the page's console, at every report.
        res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
        res.status(204).end();
      },
    ],
  };
}

// The report in the format asked: text (people), json (machines: docs/check-report.md), junit (CI).
import type { CheckReport } from '../model.js';
import { renderJunit } from './junit.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(r: CheckReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  return format === 'junit' ? renderJunit(r) : renderText(r);
}

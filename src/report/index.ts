// Self-contained HTML reports: charts rendered server-side to SVG, pages with inline CSS only.

export { renderAuditReport, attackLabel, headlineAttack, verdict, fmtRate, fewRefsNote, STRONG_ATTACKER_REFS } from './audit-report.ts';
export type { AttackCurve, ReportModel, AuditReportInput } from './audit-report.ts';
export {
  rocChart,
  scatterChart,
  histogramChart,
  lineChart,
  barChart,
  renderSvg,
  defaultMinFpr,
  downsampleRocIndices,
  PALETTE,
} from './charts.ts';
export type { Chart, RocCurveInput, ScatterPoint } from './charts.ts';
export { page, table, kv, esc, raw, fmtPct, fmtNum, figure, grid } from './html.ts';
export type { RawHtml } from './html.ts';
export { renderAnalyzeReport } from './analyze-report.ts';
export type { AnalyzeJson, VariantResult } from './analyze-report.ts';
export { summarizeBench, benchMarkdown } from './bench-summary.ts';
export type { BenchRow } from './bench-summary.ts';
export { renderBenchReport } from './bench-report.ts';
export { benchDoc, benchComplete } from './bench-doc.ts';
export { refsDoc, renderRefsReport, refsMarkdown, rankingMarkdown, refsCostMarkdown } from './refs-doc.ts';
export type { RefsDocInput } from './refs-doc.ts';
export { refsCells, refsRankings, refsCost, refCounts, kendallTau, REFS_METRICS } from './refs-summary.ts';
export type { RefsCell, RefsRanking, RefsMetric } from './refs-summary.ts';
export type { BenchDocInput } from './bench-doc.ts';

import { writeFileSync } from 'node:fs';
import { renderAuditReport } from '/work/wt/package/src/report/audit-report.ts';
import { syntheticComparison } from '/work/wt/package/src/report/_testing.ts';
writeFileSync('/tmp/package-six.html', await renderAuditReport(syntheticComparison()));

/** The Grafana dashboard of deploy/ and the metric names its panels ask Prometheus for. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type DashboardPanel = {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string; datasource?: { type: string; uid: string } }>;
};
export type Dashboard = { uid: string; title: string; panels: DashboardPanel[] };

export const DASHBOARD_FILE = fileURLToPath(new URL('../../deploy/grafana/dashboards/jetledger.json', import.meta.url));

export const readDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

/** Every jetledger_* series name in the panels' PromQL. */
export const dashboardMetrics = (dashboard: Dashboard): string[] => [
  ...new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => t.expr.match(/\bjetledger_[a-z0-9_]+/g) ?? []))),
];

/** The series names a /metrics text can produce, from its `# TYPE` lines (a histogram's _bucket, _sum and _count too). */
export function exposedMetrics(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name = '', type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** One plain-text table: left-aligned columns padded to the widest cell, a rule under the header. */
export type Row = readonly [string, string, string];

export function renderTable(header: Row, rows: readonly (Row | 'rule')[]): string {
  const all = [header, ...rows.filter((r): r is Row => r !== 'rule')];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const line = (r: Row) => r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map((r) => (r === 'rule' ? rule : line(r)))].join('\n');
}

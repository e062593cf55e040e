/** One plain-text table: left-aligned columns padded to the widest cell, a rule under the header. */
export type Row = readonly string[];

export function renderTable(header: Row, rows: readonly (Row | 'rule')[]): string {
  const all = [header, ...rows.filter((r): r is Row => r !== 'rule')];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: Row) => widths.map((w, i) => (r[i] ?? '').padEnd(w)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map((r) => (r === 'rule' ? rule : line(r)))].join('\n');
}

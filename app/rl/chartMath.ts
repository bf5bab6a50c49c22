/** Small pure helpers of the uPlot charts (UChart.tsx), tested in Node. */

/**
 * Width of the y axis: tick labels measured in the axis font, plus ticks and gap, so labels such
 * as "120,000" are not clipped at the left edge (a fixed width cut them to "0,000").
 */
export function axisWidth(labels: readonly string[], measure: (text: string) => number, ticksAndGap: number): number {
  const widest = labels.reduce((w, t) => Math.max(w, measure(t)), 0);
  return Math.ceil(widest + ticksAndGap + 4);
}

/** Per series, the index of its last value: the legend shows it while the cursor is elsewhere. */
export function lastIndexes(data: ReadonlyArray<ArrayLike<number | null | undefined>>): number[] {
  return data.map((ys, s) => {
    if (s === 0) return ys.length - 1;
    for (let i = ys.length - 1; i >= 0; i--) if (ys[i] !== null && ys[i] !== undefined) return i;
    return -1;
  });
}

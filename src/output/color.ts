/**
 * Whether a stream gets colour: never with NO_COLOR set, always with FORCE_COLOR (not 0), else only on
 * a terminal. A module of its own so that `lint` asks without loading the table renderer.
 */
export function colorLevel(stream: NodeJS.WriteStream): 0 | 1 {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return 0;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return 1;
  return stream.isTTY ? 1 : 0;
}

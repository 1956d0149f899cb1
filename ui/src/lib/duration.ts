// Times a transfer still needs, short: "8 s", "3 min", "1 h 20 min".

export function formatEta(ms: number): string {
  const seconds = Math.max(Math.round(ms / 1000), 1);
  if (seconds < 60) return `${String(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${String(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${String(hours)} h` : `${String(hours)} h ${String(rest)} min`;
}

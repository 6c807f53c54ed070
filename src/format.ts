// Shared human formatting for bytes and durations, so Slack messages, the console and `dockmedic check`
// print the same numbers the same way. Binary units (KiB, MiB) because df, du and Docker count in them.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 31457280 → "30 MiB"; one decimal below 10 so small values keep their meaning ("1.5 GiB"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  const shown = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value));
  return `${sign}${shown} ${BYTE_UNITS[unit]}`;
}

/** 850 → "850 ms", 4200 → "4.2 s", 125000 → "2m 05s", 3720000 → "1h 02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  const hours = Math.floor(totalMinutes / 60);
  return `${hours}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** 91.23 → "91%"; undefined (not collected) → "–". */
export function formatPercent(pct: number | undefined): string {
  if (pct === undefined || !Number.isFinite(pct)) return '–';
  return `${Math.round(pct)}%`;
}

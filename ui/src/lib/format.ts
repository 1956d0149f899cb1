// How sizes and dates read in the folder list: decimal units like Finder, dates in the person's locale.

const UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** `532 bytes`, `1.2 MB`, `14 GB`: one decimal below ten, none above. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) {
    return bytes === 1 ? '1 byte' : `${String(bytes)} bytes`;
  }
  let value = bytes;
  let unit: string = UNITS[0];
  for (const candidate of UNITS) {
    value /= 1000;
    unit = candidate;
    if (value < 999.95) {
      break;
    }
  }
  const digits = value < 9.95 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An RFC 3339 timestamp as a short local date and time; empty when unknown or unreadable. */
export function formatDate(rfc3339: string | null | undefined): string {
  if (!rfc3339) {
    return '';
  }
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

// Which icon a file gets, by its extension: enough to tell pictures and text from the rest.

import type { IconName } from '../components/icons';

const IMAGE = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'svg', 'heic', 'tif', 'tiff']);
const TEXT = new Set(['txt', 'md', 'csv', 'json', 'log', 'xml', 'yaml', 'yml', 'toml', 'rs', 'ts']);

export function fileIcon(name: string): IconName {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (IMAGE.has(extension)) return 'image';
  if (TEXT.has(extension)) return 'fileText';
  return 'file';
}

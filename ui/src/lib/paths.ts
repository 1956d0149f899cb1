// Folder paths as the contract writes them: relative to the person's folder, '/'-separated, no
// trailing slash, `''` the root.

/** The last segment: what a list or breadcrumb shows. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The folder holding `path`; the root's parent is the root. */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** `path` is `folder` or somewhere below it. */
export function isWithin(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

export interface Crumb {
  name: string;
  path: string;
}

/** The breadcrumb for `path`, the root (named `rootName`) first. */
export function crumbs(path: string, rootName: string): Crumb[] {
  const trail: Crumb[] = [{ name: rootName, path: '' }];
  if (path === '') return trail;
  let at = '';
  for (const segment of path.split('/')) {
    at = joinPath(at, segment);
    trail.push({ name: segment, path: at });
  }
  return trail;
}

/** Why a name cannot be a file or folder name, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name.trim() === '') return 'Type a name.';
  if (name.includes('/')) return 'A name cannot contain “/”.';
  if (name.includes('\\')) return 'A name cannot contain “\\”.';
  if (name === '.' || name === '..') return '“.” and “..” are not names.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'A name cannot contain control characters.';
  return null;
}

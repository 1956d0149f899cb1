// Entry point: fills in the parts of the welcome screen that come from the app itself.

import './style.css';
import logoUrl from '../../icons/source.svg';
import { describeVersion, loadAppInfo } from './app-info';

/** The element of index.html with this id, checked to be of the expected kind. */
function find<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) {
    throw new Error(`index.html needs a ${kind.name} with id "${id}"`);
  }
  return found;
}

find('logo', HTMLImageElement).src = logoUrl;

const versionLabel = find('app-version', HTMLSpanElement);
void loadAppInfo().then((result) => {
  versionLabel.textContent = describeVersion(result);
});

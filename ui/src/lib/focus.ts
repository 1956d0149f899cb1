// Where keyboard focus goes when a screen appears, so a keyboard user never starts from nowhere.

/** A Svelte attachment: focuses the element once it is in the document. */
export function focusOnMount(element: HTMLElement): void {
  queueMicrotask(() => {
    element.focus();
  });
}

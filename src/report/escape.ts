/** Text from files goes into HTML only through here. */
export function escapeHtml(s: string | number | boolean | null | undefined): string {
  return String(s ?? '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
    .replace(BIDI_CONTROLS, (c) => `&lt;U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}&gt;`);
}

/**
 * Characters that reorder the text around them (right-to-left overrides,
 * embeddings, isolates and marks): a name holding one could make the page
 * show something else than the file says (the "Trojan Source" trick). They
 * are shown as their code, e.g. <U+202E>, never applied.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

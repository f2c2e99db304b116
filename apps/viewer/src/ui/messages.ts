/**
 * Messages appear next to the control that caused them (in the `.messages` box of its panel or
 * fieldset), humanised, with the original text in an expandable <details>. The page-wide banner is
 * kept for what concerns everything on the page (a backend that gave wrong results).
 */
import { humaniseError } from '../logic/humanise';
import { $, element } from './dom';

export type MessageKind = 'error' | 'warning' | 'info';

export interface LoggedMessage {
  anchor: string;
  kind: MessageKind;
  text: string;
}

/** Every message shown, in order (window.__wavemix.messages). */
export const messageLog: LoggedMessage[] = [];

function messagesBox(anchor: string): HTMLElement {
  const host = $(anchor);
  let box = host.querySelector<HTMLElement>(':scope > .messages');
  if (!box) {
    box = element('div', { className: 'messages' });
    box.setAttribute('aria-live', 'polite');
    host.append(box);
  }
  return box;
}

export function showMessage(
  anchor: string,
  text: string,
  kind: MessageKind = 'error',
  details: string | null = null,
): HTMLElement {
  messageLog.push({ anchor, kind, text });
  const close = element('button', { type: 'button', textContent: 'dismiss' });
  close.setAttribute('aria-label', 'dismiss this message');
  const body: Array<Node> = [element('span', { className: 'text', textContent: text })];
  if (details && details !== text) {
    body.push(
      element('details', {}, [
        element('summary', { textContent: 'details' }),
        element('pre', { textContent: details }),
      ]),
    );
  }
  const message = element('div', { className: `message ${kind}` }, [...body, close]);
  message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  close.addEventListener('click', () => message.remove());
  const box = messagesBox(anchor);
  box.append(message);
  while (box.children.length > 3) box.firstElementChild!.remove();
  return message;
}

/** `prefix: <humanised error>` next to `anchor`, the raw message under "details". */
export function showError(anchor: string, prefix: string, error: unknown, backend: string | null = null): HTMLElement {
  const { summary, details } = humaniseError(error, { backend });
  return showMessage(anchor, `${prefix}: ${summary}`, 'error', details);
}

/** Removes the messages next to `anchor` (a new attempt replaces the old complaint). */
export function clearMessages(anchor: string): void {
  $(anchor).querySelector(':scope > .messages')?.replaceChildren();
}

/** The page-wide banner (role=alert) at the top of the page. */
export function showBanner(text: string): void {
  messageLog.push({ anchor: 'banner', kind: 'error', text });
  const banner = $('banner');
  banner.querySelector('.text')!.textContent = text;
  banner.hidden = false;
}

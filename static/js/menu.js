// menu.js: the viewer's own status menu in the header: auto, do not
// disturb, invisible, and a custom status with an expiry. It is a
// disclosure: a button with aria-expanded that shows a panel of ordinary
// buttons and a small form, so it works with the keyboard alone (Tab,
// Enter or Space, Escape closes and gives focus back to the button, the
// arrow keys move between the choices). It sends `set_status` and
// `set_custom` and shows only what the server says back (the frames about
// the viewer), so every tab of the viewer shows the same. The words and
// expiries are status.js's.

import { OFFLINE, expiryUntil, manualOf, statusText, untilText } from './status.js';

export class StatusMenu {
  #el;
  #send;
  #open = false;

  /**
   * `el` holds the menu's elements (`root`, `button`, `label`, `panel`,
   * `choices` (the status buttons), `form`, `text`, `expiry`, `clear`,
   * `current`, `errors`); `send(frame)` sends a client frame and says
   * whether it went.
   */
  constructor(el, send) {
    this.#el = el;
    this.#send = send;
  }

  /** Wires the menu and shows it (it needs the script). */
  start() {
    const { root, button, panel, choices, form, clear } = this.#el;
    root.hidden = false;
    button.addEventListener('click', () => this.#toggle(!this.#open));
    for (const choice of choices) {
      choice.addEventListener('click', () => {
        this.#submit({ type: 'set_status', status: choice.dataset.manual });
        this.#toggle(false);
      });
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.#el.text.value.trim();
      if (text === '') {
        this.#submit({ type: 'set_custom', text: null, until: null });
      } else {
        const until = expiryUntil(this.#el.expiry.value, Date.now()) ?? null;
        this.#submit({ type: 'set_custom', text, until });
      }
      this.#toggle(false);
    });
    clear.addEventListener('click', () => {
      this.#submit({ type: 'set_custom', text: null, until: null });
      this.#el.text.value = '';
      this.#toggle(false);
    });
    panel.addEventListener('keydown', (event) => this.#onKey(event));
    button.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { this.#toggle(false); }
    });
    // A click elsewhere closes the panel, as any menu does.
    root.ownerDocument.addEventListener('click', (event) => {
      if (this.#open && !root.contains(event.target)) { this.#toggle(false, false); }
    });
  }

  /**
   * Shows the viewer's record (state.js) as the server last described it:
   * the status sets the pressed choice, the custom status the form.
   */
  showSelf(person) {
    const { button, label, choices, current, clear } = this.#el;
    if (person.status !== OFFLINE) {
      button.dataset.status = person.status;
      label.textContent = statusText(person.status);
      const manual = manualOf(person.status);
      for (const choice of choices) {
        choice.setAttribute('aria-pressed', String(choice.dataset.manual === manual));
      }
    }
    const custom = person.custom;
    current.textContent = custom
      ? `“${custom.text}”${custom.until === null ? '' : ` · ${untilText(custom.until, Date.now())}`}`
      : '';
    clear.hidden = !custom;
    // Not while the panel is open: the viewer may be typing there.
    if (!this.#open) { this.#el.text.value = custom ? custom.text : ''; }
  }

  /** Says why the server refused a frame, in the polite live region. */
  showError(reason) {
    const { errors } = this.#el;
    errors.textContent = `Your status was not changed: ${reason}.`;
  }

  #submit(frame) {
    this.#el.errors.textContent = '';
    if (!this.#send(frame)) {
      this.#el.errors.textContent = 'Not connected: your status was not changed. Try again in a moment.';
    }
  }

  #toggle(open, focusButton = true) {
    const { button, panel, choices } = this.#el;
    if (open === this.#open) { return; }
    this.#open = open;
    button.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (open) {
      const pressed = choices.find((choice) => choice.getAttribute('aria-pressed') === 'true');
      (pressed ?? choices[0]).focus();
    } else if (focusButton && panel.contains(panel.ownerDocument.activeElement)) {
      button.focus();
    }
  }

  // Escape closes; the arrow keys move between the status choices.
  #onKey(event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.#toggle(false);
      this.#el.button.focus();
      return;
    }
    const { choices } = this.#el;
    const at = choices.indexOf(event.target);
    if (at === -1 || (event.key !== 'ArrowDown' && event.key !== 'ArrowUp')) { return; }
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : choices.length - 1;
    choices[(at + step) % choices.length].focus();
  }
}

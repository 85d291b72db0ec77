// @ts-check
import { checkCredential } from './api.js';
import { el, replaceChildren, uniqueId } from './dom.js';
import { signIn } from './session.js';

/**
 * Asks for an API key or a single sign-on token when Sluice answers 401, checks it with Sluice,
 * and keeps it for this tab only (session.js). A refused key is said so, with Sluice's reason.
 */
export class SignInForm {
  /** @param {{onSignedIn: () => void}} options */
  constructor(options) {
    this.onSignedIn = options.onSignedIn;
    this.title = el('h1', { tabindex: -1 }, ['Sign in to Sluice']);
    const id = uniqueId('credential');
    this.input = el('input', {
      id,
      name: 'credential',
      type: 'password',
      autocomplete: 'off',
      spellcheck: 'false',
      required: true,
      'aria-describedby': `${id}-hint`,
    });
    this.submit = el('button', { type: 'submit', class: 'button button-primary' }, ['Sign in']);
    this.problem = el('p', { class: 'problem', role: 'alert', hidden: true, 'data-testid': 'sign-in-problem' });
    this.form = el('form', { class: 'sign-in', novalidate: true }, [
      el('div', { class: 'field' }, [
        el('label', { for: id }, ['API key or token']),
        el('p', { class: 'hint', id: `${id}-hint` }, [
          'An API key (sk-sluice-…) from your administrator, or a token from single sign-on. It is kept in this tab only and sent with each request.',
        ]),
        this.input,
      ]),
      this.problem,
      this.submit,
    ]);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.element = el('section', { class: 'view' }, [this.title, this.form]);
  }

  start() {
    this.input.focus();
  }

  async send() {
    const value = this.input.value.trim();
    if (!value) {
      this.show('Enter an API key or a token.');
      return;
    }
    this.submit.disabled = true;
    this.submit.setAttribute('aria-busy', 'true');
    try {
      const problem = await checkCredential(value);
      if (problem) {
        this.show(
          problem.status === 401 ? `Sluice refused this key: ${problem.detail}` : problem.detail,
        );
        return;
      }
      signIn(value);
      this.onSignedIn();
    } catch (error) {
      this.show(error instanceof Error ? error.message : String(error));
    } finally {
      this.submit.disabled = false;
      this.submit.removeAttribute('aria-busy');
    }
  }

  /** @param {string} text */
  show(text) {
    replaceChildren(this.problem, [text]);
    this.problem.hidden = false;
    this.input.select();
  }
}

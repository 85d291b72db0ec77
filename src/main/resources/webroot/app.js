// @ts-check
import { BatchList } from './batch-list.js';
import { BatchPage } from './batch-page.js';
import { NewBatchForm } from './new-batch-form.js';
import { credential, onRefused, signOut } from './session.js';
import { SignInForm } from './sign-in-form.js';

/**
 * A view of the page: its element, what to do once it is shown, and what to stop when it goes.
 * @typedef {object} View
 * @property {HTMLElement} element
 * @property {HTMLElement} title the heading that takes the focus when the view opens
 * @property {() => unknown} [start]
 * @property {() => void} [dispose]
 */

const BATCH_ROUTE = /^#\/batches\/([0-9a-fA-F-]{36})$/;

/**
 * Shows the view the address names: `#/` the list, `#/new` the form, `#/batches/{id}` a batch.
 * Routes live in the fragment, so the server serves one page and a reload keeps the place.
 */
export class App {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    /** @type {View | null} */
    this.view = null;
    this.first = true;
    this.signOutButton = document.getElementById('sign-out');
  }

  start() {
    window.addEventListener('hashchange', () => this.route());
    // Sluice asked for credentials (none yet, or the one kept was revoked): ask for them.
    onRefused(() => {
      if (!(this.view instanceof SignInForm)) {
        this.signIn();
      }
    });
    this.signOutButton?.addEventListener('click', () => {
      signOut();
      this.signIn();
    });
    this.route();
  }

  signIn() {
    this.show(new SignInForm({ onSignedIn: () => this.route() }));
    document.title = 'Sign in · Sluice';
  }

  /** @param {View} view */
  show(view) {
    this.view?.dispose?.();
    this.view = view;
    this.root.replaceChildren(view.element);
    void view.start?.();
    if (this.signOutButton) {
      this.signOutButton.hidden = !credential() || view instanceof SignInForm;
    }
    if (!this.first) {
      view.title.focus(); // tell screen readers the page changed
    }
    this.first = false;
  }

  route() {
    const hash = window.location.hash;
    const match = BATCH_ROUTE.exec(hash);
    /** @type {View} */
    let view;
    if (match?.[1]) {
      view = new BatchPage(match[1]);
    } else if (hash === '#/new') {
      view = new NewBatchForm({
        onCreated: (batch) => {
          window.location.hash = `#/batches/${batch.id}`;
        },
      });
      document.title = 'New batch · Sluice';
    } else {
      view = new BatchList();
      document.title = 'Batches · Sluice';
    }
    this.show(view);
  }
}

const root = document.getElementById('app');
if (root) {
  new App(root).start();
}

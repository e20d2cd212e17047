import type { ReactNode } from 'react';
import { navigate } from '../router.ts';

/** A link in the cockpit's header to one of its own pages: client-side on a plain click, a real link otherwise. */
export function HeaderLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a
      className="btn btn-ghost header-link"
      href={href}
      onClick={(click) => {
        if (click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return;
        click.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

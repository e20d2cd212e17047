import type { ReactNode } from 'react';
import { navigate } from '../router.ts';

/** A link inside the app: a plain click navigates without a reload; modified clicks behave as links do. */
export function AppLink({
  to,
  className,
  children,
}: {
  to: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <a
      href={to}
      className={className}
      onClick={(click) => {
        if (click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return;
        click.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

import type { ComponentChildren } from 'preact';
import { BASE, onLinkClick } from '../router.js';

/** A link to a console path (`/sessions`, …), navigated in place. */
export function Link(props: { to: string; children: ComponentChildren; current?: boolean; class?: string }) {
  return (
    <a
      href={BASE + props.to}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => onLinkClick(e, props.to)}
    >
      {props.children}
    </a>
  );
}

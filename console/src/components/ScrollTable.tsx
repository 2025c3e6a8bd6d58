import type { ComponentChildren } from 'preact';

/**
 * A table that scrolls sideways on a narrow screen; the scrolling region is focusable and named, so it can be
 * scrolled with the keyboard (WCAG 2.1.1) and is announced.
 */
export function ScrollTable(props: { label: string; children: ComponentChildren; testid?: string }) {
  return (
    <div class="scroll" role="region" aria-label={props.label} tabIndex={0} data-testid={props.testid}>
      <table>
        <caption class="visually-hidden">{props.label}</caption>
        {props.children}
      </table>
    </div>
  );
}

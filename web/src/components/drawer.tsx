import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A side panel over the page (a full-height sheet on a phone): focus moves into it when it opens, Tab stays
 * inside it, Escape or the close button closes it, and focus goes back to what opened it.
 */
export function Drawer({ title, onClose, children, wide = false, returnFocus }: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  /** Where focus goes on close when the element that opened the drawer is gone (a CSS selector). */
  returnFocus?: string;
}) {
  const panel = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  // What had focus when the drawer was first drawn: the button that opened it.
  const opener = useRef<HTMLElement | null>(document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null);

  useEffect(() => {
    panel.current?.querySelector<HTMLElement>('h2')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close.current();
        return;
      }
      if (e.key !== 'Tab' || !panel.current) return;
      const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
      if (!items.length) return;
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const inside = panel.current.contains(document.activeElement);
      if (e.shiftKey && (document.activeElement === first || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      const back = opener.current && document.contains(opener.current) ? opener.current
        : returnFocus ? document.querySelector<HTMLElement>(returnFocus) : null;
      back?.focus();
    };
  }, []);

  return (
    <div class="drawer-layer">
      <div class="drawer-backdrop" onClick={() => close.current()} aria-hidden="true" />
      <div class={`drawer${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby="drawer-title" ref={panel}>
        <div class="drawer-head">
          <h2 id="drawer-title" tabIndex={-1}>{title}</h2>
          <button type="button" class="quiet close" onClick={() => close.current()} aria-label="Close (Escape)">✕</button>
        </div>
        <div class="drawer-body">{children}</div>
      </div>
    </div>
  );
}

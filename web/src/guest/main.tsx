import { render } from 'preact';
import { Manage } from './manage';
import { Review } from './review';
import { Widget } from './widget';
import './guest.css';

/**
 * The guests' pages (CONTRACT §10): `/widget/:slug`, `/manage/:token`, `/review/:token`. Their own entry,
 * apart from the staff app, so what a guest's phone loads stays small (the build fails above 60 KB of
 * gzipped JavaScript: web/guest-budget.ts).
 */
function Page() {
  const [, kind, param] = location.pathname.split('/');
  const value = decodeURIComponent(param ?? '');
  if (kind === 'widget' && value) return <Widget slug={value} />;
  if (kind === 'manage' && value) return <Manage token={value} />;
  if (kind === 'review' && value) return <Review token={value} />;
  return <section class="card"><h1>Not found</h1><p>This page does not exist.</p></section>;
}

render(<Page />, document.getElementById('root')!);

// In an iframe (widget.js), tell the page embedding us how tall we are, whenever that changes.
if (window.parent !== window) {
  document.documentElement.classList.add('embedded');
  let last = 0;
  const post = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'tablesync:widget-height', height }, '*');
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}

/**
 * The partner console (CONTRACT §13): the same web app for operators signed in. Loaded on demand by the
 * shell for operators only (a chunk of its own), so the venue app's bundle does not carry it; the mapping
 * editor loads CodeMirror in a further chunk.
 */
import { Route, Router, useRoute } from 'preact-iso';
import { EventLog } from './event-log';
import { MappingEditor } from './mapping-editor';
import { PartnerPage } from './partner-page';
import { PartnersList } from './partners-list';
import './partners.css';

function Partner() {
  const { params } = useRoute();
  return <PartnerPage key={params.name} name={params.name!} />;
}
function Events() {
  const { params } = useRoute();
  return <EventLog key={params.name} name={params.name!} />;
}
function Editor() {
  const { params } = useRoute();
  return <MappingEditor key={`${params.name}/${params.event_type}`} name={params.name!} eventType={params.event_type!} />;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at this address. Go to the <a href="/app/partners">partners</a>.</p>
    </section>
  );
}

export function PartnerConsole() {
  return (
    <Router>
      <Route path="/app" component={PartnersList} />
      <Route path="/app/partners" component={PartnersList} />
      <Route path="/app/partners/:name" component={Partner} />
      <Route path="/app/partners/:name/events" component={Events} />
      <Route path="/app/partners/:name/mappings/:event_type" component={Editor} />
      <Route default component={NotFound} />
    </Router>
  );
}

export default PartnerConsole;

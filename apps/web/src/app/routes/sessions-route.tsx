import { SessionsList } from '../../features/sessions/sessions-list';

export function SessionsRoute() {
  return (
    <div className="stack">
      <title>Sessions · Authbench</title>
      <h1>Sessions and devices</h1>
      <SessionsList />
    </div>
  );
}

import { Link } from 'react-router';

export function NotFoundRoute() {
  return (
    <div className="stack">
      <title>Not found · Authbench</title>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Go home</Link>
      </p>
    </div>
  );
}

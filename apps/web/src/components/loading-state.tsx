/** A polite live region: announced, but never interrupting. */
export function LoadingState({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

import type { ReactNode } from 'react';
import { describeError } from './describe-error';

interface ErrorAlertProps {
  error: unknown;
  children?: ReactNode;
  onRetry?: () => void;
}

/** role="alert": screen readers announce the failure as soon as it appears. */
export function ErrorAlert({ error, children, onRetry }: ErrorAlertProps) {
  return (
    <div role="alert" className="alert alert-error">
      <p>{describeError(error)}</p>
      {children}
      {onRetry && (
        <button type="button" className="button-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

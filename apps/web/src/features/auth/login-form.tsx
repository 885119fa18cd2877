import { LoginRequest } from '@authbench/contract';
import { useRef, useState, type SubmitEvent } from 'react';
import { ErrorAlert } from '../../components/error-alert';
import {
  fieldErrorsOfApi,
  fieldErrorsOfZod,
  otherIssues,
  type FieldErrors,
} from '../../components/field-errors';
import { TextField } from '../../components/text-field';
import { useLogin } from './mutations';

const fields = ['email', 'password'] as const;
type Field = (typeof fields)[number];

export function LoginForm() {
  const login = useLogin();
  const [clientErrors, setClientErrors] = useState<FieldErrors<Field>>({});
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const errors = { ...fieldErrorsOfApi(login.error, fields), ...clientErrors };

  function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // The contract schema, as the API will apply it: the same rules, the same words.
    const parsed = LoginRequest.safeParse({ email: form.get('email'), password: form.get('password') });
    if (!parsed.success) {
      const found = fieldErrorsOfZod(parsed.error, fields);
      setClientErrors(found);
      (found.email ? emailRef : passwordRef).current?.focus();
      return;
    }
    setClientErrors({});
    // Send the password exactly as typed; the email as entered (the API normalises it too).
    login.mutate({ email: parsed.data.email, password: parsed.data.password });
  }

  return (
    <form className="form" noValidate onSubmit={onSubmit} aria-busy={login.isPending}>
      {login.isError && (
        <ErrorAlert error={login.error}>
          {otherIssues(login.error, fields).length > 0 && (
            <ul>
              {otherIssues(login.error, fields).map((issue) => (
                <li key={issue}>{issue}</li>
              ))}
            </ul>
          )}
        </ErrorAlert>
      )}
      <TextField
        ref={emailRef}
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        error={errors.email}
      />
      <TextField
        ref={passwordRef}
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.password}
      />
      <button type="submit" disabled={login.isPending}>
        {login.isPending ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}

import { RegisterRequest } from '@authbench/contract';
import { useRef, useState, type SubmitEvent, type RefObject } from 'react';
import { isApiError } from '../../api/api-error';
import { ErrorAlert } from '../../components/error-alert';
import {
  fieldErrorsOfApi,
  fieldErrorsOfZod,
  otherIssues,
  type FieldErrors,
} from '../../components/field-errors';
import { TextField } from '../../components/text-field';
import { useRegister } from './mutations';

const fields = ['name', 'email', 'password'] as const;
type Field = (typeof fields)[number];

export function RegisterForm() {
  const register = useRegister();
  const [clientErrors, setClientErrors] = useState<FieldErrors<Field>>({});
  const refs: Record<Field, RefObject<HTMLInputElement | null>> = {
    name: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  const errors = { ...fieldErrorsOfApi(register.error, fields), ...clientErrors };
  const emailTaken = isApiError(register.error) && register.error.code === 'email_taken';

  function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = RegisterRequest.safeParse({
      name: form.get('name'),
      email: form.get('email'),
      password: form.get('password'),
    });
    if (!parsed.success) {
      const found = fieldErrorsOfZod(parsed.error, fields);
      setClientErrors(found);
      const first = fields.find((field) => found[field]);
      if (first) refs[first].current?.focus();
      return;
    }
    setClientErrors({});
    register.mutate(parsed.data);
  }

  return (
    <form className="form" noValidate onSubmit={onSubmit} aria-busy={register.isPending}>
      {register.isError && (
        <ErrorAlert error={register.error}>
          {otherIssues(register.error, fields).length > 0 && (
            <ul>
              {otherIssues(register.error, fields).map((issue) => (
                <li key={issue}>{issue}</li>
              ))}
            </ul>
          )}
        </ErrorAlert>
      )}
      <TextField ref={refs.name} label="Name" name="name" autoComplete="name" required error={errors.name} />
      <TextField
        ref={refs.email}
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        error={errors.email ?? (emailTaken ? 'This email already has an account.' : undefined)}
      />
      <TextField
        ref={refs.password}
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="8 to 128 characters. Used exactly as typed, spaces included."
        required
        minLength={8}
        maxLength={128}
        error={errors.password}
      />
      <button type="submit" disabled={register.isPending}>
        {register.isPending ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}

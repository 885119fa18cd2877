import { UpdateMeRequest, type User } from '@authbench/contract';
import { useState, type SubmitEvent } from 'react';
import { ErrorAlert } from '../../components/error-alert';
import { fieldErrorsOfApi, fieldErrorsOfZod } from '../../components/field-errors';
import { TextField } from '../../components/text-field';
import { useUpdateProfile } from './mutations';

const fields = ['name'] as const;

export function ProfileForm({ user }: { user: User }) {
  const update = useUpdateProfile();
  const [clientError, setClientError] = useState<string | undefined>();

  function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = UpdateMeRequest.safeParse({ name: new FormData(event.currentTarget).get('name') });
    if (!parsed.success) {
      setClientError(fieldErrorsOfZod(parsed.error, fields).name);
      return;
    }
    setClientError(undefined);
    update.mutate(parsed.data);
  }

  return (
    <form className="form form-inline" noValidate onSubmit={onSubmit} aria-busy={update.isPending}>
      {update.isError && <ErrorAlert error={update.error} />}
      <TextField
        // Re-seed the input when the saved name changes (here, or from another tab's refetch).
        key={user.name}
        label="Display name"
        name="name"
        autoComplete="name"
        defaultValue={user.name}
        maxLength={80}
        required
        error={clientError ?? fieldErrorsOfApi(update.error, fields).name}
        onChange={() => update.isSuccess && update.reset()}
      />
      <button type="submit" disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save name'}
      </button>
      <p role="status" className="form-status">
        {update.isSuccess ? 'Saved.' : ''}
      </p>
    </form>
  );
}

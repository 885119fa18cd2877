import { z } from 'zod';
import { DisplayName, User } from './user';

export const MeResponse = z.object({ user: User });
export type MeResponse = z.infer<typeof MeResponse>;

export const UpdateMeRequest = z.object({ name: DisplayName });
export type UpdateMeRequest = z.input<typeof UpdateMeRequest>;

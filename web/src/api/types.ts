// Named aliases for the generated OpenAPI types (schema.d.ts is generated: `npm run gen:api`).
import type { components } from './schema';

type Schemas = components['schemas'];
export type AuthTokens = Schemas['AuthTokens'];
export type Me = Schemas['MeResponse'];
export type UserProfile = Schemas['UserProfileResponse'];
export type Session = Schemas['SessionResponse'];
export type LoginRequest = Schemas['LoginRequest'];
export type RegisterRequest = Schemas['RegisterRequest'];
export type UpdateProfileRequest = Schemas['UpdateProfileRequest'];

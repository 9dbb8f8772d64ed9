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
export type Message = Schemas['MessageResponse'];
export type ServerInfo = Schemas['ServerResponse'];
export type Channel = Schemas['ChannelResponse'];
export type DmChannel = Schemas['DmChannelResponse'];
export type Member = Schemas['MemberResponse'];
export type Role = Schemas['RoleResponse'];
export type Invite = Schemas['InviteResponse'];
export type InvitePreview = Schemas['InvitePreviewResponse'];
export type ReadState = Schemas['ReadStateResponse'];
export type UserSummary = Schemas['UserSummary'];
export type ReactionSummary = Schemas['ReactionSummary'];
export type MessageSearchResult = Schemas['MessageSearchResponse'];
export type SearchHit = Schemas['SearchHitResponse'];
export type HighlightRange = Schemas['HighlightRange'];
export type Relationship = Schemas['RelationshipResponse'];
export type PrivacySettings = Schemas['PrivacySettingsResponse'];
export type FriendRequestPrivacy = Schemas['FriendRequestPrivacy'];

// The hub's messages and events, named from the generated OpenAPI schema (`npm run gen:api`): the server publishes
// the gateway contract (src/KamaChat.Server/Features/Gateway/GatewayContract.cs) in its OpenAPI document.
import type { components } from '../../api/schema';

type Schemas = components['schemas'];

/** What the hub's "Event" message carries; `data` is the event's JSON as logged (parse it into `EventData<type>`). */
export type GatewayEvent = Schemas['GatewayEvent'];
/** Where a client stands per stream. Ready sends all three; Resume takes any of them. */
export type StreamCursorsDto = Partial<Schemas['StreamCursors']>;
export type ResumeResult = Schemas['ResumeResult'];
export type ReadyChannel = Schemas['ReadyChannel'];
export type ReadyServer = Schemas['ReadyServer'];
export type ReadyDirectChannel = Schemas['ReadyDirectChannel'];
export type ReadyReadState = Schemas['ReadyReadState'];
export type PresenceSignal = Schemas['PresenceUpdated'];
export type TypingSignal = Schemas['TypingStarted'];
export type ReadyPayload = Schemas['ReadyPayload'];

/** The most streams one Resume call may name (ResumeService.MaxStreams); more go in further calls. */
export const MAX_RESUME_STREAMS = 500;

/** Every event the server defines, with its data parsed: a union keyed by `type`. */
export type KnownEvent = Schemas['GatewayEventData'];
export type EventType = KnownEvent['type'];
/** The parsed `data` of an event of the given type, e.g. `EventData<'RoleUpdated'>` is a Role. */
export type EventData<T extends EventType> = Extract<KnownEvent, { type: T }>['data'];
